/**
 * The Flex Configuration: seeded with the Flex account (its TaskRouter
 * workspace, workflow and queue, the chat service), and updated field by
 * field, `ui_attributes` merged key by key.
 */
import { badRequest, invalidParam, missingParam, notFound } from '../../core/errors';
import { seededSid } from '../../core/sids';
import type { ServiceEnv } from '../../core/types';
import { conversations, taskrouter } from './peers';
import { flexState } from './state';

/** `ui_attributes` the seed starts with (a merge test proves none is clobbered). */
export const SEED_UI_ATTRIBUTES = {
  logLevel: 'info',
  colorTheme: { baseName: 'GreyDark' },
  theme: { isLight: true },
  componentProps: { CRMContainer: { uriCallback: null } },
  custom_data: { language: 'en-US', features: {} },
};

export function flexInstanceSid(accountSid: string): string {
  return seededSid('GO', accountSid, 'flex-instance', 'Flex');
}

export function seedConfiguration(env: ServiceEnv, accountSid: string): void {
  const st = flexState(env, accountSid);
  if (st.configuration) return;
  const tr = taskrouter(env).flexSeedSids(accountSid);
  const now = env.clock.isoNow();
  const chatService = conversations(env)?.defaultChatServiceSid(accountSid) ?? seededSid('IS', accountSid, 'chat-service', 'Default Conversations Service');
  st.configuration = {
    account_sid: accountSid,
    date_created: now,
    date_updated: now,
    attributes: {},
    status: 'ok',
    taskrouter_workspace_sid: tr.workspace,
    taskrouter_target_workflow_sid: tr.assignToAnyoneWorkflow,
    taskrouter_target_taskqueue_sid: tr.everyoneQueue,
    taskrouter_taskqueues: [{ sid: tr.everyoneQueue, targettable: true }],
    taskrouter_skills: [
      { name: 'sales', multivalue: false, minimum: null, maximum: null },
      { name: 'support', multivalue: false, minimum: null, maximum: null },
      { name: 'billing', multivalue: false, minimum: null, maximum: null },
    ],
    taskrouter_worker_channels: {
      agent: [
        { name: 'voice', availability: true, capacity: 1 },
        { name: 'chat', availability: true, capacity: 3 },
      ],
    },
    taskrouter_worker_attributes: {},
    taskrouter_offline_activity_sid: tr.activities.Offline,
    runtime_domain: `flex-emulator-${accountSid.slice(-4).toLowerCase()}.twil.io`,
    messaging_service_instance_sid: null,
    chat_service_instance_sid: chatService,
    flex_service_instance_sid: chatService,
    flex_instance_sid: flexInstanceSid(accountSid),
    ui_language: 'en',
    ui_attributes: JSON.parse(JSON.stringify(SEED_UI_ATTRIBUTES)),
    ui_dependencies: {},
    ui_version: '2.13.0',
    service_version: '2.0',
    call_recording_enabled: false,
    call_recording_webhook_url: null,
    crm_enabled: false,
    crm_type: null,
    crm_callback_url: null,
    crm_fallback_url: null,
    crm_attributes: {},
    public_attributes: {},
    plugin_service_enabled: true,
    plugin_service_attributes: {},
    integrations: [],
    outbound_call_flows: {},
    serverless_service_sids: [],
    queue_stats_configuration: {},
    notifications: { enabled: true, mode: 'whenNotInFocus' },
    markdown: { enabled: false, mode: 'readOnly' },
    url: 'https://flex-api.twilio.com/v1/Configuration',
    flex_insights_hr: {},
    flex_insights_drilldown: false,
    flex_url: 'https://flex.twilio.com',
    channel_configs: [],
    debugger_integration: { enabled: false, console_errors_included: false },
    flex_ui_status_report: { enabled: false },
    agent_conv_end_methods: { enabled: ['Leave'] },
    citrix_voice_vdi: { enabled: false },
    offline_config: { presence: true, presence_ttl: 30 },
  };
}

export function getConfiguration(env: ServiceEnv, accountSid: string): Record<string, unknown> {
  const c = flexState(env, accountSid).configuration;
  if (!c) throw notFound('/v1/Configuration');
  return c;
}

/** Fields a client may not set (Twilio-managed). */
const READ_ONLY = new Set(['account_sid', 'date_created', 'date_updated', 'url', 'status', 'flex_instance_sid']);

/**
 * POST /Configuration (JSON): each top-level key sent replaces that field,
 * except `ui_attributes`, whose top-level keys are merged into the stored
 * object (a key sent replaces that key's whole value; keys not sent are
 * kept). `account_sid` is required and must be the caller's account.
 */
export function updateConfiguration(env: ServiceEnv, accountSid: string, body: unknown): Record<string, unknown> {
  const c = getConfiguration(env, accountSid);
  const knownKeys = new Set(Object.keys(c));
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The Configuration update must be a JSON object');
  const patch = body as Record<string, unknown>;
  if (patch.account_sid === undefined) throw missingParam('account_sid');
  if (patch.account_sid !== accountSid) throw invalidParam('account_sid', `must be the authenticated account ${accountSid} (got "${String(patch.account_sid)}")`);
  for (const [key, value] of Object.entries(patch)) {
    if (READ_ONLY.has(key)) continue;
    if (!knownKeys.has(key)) throw invalidParam(key, 'is not a Flex Configuration field');
    if (key === 'ui_attributes') {
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidParam('ui_attributes', 'must be a JSON object');
      const current = (c.ui_attributes && typeof c.ui_attributes === 'object' ? c.ui_attributes : {}) as Record<string, unknown>;
      c.ui_attributes = { ...current, ...(value as Record<string, unknown>) };
    } else if (key === 'serverless_service_sids') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !/^ZS[0-9a-fA-F]{32}$/.test(v))) {
        throw invalidParam('serverless_service_sids', 'must be an array of Serverless Service SIDs (ZS…)');
      }
      c[key] = value;
    } else if (key.endsWith('_sid') && value !== null && typeof value !== 'string') {
      throw invalidParam(key, 'must be a SID string or null');
    } else {
      c[key] = value;
    }
  }
  c.date_updated = env.clock.isoNow();
  return c;
}
