// The provider object Pulumi serializes into state for each resource type.
//
// Pulumi serializes a dynamic provider by value: every function and object it
// reaches. Our providers reach the routing engine, the twilio SDK adapters and
// more, which does not survive that (Sets become plain objects, subclasses of
// built-ins lose their state). So the serialized object is a thin forwarder:
// at call time, in the provider process, it loads the implementation from the
// project's compiled code (dist/infra/providers/registry.js), located through
// the project's own @pulumi/pulumi install, never through a path frozen into
// state. State then holds a small, stable provider, and destroy or refresh of
// an old resource runs the current implementation.
//
// The forwarder is handed to the engine as module text (providerModule), not
// serialized by Pulumi's closure serializer on every run: serializing it costs
// tens of milliseconds per resource in each preview, for the same text.
import type * as pulumi from '@pulumi/pulumi';

export type ProviderKind = 'Workspace' | 'TaskChannel' | 'TaskQueue' | 'Workflow' | 'Service' | 'Environment' | 'Deployment' | 'FlexUiAttribute' | 'FlexNativeTransfers';

export function remoteProvider(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  const load = (): pulumi.dynamic.ResourceProvider => {
    // <root>/node_modules/@pulumi/pulumi/package.json → <root>
    const pulumiPackage: string = require.resolve('@pulumi/pulumi/package.json');
    const root = require('path').resolve(pulumiPackage, '..', '..', '..', '..');
    const registry = require(require('path').join(root, 'dist', 'infra', 'providers', 'registry.js'));
    const provider = registry.providers[kind];
    if (!provider) throw new Error(`flex-transfer: no provider '${kind}' in ${root}/dist (run \`npm run build\`)`);
    return provider;
  };
  return {
    configure: (req) => load().configure?.(req) ?? Promise.resolve(),
    check: (olds, news) => load().check?.(olds, news) ?? Promise.resolve({ inputs: news }),
    diff: (id, olds, news) => load().diff?.(id, olds, news) ?? Promise.resolve({}),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read?.(id, props) ?? Promise.resolve({ id, props }),
    update: (id, olds, news) => load().update?.(id, olds, news) ?? Promise.resolve({ outs: news }),
    delete: (id, props) => load().delete?.(id, props) ?? Promise.resolve(),
  };
}

/**
 * The `__provider` input of a `kind` resource: the module the dynamic-provider
 * plugin loads (`exports.handler` returns the provider), here remoteProvider's
 * own compiled code applied to `kind`. remoteProvider refers to nothing
 * outside itself (only `require` and its argument), so its text stands alone.
 */
export function providerModule(kind: ProviderKind): string {
  return `exports.handler = () => (${remoteProvider.toString()})(${JSON.stringify(kind)});\n`;
}
