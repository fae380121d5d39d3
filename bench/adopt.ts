// Benchmark of taking over a flex-project-template account (emulator seeded
// as the template's deploy leaves it): `npm run adopt`, the first preview, the
// first up, a no-op preview and destroy, in Twilio API calls (writes apart) and
// wall time; and the first up with the same adoption written by hand but not
// recorded (each adopted object then adopted by its create), as a ratio.
//   node dist/bench/adopt.js
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { startEmulator } from '../emulator';
import { REPO_ROOT } from '../tools/pulumi-cli';
import { expectSuccess, runNode, scratchProject } from '../tools/scratch-project';
import { measure, type Measure } from './stack';

const CONFIG = `config:\n  flex-transfer:queues:\n    - name: Sales\n      targetWorkers: routing.skills HAS 'sales'\n  flex-transfer:serverless:\n    serviceName: flex-transfer-bench\n`;

async function session(): Promise<{ results: Measure[]; config: string }> {
  const emulator = await startEmulator({ port: 0, seed: 'flex-project-template', buildDurationMs: 100 });
  const env = { TWILIO_API_BASE_URL: emulator.baseUrl, TWILIO_ACCOUNT_SID: emulator.credentials.accountSid, TWILIO_AUTH_TOKEN: emulator.credentials.authToken };
  const project = scratchProject({ pulumiYamlDir: REPO_ROOT, stack: 'bench', env });
  const file = path.join(project.dir, 'Pulumi.bench.yaml');
  const results: Measure[] = [];
  try {
    fs.writeFileSync(file, CONFIG);
    const adoptArgs = [path.join(REPO_ROOT, 'dist/tools/adopt.js'), '--stack', 'bench', '--project', project.dir];
    results.push(await measure(emulator, 'npm run adopt', async () => expectSuccess(await runNode(adoptArgs, project.env))));
    results.push(await measure(emulator, 'first preview', async () => expectSuccess(await project.run('preview'))));
    results.push(await measure(emulator, 'first up', async () => expectSuccess(await project.run('up'))));
    results.push(await measure(emulator, 'no-op preview', async () => expectSuccess(await project.run('preview', '--expect-no-changes'))));
    results.push(await measure(emulator, 'destroy', async () => expectSuccess(await project.run('destroy'))));
    return { results, config: fs.readFileSync(file, 'utf8') };
  } finally {
    project.cleanup();
    await emulator.stop();
  }
}

/** The first up of a hand-written adoption that was never recorded: the adoptions happen in creates. */
async function unrecorded(config: string): Promise<Measure> {
  const emulator = await startEmulator({ port: 0, seed: 'flex-project-template', buildDurationMs: 100 });
  const env = { TWILIO_API_BASE_URL: emulator.baseUrl, TWILIO_ACCOUNT_SID: emulator.credentials.accountSid, TWILIO_AUTH_TOKEN: emulator.credentials.authToken };
  const project = scratchProject({ pulumiYamlDir: REPO_ROOT, stack: 'bench', env });
  try {
    // Same seed, same TaskRouter SIDs; the service's SID is new in this emulator, so adopt it by name.
    const doc = parseDocument(config);
    doc.delete('encryptionsalt');
    doc.setIn(['config', 'flex-transfer:serverless', 'adopt'], { name: 'custom-flex-extensions-serverless' });
    fs.writeFileSync(path.join(project.dir, 'Pulumi.bench.yaml'), doc.toString());
    return await measure(emulator, 'first up, adoption not recorded', async () => expectSuccess(await project.run('up')));
  } finally {
    project.cleanup();
    await emulator.stop();
  }
}

export async function run(): Promise<Measure[]> {
  const { results, config } = await session();
  results.push(await unrecorded(config));
  return results;
}

export function report(results: Measure[]): string {
  const by = (name: string) => results.find((r) => r.name === name) as Measure;
  const lines = [
    '| operation | Twilio API calls | of which writes | wall time |',
    '| --- | ---: | ---: | ---: |',
    ...results.map((r) => `| ${r.name} | ${r.calls} | ${r.mutating} | ${(r.ms / 1000).toFixed(2)} s |`),
    '',
  ];
  const recorded = by('npm run adopt').calls + by('first up').calls;
  const direct = by('first up, adoption not recorded');
  lines.push(`adopt + first up vs a first up adopting by create: calls ${recorded}/${direct.calls} = ${(recorded / direct.calls).toFixed(2)}, writes ${by('first up').mutating}/${direct.mutating}`);
  return lines.join('\n');
}

if (require.main === module) {
  run().then(
    (r) => console.log(report(r)),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
