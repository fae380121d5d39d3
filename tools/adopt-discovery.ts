// Discovery for `npm run adopt`: reads a Twilio (or emulated) account and
// finds the objects a stack would otherwise create: by the names in its config
// and by flex-project-template's known names. Returns the stack config that
// adopts them and a report of what was found. Reads only; writes nothing.
import type { TwilioSession } from '../infra/providers/runtime/twilio';
import { readTransferSettings } from '../infra/providers/flex/native-transfers';
import { sidPattern, TRANSFER_FLAGS, WORKFLOW_NAMES } from '../functions/lib/contract.private';

/** Stack config values, JSON-decoded, keyed without the `flex-transfer:` namespace. */
export type RawConfig = Record<string, unknown>;

export interface Finding {
  /** e.g. `flex-transfer:queues[3]` */
  key: string;
  /** What was found and what the config now says. */
  text: string;
}

export interface Discovery {
  config: RawConfig;
  found: Finding[];
  /** Things a person must decide (nothing was written for them). */
  warnings: string[];
}

/** flex-project-template's names (its Terraform, serverless-functions and setup scripts). */
export const TEMPLATE_NAMES = {
  workspace: /^Flex Task Assignment/,
  /** The template's setup script resolves the workflow by this regex (scripts/config/mappings.json). */
  chatTransferWorkflow: /Chat Transfer/,
  service: 'custom-flex-extensions-serverless',
} as const;

const NS = 'flex-transfer';
const isSid = (prefix: string, v: unknown) => typeof v === 'string' && sidPattern(prefix).test(v) && !/^..0{32}$/.test(v);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {});
const hasAdopt = (v: Record<string, unknown>) => v.adopt !== undefined && v.adopt !== false;

/**
 * @param managed SIDs this stack's state already holds (its own objects are never adopted again).
 */
export async function discover(twilio: TwilioSession, raw: RawConfig, stack: string, managed: Set<string>): Promise<Discovery> {
  const config: RawConfig = structuredClone(raw);
  const found: Finding[] = [];
  const warnings: string[] = [];
  const tr = twilio.client.taskrouter.v1;
  const read = <T>(what: string, fn: () => Promise<T>) => twilio.call('adopt', `read ${what}`, fn);

  // The workspace: the one in config, else Flex's.
  const workspace = obj(config.workspace);
  let workspaceSid = isSid('WS', workspace.adoptSid) ? (workspace.adoptSid as string) : undefined;
  if (!workspaceSid && workspace.friendlyName === undefined) {
    const flex = (await read('workspaces', () => tr.workspaces.list())).filter((w) => TEMPLATE_NAMES.workspace.test(w.friendlyName));
    if (flex.length === 1) {
      workspaceSid = flex[0].sid;
      config.workspace = { adoptSid: workspaceSid };
      found.push({ key: `${NS}:workspace`, text: `workspace "${flex[0].friendlyName}" (${workspaceSid}): adopted` });
    } else {
      warnings.push(
        `${NS}:workspace: ${flex.length === 0 ? "no workspace named 'Flex Task Assignment…'" : `${flex.length} Flex workspaces (${flex.map((w) => w.sid).join(', ')})`}; set ${NS}:workspace.adoptSid`,
      );
    }
  }
  if (!workspaceSid) return { config, found, warnings };
  const ws = tr.workspaces(workspaceSid);
  const queues = await read('task queues', () => ws.taskQueues.list());
  const workflows = await read('workflows', () => ws.workflows.list());
  const queueName = new Map(queues.map((q) => [q.sid, q.friendlyName]));
  const adoptable = <T extends { sid: string }>(list: T[]) => list.filter((x) => !managed.has(x.sid));

  // The all-agents queue: Flex's Everyone.
  const everyone = obj(config.everyoneQueue);
  const everyoneName = typeof everyone.name === 'string' ? everyone.name : 'Everyone';
  let everyoneSid: string | undefined;
  if (!hasAdopt(everyone) && everyone.adopt !== false) {
    const match = adoptable(queues).find((q) => q.friendlyName === everyoneName);
    if (match) {
      everyoneSid = match.sid;
      config.everyoneQueue = { ...everyone, name: everyoneName, adopt: { sid: match.sid } };
      found.push({ key: `${NS}:everyoneQueue`, text: `queue "${everyoneName}" (${match.sid}, target_workers ${match.targetWorkers}): adopted as the all-agents queue` });
      if (match.targetWorkers.replace(/\s+/g, '') !== '1==1') {
        warnings.push(
          `queue "${everyoneName}" has target_workers '${match.targetWorkers}': transfers to a named agent outside it fail (TaskRouter error 40152); set ${NS}:everyoneQueue to another queue or widen it`,
        );
      }
    }
  } else if (isSid('WQ', obj(everyone.adopt).sid)) everyoneSid = obj(everyone.adopt).sid as string;

  // The declared transfer queues, by name.
  const declared = Array.isArray(config.queues) ? (config.queues as unknown[]).map(obj) : [];
  declared.forEach((q, i) => {
    if (hasAdopt(q) || typeof q.name !== 'string') return;
    const match = adoptable(queues).find((x) => x.friendlyName === q.name);
    if (!match) return;
    q.adopt = { sid: match.sid };
    found.push({ key: `${NS}:queues[${i}]`, text: `queue "${q.name}" (${match.sid}): adopted; only the fields set in config are the stack's` });
  });

  // The Chat Transfer workflow: ours by name, else the template's (matched as its setup script does).
  const chat = obj(config.chatTransferWorkflow);
  if (!hasAdopt(chat)) {
    const wanted = typeof chat.friendlyName === 'string' ? chat.friendlyName : WORKFLOW_NAMES.chatTransfer;
    const exact = adoptable(workflows).filter((w) => w.friendlyName === wanted);
    const like = adoptable(workflows).filter((w) => TEMPLATE_NAMES.chatTransferWorkflow.test(w.friendlyName));
    const pick = exact.length === 1 ? exact[0] : like.length === 1 ? like[0] : undefined;
    if (pick) {
      config.chatTransferWorkflow = { ...chat, adopt: { sid: pick.sid } };
      found.push({
        key: `${NS}:chatTransferWorkflow`,
        text: `workflow "${pick.friendlyName}" (${pick.sid}): adopted; its configuration becomes this stack's Chat Transfer routing (restored on destroy)`,
      });
      // Keep every queue it routes to routable: declare each as an adopted queue.
      for (const sid of queuesOf(pick.configuration)) {
        const name = queueName.get(sid);
        if (!name || sid === everyoneSid || managed.has(sid)) continue;
        if (declared.some((q) => obj(q.adopt).sid === sid || q.name === name)) continue;
        declared.push({ name, adopt: { sid } });
        found.push({ key: `${NS}:queues[${declared.length - 1}]`, text: `queue "${name}" (${sid}): the workflow routes to it today; adopted and kept routable` });
      }
    } else if (like.length > 1) {
      warnings.push(
        `${like.length} workflows look like a Chat Transfer workflow (${like.map((w) => `"${w.friendlyName}" ${w.sid}`).join(', ')}); set ${NS}:chatTransferWorkflow.adopt.sid to the one the plugin uses`,
      );
    }
  }
  if (declared.length > 0) config.queues = declared;

  // The Voice Transfer workflow, by name.
  const voice = obj(config.voiceTransferWorkflow);
  if (!hasAdopt(voice) && obj(config.features)[TRANSFER_FLAGS.voiceTransfer.setting] !== false) {
    const wanted = typeof voice.friendlyName === 'string' ? voice.friendlyName : WORKFLOW_NAMES.voiceTransfer;
    const match = adoptable(workflows).filter((w) => w.friendlyName === wanted);
    if (match.length === 1) {
      config.voiceTransferWorkflow = { ...voice, adopt: { sid: match[0].sid } };
      found.push({ key: `${NS}:voiceTransferWorkflow`, text: `workflow "${wanted}" (${match[0].sid}): adopted` });
    }
  }

  await discoverService(twilio, config, stack, managed, found, warnings);

  // Native messaging transfers: reported; what to do is a person's decision.
  const features = obj(config.features);
  if (features[TRANSFER_FLAGS.enabled.setting] !== false && config.nativeTransfers !== 'ignore') {
    try {
      const instance = (await read('the Flex configuration', () => twilio.client.flexApi.v1.configuration().fetch())).flexInstanceSid;
      const native = instance ? await readTransferSettings(twilio, instance) : undefined;
      if (native?.enabled === true && config.nativeTransfers !== 'turnOff') {
        warnings.push(
          `Flex's native messaging transfers are on and this stack's chat transfer is enabled: the preview will fail until one is off (switch them off in the Console, set ${NS}:features.enabled to false, or set ${NS}:nativeTransfers to turnOff)`,
        );
      }
    } catch (err) {
      warnings.push(`could not read Flex's native messaging transfer setting: ${(err as Error).message}`);
    }
  }
  return { config, found, warnings };
}

/** The service: the stack's by name, else the template's; and an environment that does not collide with its others. */
async function discoverService(twilio: TwilioSession, config: RawConfig, stack: string, managed: Set<string>, found: Finding[], warnings: string[]) {
  const serverless = obj(config.serverless);
  const services = (await twilio.call('adopt', 'read services', () => twilio.client.serverless.v1.services.list())).filter((s) => !managed.has(s.sid));
  let service = isSid('ZS', obj(serverless.adopt).sid) ? services.find((s) => s.sid === obj(serverless.adopt).sid) : undefined;
  if (!hasAdopt(serverless)) {
    const ownName = typeof serverless.serviceName === 'string' ? serverless.serviceName : 'flex-transfer';
    service = services.find((s) => s.uniqueName === ownName) ?? services.find((s) => s.uniqueName === TEMPLATE_NAMES.service);
    if (!service) return;
    serverless.adopt = { sid: service.sid };
    found.push({ key: `${NS}:serverless`, text: `service "${service.uniqueName}" (${service.sid}): adopted; this stack deploys into its own environment there` });
  }
  if (!service) return;
  // The stack's environment must not take another environment's name or domain.
  const environments = await twilio.call('adopt', 'read environments', () => twilio.client.serverless.v1.services(service.sid).environments.list());
  const foreign = environments.filter((e) => !managed.has(e.sid));
  let name = typeof serverless.environment === 'string' ? serverless.environment : stack;
  let suffix =
    typeof serverless.domainSuffix === 'string'
      ? serverless.domainSuffix
      : stack
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, '-')
          .slice(0, 16);
  if (foreign.some((e) => e.uniqueName === name)) {
    name = `${name}-transfers`.slice(0, 100);
    serverless.environment = name;
  }
  for (let n = 1; foreign.some((e) => e.domainSuffix === suffix); n++) {
    const taken = suffix;
    suffix =
      `xfer-${stack}`
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .slice(0, n > 1 ? 14 : 16) + (n > 1 ? `-${n}` : '');
    serverless.domainSuffix = suffix;
    if (n === 1) found.push({ key: `${NS}:serverless.domainSuffix`, text: `the service already has an environment on suffix '${taken}': this stack's gets '${suffix}'` });
    if (n > 20) {
      warnings.push(`${NS}:serverless.domainSuffix: no free suffix found; set one`);
      break;
    }
  }
  config.serverless = serverless;
}

/** Queue SIDs a workflow configuration routes to (targets and the default filter). */
export function queuesOf(configuration: string): string[] {
  try {
    const c = JSON.parse(configuration) as { task_routing?: { filters?: Array<{ targets?: Array<{ queue?: string }> }>; default_filter?: { queue?: string } } };
    const sids = (c.task_routing?.filters ?? []).flatMap((f) => (f.targets ?? []).map((t) => t.queue));
    if (c.task_routing?.default_filter?.queue) sids.push(c.task_routing.default_filter.queue);
    return [...new Set(sids.filter((s): s is string => typeof s === 'string' && s.startsWith('WQ')))];
  } catch {
    return [];
  }
}
