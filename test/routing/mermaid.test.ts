import { mermaidLabel, workflowToMermaid } from '../../routing';
import { buildChatTransferWorkflow } from '../../workflows';

describe('workflowToMermaid', () => {
  const chat = buildChatTransferWorkflow({ everyoneQueueSid: 'WQeveryone', queues: [{ name: 'Sales', sid: 'WQsales' }] });
  const text = workflowToMermaid(chat, { queueNames: { WQeveryone: 'Everyone', WQsales: 'Sales' } });
  const lines = text
    .trim()
    .split('\n')
    .map((line) => line.trim());

  it('is a top-down flowchart starting at the workflow entry', () => {
    expect(lines[0]).toBe('flowchart TD');
    expect(lines).toContain('start --> f0');
  });

  it("draws filters in order with their expressions, chained by 'no match' down to default_filter", () => {
    expect(lines).toContain(`f0{"[0] Transfer to worker<br/>transferTargetType == 'worker'"}`);
    expect(lines).toContain('f0 -->|no match| f1');
    expect(lines).toContain('f1 -->|no match| f2');
    expect(lines).toContain('f2 -->|no match| dflt');
    expect(lines).toContain('dflt -.-> q0');
  });

  it('draws targets with known-worker, expression and timeout, timeouts leading to the next target', () => {
    expect(lines).toContain(`f0t0["target 0<br/>known_worker_sid: task.transferTargetSid<br/>timeout 120s (at age 120s)"]`);
    expect(lines).toContain('f0 -->|match| f0t0');
    expect(lines).toContain('f0t0 -->|timeout| f0t1');
    expect(lines).toContain(`f0t1["target 1<br/>worker.sid NOT IN task.workerSidsInConversation"]`);
  });

  it('draws each queue once, as a named cylinder, targets pointing to it', () => {
    expect(lines.filter((line) => line.startsWith('q0['))).toEqual([`q0[("Everyone<br/>WQeveryone")]`]);
    expect(lines).toContain(`q1[("Sales<br/>WQsales")]`);
    expect(lines).toContain('f0t0 -.-> q0');
    expect(lines).toContain('f1t0 -.-> q1');
  });

  it('shows Workflow-timeout cancellation, skips, and the unrouted end when there is no default_filter', () => {
    const diagram = workflowToMermaid({
      task_routing: {
        filters: [
          { filter_friendly_name: 'A', expression: 'a == 1', targets: [{ queue: 'WQ1', timeout: 10 }] },
          { filter_friendly_name: 'B', expression: 'b == 1', targets: [{ queue: 'WQ2', skip_if: 'workers.available == 0' }] },
        ],
      },
    });
    expect(diagram).toContain('f0t0 -->|timeout| canceled');
    expect(diagram).toContain('f0t0 -->|timeout, later filters only| f1');
    expect(diagram).toContain(`canceled(["Task canceled on Workflow timeout"])`);
    expect(diagram).toContain('f1t0 -->|skip| unrouted');
    expect(diagram).toContain('f1 -->|no match| unrouted');
    expect(diagram).toContain(`unrouted(["not routed: no default_filter"])`);
    expect(diagram).toContain(`q0[("WQ1")]`); // no names given: the SID
  });

  it('escapes quotes and angle brackets so labels cannot break the diagram', () => {
    const diagram = workflowToMermaid({
      task_routing: { filters: [{ filter_friendly_name: `Say "hi" <b>`, expression: `name == 'say "x"' AND n > 1`, targets: [{ queue: 'WQ1' }] }], default_filter: { queue: 'WQ1' } },
    });
    expect(diagram).toContain(`f0{"[0] Say #quot;hi#quot; #lt;b#gt;<br/>name == 'say #quot;x#quot;' AND n #gt; 1"}`);
    expect(mermaidLabel('#1 & co')).toBe('#35;1 #amp; co');
  });
});
