import { compileExpression, type ExpressionContext, type RoutingWorker } from '../../routing';

const task = {
  type: 'Support',
  customer_value: 'Gold',
  language: 'en',
  skill_rating: 5.5,
  level: 3,
  count: 0,
  vip: true,
  banned: false,
  nothing: null,
  name: 'Jane Smith',
  numeric_text: '42',
  languages: ['en', 'fr'],
  numbers: [1, 2, 3],
  mixed: ['a', 1, true, null],
  empty: [],
  object: { param: 'apple', array: ['a', 'b', 'c'], nested: { deep: 7 } },
  preferred_agents: ['WK1', 'WK2'],
};

const evaluateFilter = (source: string, attributes: Record<string, unknown> = task): boolean => compileExpression(source, { kind: 'filter' }).evaluate({ task: attributes });

// Each row: expression over the task above, expected result, and why.
describe('operators, constants and references (filter expressions over the task above)', () => {
  it.each<[string, boolean]>([
    // == and = (the time-of-day docs use a single =)
    ["type == 'Support'", true],
    ['type == "Support"', true],
    ["type = 'Support'", true],
    ["type == 'support'", false], // string comparison is case-sensitive
    ['level == 3', true],
    ['level == 3.0', true],
    ['skill_rating == 5.5', true],
    ['vip == true', true],
    ['banned == false', true],
    ["vip == 'true'", false], // no boolean/string coercion
    ['1 == 1', true],
    ['1 == 2', false],
    ['"apple" != "orange"', true],
    // !=
    ["type != 'Sales'", true],
    ["type != 'Support'", false],
    ['level != 4', true],
    // ordering
    ['level > 2', true],
    ['level > 3', false],
    ['level >= 3', true],
    ['level < 3', false],
    ['level <= 3', true],
    ['skill_rating >= 5.1', true],
    ['skill_rating < 5.1', false],
    ["type > 'Sales'", true], // two strings compare lexicographically
    ["type < 'Sales'", false],
    ['vip > false', false], // booleans are unordered
    // numeric strings compare with numbers (taskrouter.currentHour is a string compared with 8)
    ['numeric_text == 42', true],
    ['numeric_text > 41', true],
    ['numeric_text < 41', false],
    ['type > 1', false], // non-numeric string vs number: unordered
    ['type == 1', false],
    ['type != 1', true],
    // CONTAINS: substring, case-sensitive, strings only
    ["name CONTAINS 'Smith'", true],
    ["name CONTAINS 'smith'", false],
    ["name CONTAINS ''", true],
    ['level CONTAINS 3', false],
    ["languages CONTAINS 'en'", false], // scalar operator on an array
    // HAS: array on the left
    ["languages HAS 'en'", true],
    ["languages HAS 'de'", false],
    ['numbers HAS 2', true],
    ["numbers HAS '2'", true], // element equality follows == (numeric strings)
    ['mixed HAS true', true],
    ['mixed HAS null', true],
    ["empty HAS 'x'", false],
    ["type HAS 'Support'", false], // array operator on a scalar
    ["languages HAS ['en']", false], // right side must be a scalar
    // IN / NOT IN: array on the right
    ["language IN ['en', 'es']", true],
    ["language IN ['de', 'es']", false],
    ["language NOT IN ['de', 'es']", true],
    ["language NOT IN ['en', 'es']", false],
    ['language IN ["en", "es"]', true],
    ['level IN [1, 2, 3]', true],
    ['language IN languages', true],
    ["'de' IN languages", false],
    ['language IN []', false],
    ['language NOT IN []', true],
    ["language IN 'en'", false], // array operator on two scalars
    ["language NOT IN 'en'", false], // array operator on two scalars, as IN
    ["language NOT IN 'de'", false],
    // scalar operators on arrays are false — both == and !=
    ["languages == ['en', 'fr']", false],
    ["languages != ['en', 'fr']", false],
    ["languages == 'en'", false],
    ["languages != 'en'", false],
    ['languages > 1', false],
    ["object == 'apple'", false], // objects are not scalars either
    ["object != 'apple'", false],
    // paths: dots, indexes, nested
    ["object.param != 'apple'", false],
    ["object.param == 'apple'", true],
    ["object.array[2] == 'c'", true],
    ["object.array[0] == 'a'", true],
    ['object.array[3] == null', true], // out of range is null
    ['object.nested.deep == 7', true],
    ['object.param[0] == null', true], // index on a non-array is null
    ['languages.length == null', true], // key on an array is null (no JS properties leak)
    ['name.length == null', true],
    ['object.constructor == null', true],
    ['object.__proto__ == null', true],
    // nulls: a missing attribute is null
    ['missing == null', true],
    ['missing != null', false],
    ['nothing == null', true],
    ['type == null', false],
    ['type != null', true],
    ['preferred_agents != null', true], // null tests work on arrays (documented pattern)
    ['object != null', true],
    ["missing == 'x'", false],
    ["missing != 'x'", true],
    ['missing > 1', false],
    ['missing < 1', false],
    ["missing CONTAINS 'x'", false],
    ["missing HAS 'x'", false],
    ["missing IN ['x']", false],
    ["missing IN ['x', null]", true],
    ["missing NOT IN ['x']", true],
    ["'x' IN missing", false],
    ["'x' NOT IN missing", true], // a missing exclusion list excludes nobody
    ['missing.deeper.still == null', true],
    ['null == null', true],
    // logic and precedence
    ["type == 'Support' AND level == 3", true],
    ["type == 'Support' AND level == 4", false],
    ["type == 'Sales' OR level == 3", true],
    ["type == 'Sales' OR level == 4", false],
    ["type == 'Sales' OR type == 'Support' AND level == 4", false], // AND first: Sales OR (Support AND 4)
    ["type == 'Support' OR type == 'Sales' AND level == 4", true], // Support OR (Sales AND 4)
    ["(type == 'Support' OR type == 'Sales') AND level == 4", false],
    ["(type == 'Sales' OR type == 'Support') AND level == 3", true],
    ["((type == 'Support'))", true],
    ['(language == "en" OR language == "fr") AND skill_rating >= 5.1', true],
    ["customer_value == 'Gold' AND type == 'ticket'", false],
    // keywords are case-insensitive
    ["type == 'Support' and level == 3", true],
    ["language in ['en'] AnD languages has 'fr'", true],
    ["language not in ['en'] oR vip == TRUE", true],
    ["name contains 'Jane'", true],
    ['nothing == NULL AND banned == False', true],
  ])('%s → %s', (source, expected) => {
    expect(evaluateFilter(source)).toBe(expected);
  });

  it("a false comparison against null does not poison OR/AND (two-valued logic, not SQL's three-valued)", () => {
    expect(evaluateFilter("missing > 1 OR type == 'Support'")).toBe(true);
    expect(evaluateFilter("type == 'Support' AND missing > 1")).toBe(false);
  });

  it('evaluates against any attributes without recompiling', () => {
    const compiled = compileExpression("transferTargetType == 'worker'", { kind: 'filter' });
    expect(compiled.evaluate({ task: { transferTargetType: 'worker' } })).toBe(true);
    expect(compiled.evaluate({ task: { transferTargetType: 'queue' } })).toBe(false);
    expect(compiled.evaluate({})).toBe(false);
  });

  it('lists the attribute paths it references', () => {
    expect(compileExpression('a.b[1] == 1 OR c IN d', { kind: 'filter' }).references).toEqual(['a.b[1]', 'c', 'd']);
  });
});

const alice: RoutingWorker = {
  sid: 'WKalice',
  friendlyName: 'alice',
  activitySid: 'WAavailable',
  activityName: 'Available',
  available: true,
  attributes: { skills: ['support', 'sales'], languages: ['english'], level: 7, contact_uri: 'client:alice', routing: { skills: ['sales'] }, sid: 'from-attributes' },
  channels: { chat: { capacity: 3, assignedTasks: 1, available: true }, voice: { capacity: 1, assignedTasks: 1, available: true } },
  idleSince: 0,
};

describe('target expressions see task. and worker.', () => {
  const context: ExpressionContext = { task: { requested_agent: 'client:alice', preferred_agents: ['WKalice'], workerSidsInConversation: ['WKbob'] }, worker: alice };
  const evaluateTarget = (source: string): boolean => compileExpression(source, { kind: 'target' }).evaluate(context);

  it.each<[string, boolean]>([
    ['task.requested_agent == worker.contact_uri', true],
    ['worker.sid IN task.preferred_agents', true],
    ['worker.sid NOT IN task.workerSidsInConversation', true],
    ['worker.sid NOT IN task.missingList', true],
    ["worker.sid == 'WKalice'", true], // the worker's own sid wins over an attribute named sid
    ["worker.friendly_name == 'alice'", true],
    ["worker.activity_sid == 'WAavailable'", true],
    ["worker.activity_name in ['Generally Available', 'Available']", true],
    ["worker.skills HAS 'support'", true],
    ['worker.level >= 7', true],
    ["worker.routing.skills HAS 'sales'", true],
    ['worker.channel.chat.assigned_tasks == 1', true],
    ['worker.channel.chat.configured_capacity == 3', true],
    ['worker.channel.chat.available_capacity_percentage == 66', true],
    ['worker.channel.voice.assigned_tasks == 0', false],
    ['worker.channel.sms.assigned_tasks == null', true],
    ['task.type == null', true],
    ['worker.missing == null', true],
  ])('%s → %s', (source, expected) => {
    expect(evaluateTarget(source)).toBe(expected);
  });

  it('resolves worker paths to null when no worker is given', () => {
    expect(compileExpression('worker.sid == null', { kind: 'target' }).evaluate({ task: {} })).toBe(true);
  });
});

describe('queue target_workers use bare worker attribute names', () => {
  it.each<[string, boolean]>([
    ["skills HAS 'support'", true],
    ["(skills HAS 'support') AND (languages HAS 'english')", true],
    ["routing.skills HAS 'support'", false],
    ['level > 5', true],
    ['1==1', true],
    ['1==2', false],
    ["sid == 'from-attributes'", true], // bare names are attributes, not worker fields
  ])('%s → %s', (source, expected) => {
    expect(compileExpression(source, { kind: 'queue' }).evaluate({ worker: alice })).toBe(expected);
  });
});

describe('time of day (UTC, injectable clock)', () => {
  // Saturday 2026-11-21 08:05:00 UTC
  const saturdayMorning = new Date('2026-11-21T08:05:00Z');
  const clock = () => saturdayMorning;
  const at = (source: string, instant: Date): boolean => compileExpression(source, { kind: 'filter' }).evaluate({ task: {}, clock: () => instant });

  it.each<[string, boolean]>([
    ['taskrouter.currentTime == 805', true],
    ['taskrouter.currentTime > 0800 AND taskrouter.currentTime < 1830', true],
    ['taskrouter.currentTime > 0806', false],
    ["taskrouter.currentHour == '08'", true],
    ['taskrouter.currentHour == 8', true],
    ['taskrouter.currentHour > 7 AND taskrouter.currentHour < 18', true],
    ['taskrouter.currentHour > 8', false],
    ["taskrouter.currentMin == '05'", true],
    ['taskrouter.currentMin > 4 AND taskrouter.currentMin < 6', true],
    ["taskrouter.dayOfWeek = 'Sat'", true],
    ["taskrouter.dayOfWeek == 'Sun'", false],
    ["taskrouter.dayOfWeek IN ['Sat', 'Sun']", true],
  ])('%s at Sat 08:05Z → %s', (source, expected) => {
    expect(compileExpression(source, { kind: 'filter' }).evaluate({ task: {}, clock })).toBe(expected);
  });

  it("uses UTC, not the machine's time zone", () => {
    // 23:30 UTC on a Sunday is Monday in UTC+1; TaskRouter must still say Sun / 2330.
    const lateSunday = new Date('2026-11-22T23:30:00Z');
    expect(at("taskrouter.dayOfWeek == 'Sun' AND taskrouter.currentTime == 2330", lateSunday)).toBe(true);
  });

  it('names every day', () => {
    const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    days.forEach((day, offset) => {
      const instant = new Date(Date.UTC(2026, 10, 16 + offset, 12)); // 2026-11-16 is a Monday
      expect(at(`taskrouter.dayOfWeek == '${day}'`, instant)).toBe(true);
    });
  });

  it('works in target expressions, and a fixed `now` wins over the clock', () => {
    const compiled = compileExpression('taskrouter.currentHour >= 9 AND worker.level > 1', { kind: 'target' });
    expect(compiled.usesTime).toBe(true);
    expect(compiled.evaluate({ worker: alice, clock, now: new Date('2026-11-21T09:00:00Z') })).toBe(true);
    expect(compiled.evaluate({ worker: alice, clock })).toBe(false);
  });

  it('reads the clock once per evaluation', () => {
    let reads = 0;
    const counting = () => {
      reads++;
      return saturdayMorning;
    };
    compileExpression("taskrouter.currentHour == 8 AND taskrouter.currentMin == 5 AND taskrouter.dayOfWeek == 'Sat'", { kind: 'filter' }).evaluate({ task: {}, clock: counting });
    expect(reads).toBe(1);
  });

  it('does not read the clock for expressions without taskrouter.*', () => {
    const compiled = compileExpression('a == 1', { kind: 'filter' });
    expect(compiled.usesTime).toBe(false);
    expect(
      compiled.evaluate({
        task: { a: 1 },
        clock: () => {
          throw new Error('clock read');
        },
      }),
    ).toBe(true);
  });
});

describe('skip_if counts', () => {
  const workers = { available: 0, unavailable: 3, byActivitySid: { WAbreak: 2, WAoffline: 1 } };
  it.each<[string, boolean]>([
    ['workers.available == 0', true],
    ['workers.available > 0', false],
    ['workers.unavailable == 3', true],
    ['workers.WAbreak == 2', true],
    ['workers.WAlunch == 0', true], // an activity nobody is in counts 0
    ['workers.available == 0 AND workers.WAbreak < 2', false],
    ['workers.available == 0 OR workers.WAbreak < 2', true],
  ])('%s → %s', (source, expected) => {
    expect(compileExpression(source, { kind: 'skip_if' }).evaluate({ workers })).toBe(expected);
  });

  it('counts as 0 when no counts are given', () => {
    expect(compileExpression('workers.available == 0', { kind: 'skip_if' }).evaluate({})).toBe(true);
  });
});
