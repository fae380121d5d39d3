/**
 * Flex native messaging transfers (Flex UI 2.13+; Console: Flex > Channel
 * management > Transfers). The setting is not part of the v1 Configuration
 * resource (its OpenAPI schema has no transfer field): the Flex UI reads it
 * from the Flex instance's TransferSettings,
 *
 *   GET https://flex-api.twilio.com/v3/Instances/{flex_instance_sid}/TransferSettings
 *   → { "transfer_settings": [ { sid, account_sid, instance_sid, enabled,
 *        transfer_notes_enabled, ai_summary_enabled, version, date_created, date_updated } ] }
 *
 * (@twilio/flex-ui 2.14 TransferService.fetchTransfersConfig, which takes
 * `transfer_settings[0]`; the fields are its TransfersConfig interface).
 * Twilio documents no write for it (the Console switches it). *Decision*: a
 * POST to the same path with a JSON body (or form fields `Enabled`,
 * `TransferNotesEnabled`, `AiSummaryEnabled`) sets the given fields, bumps
 * `version` and answers the settings object. Neither operation is in the
 * OpenAPI specs (listed under notInSpec).
 */
import { createHash } from 'node:crypto';
import { toTwilioIso } from '../../core/clock';
import { invalidParam, notFound } from '../../core/errors';
import type { EmulatorRequest, RouteDef, ServiceEnv } from '../../core/types';
import { flexInstanceSid } from './configuration';
import { flexState, type TransferSettingsRec } from './state';

/** A Flex account starts with native transfers off (they are switched on in the Console). */
export function seedTransferSettings(env: ServiceEnv, accountSid: string, enabled = false): void {
  const st = flexState(env, accountSid);
  if (st.transferSettings) return;
  const now = env.clock.now();
  st.transferSettings = {
    sid: 'FT' + createHash('sha256').update(`${accountSid}:transfer-settings`).digest('hex').slice(0, 32),
    enabled,
    transferNotesEnabled: false,
    aiSummaryEnabled: false,
    version: 1,
    dateCreated: now,
    dateUpdated: now,
  };
}

function requireSettings(env: ServiceEnv, req: EmulatorRequest): TransferSettingsRec {
  const st = flexState(env, req.accountSid);
  const path = `/v3/Instances/${req.pathParams.InstanceSid}/TransferSettings`;
  // Only a Flex account has an instance, and only its own.
  if (!st.configuration || !st.transferSettings || req.pathParams.InstanceSid !== flexInstanceSid(req.accountSid)) throw notFound(path);
  return st.transferSettings;
}

function serialize(accountSid: string, s: TransferSettingsRec): Record<string, unknown> {
  return {
    sid: s.sid,
    account_sid: accountSid,
    instance_sid: flexInstanceSid(accountSid),
    enabled: s.enabled,
    transfer_notes_enabled: s.transferNotesEnabled,
    ai_summary_enabled: s.aiSummaryEnabled,
    version: s.version,
    date_created: toTwilioIso(s.dateCreated),
    date_updated: toTwilioIso(s.dateUpdated),
  };
}

/** The fields a write may set: JSON (snake_case) or form (PascalCase). */
function readPatch(req: EmulatorRequest): Partial<Record<'enabled' | 'transferNotesEnabled' | 'aiSummaryEnabled', boolean>> {
  const json = req.json && typeof req.json === 'object' && !Array.isArray(req.json) ? (req.json as Record<string, unknown>) : undefined;
  const fields = [
    ['enabled', 'enabled', 'Enabled'],
    ['transferNotesEnabled', 'transfer_notes_enabled', 'TransferNotesEnabled'],
    ['aiSummaryEnabled', 'ai_summary_enabled', 'AiSummaryEnabled'],
  ] as const;
  const patch: Partial<Record<'enabled' | 'transferNotesEnabled' | 'aiSummaryEnabled', boolean>> = {};
  for (const [key, jsonName, formName] of fields) {
    const raw = json ? json[jsonName] : req.body[formName];
    if (raw === undefined) continue;
    const value = raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : undefined;
    if (value === undefined) throw invalidParam(json ? jsonName : formName, `must be true or false (got ${JSON.stringify(raw)})`);
    patch[key] = value;
  }
  return patch;
}

export const transferSettingsRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v3/Instances/{InstanceSid}/TransferSettings',
    operationId: 'ListTransferSettings',
    handler: (req, env) => ({ status: 200, body: { transfer_settings: [serialize(req.accountSid, requireSettings(env, req))] } }),
  },
  {
    method: 'POST',
    path: '/v3/Instances/{InstanceSid}/TransferSettings',
    operationId: 'UpdateTransferSettings',
    handler: (req, env) => {
      const settings = requireSettings(env, req);
      const patch = readPatch(req);
      Object.assign(settings, patch);
      if (Object.keys(patch).length > 0) {
        settings.version += 1;
        settings.dateUpdated = env.clock.now();
      }
      return { status: 200, body: serialize(req.accountSid, settings) };
    },
  },
];
