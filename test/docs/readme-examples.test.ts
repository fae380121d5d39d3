// The README's copy-paste routing examples, run as written: the commands are
// taken from README.md itself (the first sh block of "Try the routing before
// deploying"), each run by bash exactly as a reader would paste it, with no
// network at all where the machine allows it (so no emulator and no Twilio can
// be involved), and each `# ⇒ …` line after a command must appear in its output.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SECTION = '## Try the routing before deploying';

interface Example {
  command: string;
  expected: string[];
}

/** Commands of the section's first ```sh block, each with the `# ⇒` lines that follow it. */
function readmeExamples(markdown: string): Example[] {
  const start = markdown.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`README.md has no section "${SECTION}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(markdown.slice(start));
  if (!block) throw new Error(`README.md's "${SECTION}" has no sh block`);
  const examples: Example[] = [];
  for (const line of block[1].split('\n')) {
    const expected = /^# ⇒ (.+)$/.exec(line);
    if (expected) {
      if (examples.length === 0) throw new Error(`an expected-output line comes before any command: ${line}`);
      examples[examples.length - 1].expected.push(expected[1]);
    } else if (line.trim() !== '' && !line.startsWith('#')) {
      examples.push({ command: line, expected: [] });
    }
  }
  return examples;
}

// A network namespace with nothing in it (not even loopback up): nothing can be reached.
const offline = spawnSync('unshare', ['-n', 'true']).status === 0;

function runAsPasted(command: string): { status: number | null; output: string } {
  const argv = offline ? ['unshare', '-n', 'bash', '-c', command] : ['bash', '-c', command];
  const result = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const examples = readmeExamples(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

test('the README shows the workflow tools on a stack: lint, diagram and simulate, each with its expected output', () => {
  expect(examples.map((e) => e.command.split(' ').slice(0, 5).join(' '))).toEqual([
    'npm run workflow -- lint',
    'npm run workflow -- diagram',
    'npm run workflow -- simulate',
    'npm run workflow -- simulate',
  ]);
  for (const example of examples) {
    expect(example.command).toContain('--stack local');
    expect(example.expected.length).toBeGreaterThan(0);
  }
});

test.each(examples.map((e) => [e.command.slice(0, 60), e] as const))('README example runs as pasted: %s…', (_title, example) => {
  if (!offline) console.warn("unshare -n is not available here: the README examples run with the machine's network");
  const { status, output } = runAsPasted(example.command);
  if (status !== 0) throw new Error(`exit ${status}:\n${output}`);
  for (const line of example.expected) expect(output).toContain(line);
});
