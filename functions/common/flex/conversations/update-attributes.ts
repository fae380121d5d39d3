/**
 * POST /common/flex/conversations/update-attributes: the template plugin's removal of an invite record from a conversation's attributes (nothing else may be written).
 * Contract: docs/functions.md, "flex-project-template plugin".
 */
import type { FunctionHandler } from '../../../types';
import type * as Load from '../../../lib/load.private';
import type * as Http from '../../../lib/http.private';
import type * as TemplatePlugin from '../../../lib/template-plugin.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('common/flex/conversations/update-attributes', (lib) =>
    lib<typeof Http>('lib/http').flexEndpoint('common/flex/conversations/update-attributes', { chat: true }, (env) => lib<typeof TemplatePlugin>('lib/template-plugin').updateAttributes(env)),
  )(context, event, callback);
