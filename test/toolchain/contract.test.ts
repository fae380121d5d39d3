// The contract module (functions/lib/contract.private.ts) is the one place
// for names the layers share: these checks keep it self-contained (it is
// deployed as a function module), keep the docs' flag table true to it, and
// catch a shared name spelled out again somewhere else.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_ALLOWED_ORIGINS,
  flexUiFlags,
  FUNCTION_ENV,
  NOT_IN_CONVERSATION,
  TRANSFER_FLAG_NAMES,
  TRANSFER_FLAGS,
  WORKFLOW_NAMES,
  defaultTransferFlags,
} from '../../functions/lib/contract.private';
import { transferEnvironment } from '../../infra/components/transfer-functions';
import { parseStackSettings } from '../../infra/config';

const ROOT = path.join(__dirname, '..', '..');
const CONTRACT = 'functions/lib/contract.private.ts';

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourcesUnder(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

test("the contract imports nothing, so it loads the same in Node and in Twilio's Functions runtime", () => {
  const text = fs.readFileSync(path.join(ROOT, CONTRACT), 'utf8');
  expect(text.match(/^\s*import\s/m)).toBeNull();
  expect(text.match(/\brequire\(/)).toBeNull();
});

test("docs/infra.md lists exactly the contract's flags, with their setting, variable, Flex UI flag and 409 code", () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/infra.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### Transfer flags'), doc.indexOf('## Provider behaviour'));
  const rows = section
    .split('\n')
    .filter((l) => /^\| `/.test(l))
    .map((l) => l.split('|').map((c) => c.trim()));
  const documented = rows.map((cells) => ({ setting: cells[1].replace(/`/g, ''), env: cells[2].replace(/`/g, ''), flexUi: cells[3] === 'yes', off: cells[4] }));
  expect(documented.map(({ setting, env, flexUi }) => ({ setting, env, flexUi }))).toEqual(
    TRANSFER_FLAG_NAMES.map((f) => ({ setting: TRANSFER_FLAGS[f].setting, env: TRANSFER_FLAGS[f].env, flexUi: TRANSFER_FLAGS[f].flexUi })),
  );
  documented.forEach((row, i) => expect(row.off).toContain(`\`${TRANSFER_FLAGS[TRANSFER_FLAG_NAMES[i]].offError}\``));
});

test("each flag goes from its stack setting to its variable and (for the plugin's) to the Flex UI flags", () => {
  for (const flag of TRANSFER_FLAG_NAMES) {
    const { setting, env, flexUi } = TRANSFER_FLAGS[flag];
    const settings = parseStackSettings({ workspace: { friendlyName: 'W' }, features: { [setting]: false } }, 'dev');
    expect(settings.features).toEqual({ ...defaultTransferFlags(), [flag]: false });
    const vars = transferEnvironment({ workspace: 'WS1', chat: 'WW1', voice: 'WW2', features: settings.features });
    expect(vars[env]).toBe('false');
    expect(TRANSFER_FLAG_NAMES.filter((f) => f !== flag).map((f) => vars[TRANSFER_FLAGS[f].env])).toEqual(TRANSFER_FLAG_NAMES.filter((f) => f !== flag).map(() => 'true'));
    expect(flexUiFlags(settings.features)[setting]).toBe(flexUi ? false : undefined);
  }
});

test('an unknown flag and the old top-level voiceTransfer are refused, naming the key', () => {
  expect(() => parseStackSettings({ workspace: { friendlyName: 'W' }, features: { warm_chat: true } }, 'dev')).toThrow(
    /flex-transfer:features\.warm_chat is not a feature flag \(known: enabled, cold_transfer, multi_participant, voice_transfer\)/,
  );
  expect(() => parseStackSettings({ workspace: { friendlyName: 'W' }, voiceTransfer: false }, 'dev')).toThrow(/flex-transfer:voiceTransfer is now flex-transfer:features\.voice_transfer/);
});

test('no shared name is spelled out again outside the contract', () => {
  const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Names that are code: a second spelling anywhere in a string literal.
  const inLiterals = [...Object.values(FUNCTION_ENV), ...TRANSFER_FLAG_NAMES.map((f) => TRANSFER_FLAGS[f].env), NOT_IN_CONVERSATION, 'pulumi-nodejs:dynamic/twilio:'];
  // Names that are also words of prose ("the Chat Transfer workflow"): only a literal that is exactly the name.
  const asWholeLiterals = [...Object.values(WORKFLOW_NAMES), ...DEFAULT_ALLOWED_ORIGINS];
  const patterns = [
    ...inLiterals.map((name) => ({ name, re: new RegExp(`['"\`][^'"\`\\n]*${escape(name)}`) })),
    ...asWholeLiterals.map((name) => ({ name, re: new RegExp(`(['"\`])${escape(name)}\\1`) })),
  ];
  // The emulator's services model Twilio (whose own defaults may coincide); its seeds are ours.
  const files = ['infra', 'functions', 'workflows', 'policy', 'tools', 'routing', 'support', 'bench', 'clients', 'emulator/seeds'].flatMap(sourcesUnder);
  const found: string[] = [];
  for (const file of files) {
    if (file === CONTRACT) continue;
    const code = fs
      .readFileSync(path.join(ROOT, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const { name, re } of patterns) if (re.test(code)) found.push(`${file}: ${name}`);
  }
  expect(found).toEqual([]);
});
