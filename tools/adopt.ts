// `npm run adopt -- --stack <name>`: take over an existing Flex account.
//
//   1. Discovery (tools/adopt-discovery.ts) reads the account and finds the
//      objects the stack would otherwise create: by the names in the stack's
//      config and flex-project-template's known names.
//   2. It writes the config that adopts them into Pulumi.<stack>.yaml, editing
//      only what changes (comments and the rest of the file are kept).
//   3. It records the adopted objects in the stack's state: one targeted
//      `pulumi up` of only those resources, each declared with the values the
//      object has now, so nothing in Twilio changes (infra/adoption-plan.ts
//      says why). The next `pulumi preview` shows no create for them, only the
//      fields the stack will change.
//
// Options: --stack NAME (default local), --project DIR, --dry-run (print,
// write nothing). The stack needs its Pulumi.<stack>.yaml in the project (a
// mistyped name stops before anything is created); the stack itself is created
// in the backend when it does not exist yet. The targeted `up` is the plain CLI
// on the project directory (Automation API LocalWorkspace), like every run.
// Credentials: the environment (TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN or
// TWILIO_API_KEY/TWILIO_API_SECRET), else the stack's config.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { NAMES, plannedAdoptions, supportingUrns, urnOf, type AdoptionRecord, type PlannedAdoption } from '../infra/adoption-plan';
import { ConfigError, parseStackSettings, type StackSettings } from '../infra/config';
import { readTransferSettings } from '../infra/providers/flex/native-transfers';
import { serviceAdoption } from '../infra/providers/serverless/service';
import { queueAdoption } from '../infra/providers/taskrouter/task-queue';
import { workflowAdoption } from '../infra/providers/taskrouter/workflow';
import { sameValue } from '../infra/providers/runtime/define';
import { openSession, type TwilioSession } from '../infra/providers/runtime/twilio';
import { discover, type RawConfig } from './adopt-discovery';
import { REPO_ROOT, selectStack } from './pulumi-cli';
import { flexUiFlags } from '../functions/lib/contract.private';
import { readArgs } from './cli-args';

const NS = 'flex-transfer';

interface Options {
  stack: string;
  projectDir: string;
  dryRun: boolean;
}

export function parseArgs(argv: string[]): Options {
  let values: { stack?: string; project?: string; 'dry-run'?: boolean };
  try {
    ({ values } = readArgs(argv, { stack: { type: 'string', short: 's' }, project: { type: 'string' }, 'dry-run': { type: 'boolean' } }));
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(message.startsWith('unknown argument') ? `${message}. Usage: adopt --stack NAME [--dry-run] [--project DIR]` : message, { cause: err });
  }
  return { stack: values.stack ?? 'local', projectDir: values.project ? path.resolve(values.project) : REPO_ROOT, dryRun: values['dry-run'] ?? false };
}

// ---- Pulumi.<stack>.yaml ------------------------------------------------------

/** The file's `flex-transfer:*` values, JSON-decoded (Pulumi stores objects either as YAML or as JSON text). */
export function readRawConfig(doc: Document): RawConfig {
  const config = (doc.toJS() as { config?: Record<string, unknown> } | null)?.config ?? {};
  const raw: RawConfig = {};
  for (const [k, v] of Object.entries(config)) {
    if (!k.startsWith(`${NS}:`)) continue;
    let value = v;
    if (typeof v === 'string') {
      try {
        value = JSON.parse(v);
      } catch {
        value = v;
      }
    }
    raw[k.slice(NS.length + 1)] = value;
  }
  return raw;
}

/** Writes `next` over `prev` at `keyPath`, touching only what differs, so comments and layout elsewhere stay. */
export function mergeInto(doc: Document, keyPath: Array<string | number>, prev: unknown, next: unknown): void {
  if (sameValue(prev, next)) return;
  const node = doc.getIn(keyPath, true);
  const plain = (v: unknown) => v && typeof v === 'object' && !Array.isArray(v);
  if (isMap(node) && plain(prev) && plain(next)) {
    const p = prev as Record<string, unknown>;
    const n = next as Record<string, unknown>;
    for (const k of Object.keys(n)) mergeInto(doc, [...keyPath, k], p[k], n[k]);
    for (const k of Object.keys(p)) if (!(k in n)) doc.deleteIn([...keyPath, k]);
    return;
  }
  if (isSeq(node) && Array.isArray(prev) && Array.isArray(next)) {
    next.forEach((item, i) => (i < prev.length ? mergeInto(doc, [...keyPath, i], prev[i], item) : doc.addIn(keyPath, item)));
    for (let i = prev.length - 1; i >= next.length; i--) doc.deleteIn([...keyPath, i]);
    return;
  }
  // A new key, a JSON-text value or another shape: write the whole value.
  doc.setIn(keyPath, next);
}

// ---- Recording ----------------------------------------------------------------

/** The adopted resources, each declared with the values its object has now. */
export async function adoptionRecords(
  twilio: TwilioSession,
  settings: StackSettings,
  recorded: (p: PlannedAdoption) => boolean = () => false,
): Promise<{ records: AdoptionRecord[]; changes: string[] }> {
  const records: AdoptionRecord[] = [];
  const changes: string[] = [];
  for (const p of plannedAdoptions(settings)) {
    if (recorded(p)) continue; // already in the stack's state
    const live = await liveValues(twilio, p, settings);
    if (live === undefined) continue; // nothing there yet to adopt: the first up creates it
    const inputs = { ...p.identity, ...Object.fromEntries(p.declared.map((k) => [k, live[k]])) };
    records.push({ kind: p.kind, component: p.component, name: p.name, inputs });
    changes.push(...describeChanges(p, live, settings));
  }
  return { records, changes };
}

async function liveValues(twilio: TwilioSession, p: PlannedAdoption, s: StackSettings): Promise<Record<string, unknown> | undefined> {
  const i = p.identity as never;
  switch (p.kind) {
    case 'Workspace': {
      const w = await twilio.client.taskrouter.v1.workspaces(p.identity.adoptSid as string).fetch();
      return { eventCallbackUrl: w.eventCallbackUrl ?? '' };
    }
    case 'TaskChannel':
      return {};
    case 'TaskQueue':
      return queueAdoption.raw(await queueAdoption.find(i, twilio)) as Record<string, unknown>;
    case 'Workflow':
      return workflowAdoption.raw(await workflowAdoption.find(i, twilio)) as Record<string, unknown>;
    case 'Service':
      return serviceAdoption.raw(await serviceAdoption.find(i, twilio)) as Record<string, unknown>;
    case 'FlexUiAttribute': {
      const config = await twilio.client.flexApi.v1.configuration().fetch();
      let node: unknown = config.uiAttributes;
      for (const k of (s.flexUiFlagsKey as string).split('.')) {
        if (!node || typeof node !== 'object' || !(k in (node as object))) return undefined;
        node = (node as Record<string, unknown>)[k];
      }
      return { value: node };
    }
    case 'FlexNativeTransfers': {
      if (!p.declared.includes('enabled')) return {};
      const instance = (await twilio.client.flexApi.v1.configuration().fetch()).flexInstanceSid as string;
      return { enabled: (await readTransferSettings(twilio, instance)).enabled === true };
    }
    default:
      return undefined;
  }
}

/** What the stack will change on an adopted object, where it can be told before the first up. */
function describeChanges(p: PlannedAdoption, live: Record<string, unknown>, s: StackSettings): string[] {
  const out: string[] = [];
  const say = (field: string, to: string) => out.push(`${p.describe}: ${field}: ${JSON.stringify(live[field] ?? '')} → ${to}`);
  for (const field of p.declared) {
    if (field === 'configuration') out.push(`${p.describe}: configuration → this stack's routing (destroy writes the current text back)`);
    else if (field === 'eventCallbackUrl') out.push(`${p.describe}: eventCallbackUrl → the functions' /chat/taskrouter-events URL`);
    else if (field === 'assignmentCallbackUrl') out.push(`${p.describe}: assignmentCallbackUrl → the functions' /voice/assignment URL`);
    else if (field === 'friendlyName' && p.kind === 'TaskQueue') {
      const name = p.name === NAMES.everyoneQueue ? s.everyoneQueue.name : s.queues.find((q) => NAMES.queue(q.name) === p.name)?.name;
      if (name !== undefined && name !== live.friendlyName) say(field, JSON.stringify(name));
    } else if (field === 'value' && !sameValue(live.value, flexUiFlags(s.features))) say(field, JSON.stringify(flexUiFlags(s.features)));
    else if (field === 'enabled' && live.enabled !== false) say(field, 'false');
    else if (field === 'includeCredentials' && live.includeCredentials !== true) say(field, 'true');
  }
  return out;
}

// ---- The command ---------------------------------------------------------------

async function credentialsFromStack(options: Options, stackConfig: Record<string, { value: string }>): Promise<void> {
  const get = (k: string) => stackConfig[`${NS}:${k}`]?.value;
  if (!process.env.TWILIO_API_BASE_URL && get('twilioApiBaseUrl')) process.env.TWILIO_API_BASE_URL = get('twilioApiBaseUrl');
  if (process.env.TWILIO_ACCOUNT_SID) return;
  for (const [env, key] of [
    ['TWILIO_ACCOUNT_SID', 'twilioAccountSid'],
    ['TWILIO_AUTH_TOKEN', 'twilioAuthToken'],
    ['TWILIO_API_KEY', 'twilioApiKey'],
    ['TWILIO_API_SECRET', 'twilioApiSecret'],
  ] as const) {
    const value = get(key);
    if (value) process.env[env] = value;
  }
  if (!process.env.TWILIO_ACCOUNT_SID)
    throw new Error(`no Twilio credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or an API key) or the stack config ${NS}:twilioAccountSid (stack ${options.stack})`);
}

export async function runAdopt(options: Options, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const file = path.join(options.projectDir, `Pulumi.${options.stack}.yaml`);
  if (!fs.existsSync(file)) {
    print(`There is no ${path.basename(file)} in ${options.projectDir}: nothing was read or created. Give the stack its file (at least \`config: {}\`), then run adopt again.`);
    return 2;
  }
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  const raw = readRawConfig(doc);

  const stack = await selectStack(options.projectDir, options.stack, {}, { create: true });
  await credentialsFromStack(options, await stack.getAllConfig());
  const twilio = openSession();
  const state = await stack.exportStack();
  const resources = (state.deployment as { resources?: Array<{ id?: string }> }).resources ?? [];
  const managed = new Set(resources.flatMap((r) => (r.id ? [r.id] : [])));

  const discovery = await discover(twilio, raw, options.stack, managed);
  print(`Adopting into stack '${options.stack}' (${file}):`);
  for (const f of discovery.found) print(`  found  ${f.key}: ${f.text}`);
  if (discovery.found.length === 0) print('  found  nothing new to adopt');
  for (const w of discovery.warnings) print(`  note   ${w}`);

  let settings: StackSettings;
  try {
    settings = parseStackSettings(discovery.config, options.stack);
  } catch (err) {
    if (err instanceof ConfigError) {
      print(err.message);
      return 1;
    }
    throw err;
  }
  const project = projectName(options.projectDir);
  const inState = new Set(resources.map((r) => (r as { urn?: string }).urn));
  const { records, changes } = await adoptionRecords(twilio, settings, (p) => inState.has(urnOf(options.stack, project, p)));
  print('What the first `up` will change on adopted objects (all put back by destroy):');
  for (const c of changes) print(`  change ${c}`);
  if (changes.length === 0) print(records.length === 0 && inState.size > 0 ? "  change nothing new: every adopted object is already in the stack's state" : '  change nothing');
  if (options.dryRun) {
    print('--dry-run: nothing written.');
    return 0;
  }

  const changedKeys = Object.keys(discovery.config).filter((key) => !sameValue(raw[key], discovery.config[key]));
  for (const key of changedKeys) mergeInto(doc, ['config', `${NS}:${key}`], raw[key], discovery.config[key]);
  if (changedKeys.length > 0) {
    fs.writeFileSync(file, doc.toString());
    print(`Wrote ${path.basename(file)} (${changedKeys.map((k) => `${NS}:${k}`).join(', ')}).`);
  }

  // Record the adopted objects (as they are) in the stack's state.
  const fresh = records;
  if (fresh.length === 0) {
    print('State already holds every adopted object.');
    return 0;
  }
  const planFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flex-adopt-')), 'plan.json');
  fs.writeFileSync(planFile, JSON.stringify(fresh));
  process.env.FLEX_TRANSFER_ADOPTION_PLAN = planFile;
  try {
    const target = [...supportingUrns(options.stack, project, fresh), ...fresh.map((r) => urnOf(options.stack, project, r))];
    await stack.up({ target, onOutput: (t) => process.stdout.write(t), color: 'never' });
  } finally {
    delete process.env.FLEX_TRANSFER_ADOPTION_PLAN;
    fs.rmSync(path.dirname(planFile), { recursive: true, force: true });
  }
  print(`Recorded ${fresh.length} adopted object(s) in the state of '${options.stack}'. Next: \`npm run stack -- preview --stack ${options.stack} --diff\`.`);
  return 0;
}

function projectName(dir: string): string {
  const name = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(dir, 'Pulumi.yaml'), 'utf8'))?.[1];
  if (!name) throw new Error(`${dir}/Pulumi.yaml has no name`);
  return name;
}

if (require.main === module) {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`adopt: ${(err as Error).message}\n`);
    process.exit(2);
  }
  runAdopt(options).then(
    (code) => process.stdout.write('', () => process.exit(code)),
    (err: Error) => {
      process.stderr.write(`\nadopt failed: ${err.message}\n`);
      process.stdout.write('', () => process.exit(1));
    },
  );
}
