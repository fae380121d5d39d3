// Drift rows as a person reads them: lines for a terminal or a job log
// (`resource · field: stack value → live value`), and Markdown for a GitHub
// job summary or the stack's drift issue.
import type { DriftRow } from './rows';

/** Longest value shown; a longer one is cut in the middle (the job log has the rest). */
const MAX_VALUE = 160;

export function showValue(value: unknown): string {
  const text = value === undefined ? '(absent)' : JSON.stringify(value);
  if (text.length <= MAX_VALUE) return text;
  const half = Math.floor((MAX_VALUE - 1) / 2);
  return `${text.slice(0, half)}…${text.slice(-half)}`;
}

export function resourceTitle(row: DriftRow): string {
  return `${row.resource} (${row.kind}${row.label ? ` "${row.label}"` : ''}, ${row.owner})`;
}

/** One line per drifted field: `resource · field: stack value → live value`. */
export function driftLine(row: DriftRow): string {
  return `${resourceTitle(row)} · ${row.path}: ${showValue(row.stack)} → ${showValue(row.live)}`;
}

export function whatToDo(stack: string): string[] {
  return [
    'What to do (docs/operations.md, section Drift):',
    `  revert: \`npm run stack -- up --stack ${stack} --refresh\` (or the next deploy, which runs up --refresh) puts the stack's values back;`,
    `  adopt:  put the live value into Pulumi.${stack}.yaml (or the program) in a pull request, then deploy; the drift is gone once the stack declares it.`,
  ];
}

export function formatText(stack: string, rows: readonly DriftRow[]): string {
  if (rows.length === 0) return `No drift in stack ${stack}: every field the stack manages matches Twilio.\n`;
  const resources = new Set(rows.map((row) => row.resource)).size;
  return [
    `Drift in stack ${stack}: ${rows.length} field${rows.length === 1 ? '' : 's'} of ${resources} resource${resources === 1 ? '' : 's'} changed outside the stack (stack value → live value):`,
    ...rows.map((row) => `  ${driftLine(row)}`),
    '',
    ...whatToDo(stack),
    '',
  ].join('\n');
}

/** Marks the drift issue (and summary) of a stack, so a later run finds and updates it. */
export const issueMarker = (stack: string): string => `<!-- flex-transfer-drift:${stack} -->`;

function cell(text: string): string {
  return `\`${text.replace(/`/g, 'ˋ').replace(/\|/g, '\\|')}\``;
}

export function formatMarkdown(stack: string, rows: readonly DriftRow[], meta: { checkedAt?: string; runUrl?: string } = {}): string {
  const lines = [issueMarker(stack), `### Drift in stack \`${stack}\``, ''];
  const when = [meta.checkedAt ? `Checked ${meta.checkedAt}` : '', meta.runUrl ? `[run](${meta.runUrl})` : ''].filter(Boolean).join(' · ');
  if (when) lines.push(when, '');
  if (rows.length === 0) {
    lines.push('No drift: every field the stack manages matches Twilio.', '');
    return lines.join('\n');
  }
  lines.push(
    `${rows.length} field${rows.length === 1 ? '' : 's'} changed outside the stack (in Console, the Flex Admin UI or the API):`,
    '',
    '| Resource | Owner | Field | Stack value | Live value |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${cell(row.resource)} ${row.kind}${row.label ? ` "${row.label.replace(/\|/g, '\\|')}"` : ''} | ${row.owner} | ${cell(row.path)} | ${cell(showValue(row.stack))} | ${cell(showValue(row.live))} |`,
    ),
    '',
    `**Revert** (the stack's values win): run the Deploy workflow, or \`npm run stack -- up --stack ${stack} --refresh\`. ` +
      `**Adopt** (keep the live values): put them into \`Pulumi.${stack}.yaml\` (or the program) in a pull request; its preview shows the change, the deploy makes it the stack's. ` +
      'See docs/operations.md, section Drift.',
    '',
  );
  return lines.join('\n');
}
