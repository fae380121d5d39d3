// The scheduled drift check (.github/workflows/drift.yml): what it runs and
// with which credentials, and its issue step, run here as GitHub would run it
// (the step's own script, with a GitHub API that keeps issues in memory): one
// issue per stack, updated and reopened, never duplicated, closed once the
// drift is gone.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { issueMarker } from '../../tools/drift/report';

const ROOT = path.resolve(__dirname, '../..');
const yaml = require('js-yaml') as { load(text: string): unknown };

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'continue-on-error'?: boolean;
}

const workflow = yaml.load(fs.readFileSync(path.join(ROOT, '.github/workflows/drift.yml'), 'utf8')) as {
  on: Record<string, unknown>;
  jobs: { drift: { environment: string; permissions: Record<string, string>; strategy: { matrix: { stack: string[] } }; concurrency: { group: string }; steps: Step[] } };
};
const job = workflow.jobs.drift;
const step = (name: string) => {
  const found = job.steps.find((s) => s.name?.startsWith(name));
  if (!found) throw new Error(`drift.yml has no step "${name}…"`);
  return found;
};

describe('the drift workflow', () => {
  test('runs on a schedule and by hand, for dev and prod, each in its own read-only environment', () => {
    expect(workflow.on.schedule).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ \* \* [\d-]+$/) }]);
    expect(workflow.on).toHaveProperty('workflow_dispatch');
    expect(job.strategy.matrix.stack).toEqual(['dev', 'prod']);
    expect(job.environment).toBe('${{ matrix.stack }}-drift');
    expect(job.permissions).toEqual({ contents: 'read', issues: 'write' });
    // Never in a deploy's concurrency group: it must not replace a waiting deploy.
    expect(job.concurrency.group).not.toContain('flex-transfer-stack-');
  });

  test("the check is `npm run drift`'s command with the stack's Twilio API key and state backend, and its exit code decides", () => {
    const check = step('Drift check');
    expect(check.run).toContain('node dist/tools/drift/cli.js --stack "$STACK" --markdown "drift-$STACK.md"');
    expect(check['continue-on-error']).toBe(true);
    expect(check.env).toMatchObject({
      TWILIO_ACCOUNT_SID: '${{ secrets.TWILIO_ACCOUNT_SID }}',
      TWILIO_API_KEY: '${{ secrets.TWILIO_API_KEY }}',
      TWILIO_API_SECRET: '${{ secrets.TWILIO_API_SECRET }}',
      PULUMI_BACKEND_URL: '${{ vars.PULUMI_BACKEND_URL }}',
    });
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.drift).toContain('dist/tools/drift/cli.js');
    expect(step('The drift table in the job summary')).toMatchObject({ if: 'always()' });
    expect(step('The drift table in the job summary').run).toContain('cat "drift-$STACK.md" >> "$GITHUB_STEP_SUMMARY"');
    const last = job.steps[job.steps.length - 1];
    expect(last.if).toBe("steps.drift.outcome != 'success'");
    expect(last.run).toContain('exit 1');
  });

  describe('the issue step', () => {
    const issueStep = step("The stack's drift issue");
    const script = String(issueStep.with?.script);

    interface Issue {
      number: number;
      title: string;
      body: string;
      state: 'open' | 'closed';
      labels: string[];
      comments: string[];
      pull_request?: object;
    }

    /** Runs the step's script against an in-memory repository of issues, as actions/github-script does. */
    async function runStep(issues: Issue[], stack: string, code: '0' | '2', markdown?: string): Promise<void> {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-step-'));
      const cwd = process.cwd();
      try {
        if (markdown !== undefined) fs.writeFileSync(path.join(dir, `drift-${stack}.md`), markdown);
        process.chdir(dir);
        const rest = {
          listForRepo: 'listForRepo',
          async update(p: { issue_number: number; title?: string; body?: string; state?: 'open' | 'closed' }) {
            const issue = issues.find((i) => i.number === p.issue_number) as Issue;
            Object.assign(issue, Object.fromEntries(Object.entries({ title: p.title, body: p.body, state: p.state }).filter(([, v]) => v !== undefined)));
          },
          async create(p: { title: string; body: string; labels: string[] }) {
            const issue: Issue = { number: issues.length + 1, title: p.title, body: p.body, labels: p.labels, state: 'open', comments: [] };
            issues.push(issue);
            return { data: issue };
          },
          async createComment(p: { issue_number: number; body: string }) {
            (issues.find((i) => i.number === p.issue_number) as Issue).comments.push(p.body);
          },
        };
        const github = {
          rest: { issues: rest },
          async paginate(method: string, p: { state: string; labels: string }) {
            expect(method).toBe('listForRepo');
            return issues.filter((i) => (p.state === 'all' || i.state === p.state) && i.labels.includes(p.labels));
          },
        };
        const context = { repo: { owner: 'o', repo: 'r' }, runId: 42 };
        const core = { notice: () => undefined };
        const env = { ...process.env, STACK: stack, CODE: code };
        const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
        await new AsyncFunction('github', 'context', 'core', 'require', 'process', script)(github, context, core, require, { env });
      } finally {
        process.chdir(cwd);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }

    const table = (stack: string, n: number) => `${issueMarker(stack)}\n### Drift in stack \`${stack}\`\n\n${n} field(s) changed\n`;

    test('runs only when the check finished (no drift or drift), not when it failed', () => {
      expect(issueStep.if).toBe("always() && (steps.drift.outputs.code == '0' || steps.drift.outputs.code == '2')");
      expect(issueStep.uses).toMatch(/^actions\/github-script@/);
    });

    test('drift opens one issue per stack, later drift updates it, never a second one', async () => {
      const issues: Issue[] = [];
      await runStep(issues, 'prod', '2', table('prod', 3));
      await runStep(issues, 'dev', '2', table('dev', 1));
      await runStep(issues, 'prod', '2', table('prod', 2));
      expect(issues.map((i) => [i.number, i.title, i.state])).toEqual([
        [1, 'Drift in stack prod', 'open'],
        [2, 'Drift in stack dev', 'open'],
      ]);
      expect(issues[0].body).toBe(table('prod', 2));
      expect(issues[0].labels).toEqual(['flex-transfer-drift']);
    });

    test("no drift closes the stack's open issue with a comment; new drift reopens and updates that same issue", async () => {
      const issues: Issue[] = [];
      await runStep(issues, 'dev', '2', table('dev', 1));
      await runStep(issues, 'dev', '0', table('dev', 0));
      expect(issues).toEqual([expect.objectContaining({ number: 1, state: 'closed', comments: [expect.stringContaining('No drift in stack `dev` any more')] })]);
      await runStep(issues, 'dev', '0');
      expect(issues[0].comments).toHaveLength(1); // already closed: nothing more to say
      await runStep(issues, 'dev', '2', table('dev', 4));
      expect(issues).toEqual([expect.objectContaining({ number: 1, state: 'open', body: table('dev', 4) })]);
    });

    test("an issue of another stack, or a pull request quoting the marker, is never taken for this stack's", async () => {
      const issues: Issue[] = [
        { number: 1, title: 'Drift in stack dev', body: table('dev', 1), state: 'open', labels: ['flex-transfer-drift'], comments: [] },
        { number: 2, title: 'a PR', body: table('prod', 1), state: 'open', labels: ['flex-transfer-drift'], comments: [], pull_request: {} },
      ];
      await runStep(issues, 'prod', '2', table('prod', 5));
      expect(issues.map((i) => [i.number, i.body])).toEqual([
        [1, table('dev', 1)],
        [2, table('prod', 1)],
        [3, table('prod', 5)],
      ]);
    });
  });
});
