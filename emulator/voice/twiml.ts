/**
 * TwiML parsing and validation: a small XML reader (elements, attributes,
 * text, CDATA, comments, the five XML entities and numeric references)
 * producing a plain-JSON verb list, checked against the verbs the emulator
 * executes. Malformed XML is Twilio error 12100 (Document parse failure);
 * a well-formed document that is not valid TwiML is 12200 (Schema
 * validation). Both make the call fail.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content (trimmed). */
  text: string;
}

export class TwimlError extends Error {
  constructor(
    readonly code: 12100 | 12200,
    message: string,
  ) {
    super(message);
    this.name = 'TwimlError';
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, where: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new TwimlError(12100, `Document parse failure: unknown entity &${e}; in ${where}`);
    return v;
  });
}

/** Parses an XML document into its root element. Throws TwimlError(12100). */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const s = source.replace(/^\uFEFF/, '');
  const fail = (msg: string): never => {
    const line = s.slice(0, i).split('\n').length;
    throw new TwimlError(12100, `Document parse failure: ${msg} (line ${line})`);
  };
  const skipMisc = () => {
    for (;;) {
      while (i < s.length && /\s/.test(s[i])) i++;
      if (s.startsWith('<?', i)) {
        const end = s.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (s.startsWith('<!DOCTYPE', i)) {
        fail('DOCTYPE is not allowed');
      } else return;
    }
  };
  const name = (): string => {
    const m = /^[A-Za-z_][\w.:-]*/.exec(s.slice(i, i + 200));
    if (!m) fail(`expected a name at "${s.slice(i, i + 20)}"`);
    i += m![0].length;
    return m![0];
  };
  const element = (): XmlElement => {
    if (s[i] !== '<') fail(`expected "<" at "${s.slice(i, i + 20)}"`);
    i++;
    const tag = name();
    const attrs: Record<string, string> = {};
    for (;;) {
      while (i < s.length && /\s/.test(s[i])) i++;
      if (s.startsWith('/>', i)) {
        i += 2;
        return { name: tag, attrs, children: [], text: '' };
      }
      if (s[i] === '>') {
        i++;
        break;
      }
      if (i >= s.length) fail(`unterminated <${tag}>`);
      const attr = name();
      while (/\s/.test(s[i] ?? '')) i++;
      if (s[i] !== '=') fail(`attribute ${attr} of <${tag}> has no value`);
      i++;
      while (/\s/.test(s[i] ?? '')) i++;
      const q = s[i];
      if (q !== '"' && q !== "'") fail(`attribute ${attr} of <${tag}> must be quoted`);
      const end = s.indexOf(q, i + 1);
      if (end < 0) fail(`unterminated value of attribute ${attr}`);
      if (attr in attrs) fail(`attribute ${attr} repeated on <${tag}>`);
      attrs[attr] = decode(s.slice(i + 1, end), `attribute ${attr}`);
      i = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (i >= s.length) fail(`<${tag}> is not closed`);
      if (s.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`);
        while (/\s/.test(s[i] ?? '')) i++;
        if (s[i] !== '>') fail(`malformed </${tag}>`);
        i++;
        return { name: tag, attrs, children, text: text.trim() };
      }
      if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (s.startsWith('<![CDATA[', i)) {
        const end = s.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        text += s.slice(i + 9, end);
        i = end + 3;
      } else if (s[i] === '<') {
        children.push(element());
      } else {
        const next = s.indexOf('<', i);
        const end = next < 0 ? s.length : next;
        text += decode(s.slice(i, end), `<${tag}>`);
        i = end;
      }
    }
  };
  skipMisc();
  if (i >= s.length) fail('empty document');
  const root = element();
  skipMisc();
  if (i < s.length) fail(`content after the root element: "${s.slice(i, i + 20)}"`);
  return root;
}

// ---- TwiML verbs --------------------------------------------------------------

export type DialNoun =
  | { noun: 'Conference'; name: string; attrs: Record<string, string> }
  | { noun: 'Number' | 'Client' | 'Sip'; target: string; attrs: Record<string, string> }
  | { noun: 'Queue'; name: string; attrs: Record<string, string> };

export type TwimlVerb =
  | { verb: 'Say'; text: string; attrs: Record<string, string> }
  | { verb: 'Play'; url: string; attrs: Record<string, string> }
  | { verb: 'Pause'; length: number }
  | { verb: 'Hangup' }
  | { verb: 'Reject'; reason: string }
  | { verb: 'Redirect'; url: string; method: 'GET' | 'POST' }
  | { verb: 'Dial'; nouns: DialNoun[]; attrs: Record<string, string> }
  | { verb: 'Enqueue'; name: string; workflowSid?: string; task?: { attributes: string; priority?: number; timeout?: number }; attrs: Record<string, string> }
  | { verb: 'Leave' }
  | { verb: 'Gather'; children: TwimlVerb[]; attrs: Record<string, string> }
  | { verb: 'Record'; attrs: Record<string, string> };

const SUPPORTED = ['Say', 'Play', 'Pause', 'Hangup', 'Reject', 'Redirect', 'Dial', 'Enqueue', 'Leave', 'Gather', 'Record'];

function invalid(msg: string): never {
  throw new TwimlError(12200, `Schema validation: ${msg}`);
}

function method(value: string | undefined, verb: string): 'GET' | 'POST' {
  const m = (value ?? 'POST').toUpperCase();
  if (m !== 'GET' && m !== 'POST') invalid(`<${verb} method="${value}"> must be GET or POST`);
  return m as 'GET' | 'POST';
}

function verbOf(el: XmlElement, context: 'Response' | 'Gather'): TwimlVerb {
  switch (el.name) {
    case 'Say':
      return { verb: 'Say', text: el.text, attrs: el.attrs };
    case 'Play':
      return { verb: 'Play', url: el.text, attrs: el.attrs };
    case 'Pause': {
      const length = el.attrs.length === undefined ? 1 : Number(el.attrs.length);
      if (!Number.isInteger(length) || length < 0) invalid(`<Pause length="${el.attrs.length}"> must be a non-negative integer`);
      return { verb: 'Pause', length };
    }
    case 'Hangup':
      return { verb: 'Hangup' };
    case 'Reject':
      return { verb: 'Reject', reason: el.attrs.reason ?? 'rejected' };
    case 'Redirect':
      if (!el.text) invalid('<Redirect> needs a URL');
      return { verb: 'Redirect', url: el.text, method: method(el.attrs.method, 'Redirect') };
    case 'Dial': {
      if (context === 'Gather') invalid('<Dial> is not allowed inside <Gather>');
      const nouns: DialNoun[] = [];
      for (const c of el.children) {
        if (c.name === 'Conference') {
          if (!c.text) invalid('<Conference> needs a room name');
          nouns.push({ noun: 'Conference', name: c.text, attrs: c.attrs });
        } else if (c.name === 'Number' || c.name === 'Client' || c.name === 'Sip') {
          const target = c.name === 'Client' ? (c.children.find((x) => x.name === 'Identity')?.text ?? c.text) : c.text;
          if (!target) invalid(`<${c.name}> needs an address`);
          nouns.push({ noun: c.name, target, attrs: c.attrs });
        } else if (c.name === 'Queue') {
          nouns.push({ noun: 'Queue', name: c.text, attrs: c.attrs });
        } else {
          invalid(`<${c.name}> is not a <Dial> noun (use Conference, Number, Client, Sip or Queue)`);
        }
      }
      if (nouns.length === 0 && el.text) nouns.push({ noun: 'Number', target: el.text, attrs: {} });
      if (nouns.length === 0) invalid('<Dial> needs a number or a noun');
      if (nouns.some((n) => n.noun === 'Conference') && nouns.length > 1) invalid('<Conference> must be the only noun of its <Dial>');
      return { verb: 'Dial', nouns, attrs: el.attrs };
    }
    case 'Enqueue': {
      const taskEl = el.children.find((c) => c.name === 'Task');
      for (const c of el.children) if (c.name !== 'Task') invalid(`<${c.name}> is not allowed in <Enqueue>`);
      const workflowSid = el.attrs.workflowSid;
      if (workflowSid !== undefined && !/^WW[0-9a-fA-F]{32}$/.test(workflowSid)) invalid(`<Enqueue workflowSid="${workflowSid}"> is not a Workflow SID`);
      if (!workflowSid && !el.text) invalid('<Enqueue> needs a queue name or a workflowSid');
      let task: { attributes: string; priority?: number; timeout?: number } | undefined;
      if (taskEl) {
        try {
          const v = JSON.parse(taskEl.text || '{}') as unknown;
          if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        } catch (err) {
          invalid(`<Task> must hold a JSON object (${(err as Error).message})`);
        }
        task = {
          attributes: taskEl.text || '{}',
          priority: taskEl.attrs.priority !== undefined ? Number(taskEl.attrs.priority) : undefined,
          timeout: taskEl.attrs.timeout !== undefined ? Number(taskEl.attrs.timeout) : undefined,
        };
      }
      return { verb: 'Enqueue', name: el.text, workflowSid, task, attrs: el.attrs };
    }
    case 'Leave':
      return { verb: 'Leave' };
    case 'Gather': {
      const children = el.children.map((c) => {
        if (!['Say', 'Play', 'Pause'].includes(c.name)) invalid(`<${c.name}> is not allowed inside <Gather>`);
        return verbOf(c, 'Gather');
      });
      return { verb: 'Gather', children, attrs: el.attrs };
    }
    case 'Record':
      return { verb: 'Record', attrs: el.attrs };
    default:
      return invalid(`<${el.name}> is not a TwiML verb the emulator supports (${SUPPORTED.join(', ')})`);
  }
}

/** Parses and validates a TwiML document. Throws TwimlError (12100 / 12200). */
export function parseTwiml(source: string): TwimlVerb[] {
  const root = parseXml(source);
  if (root.name !== 'Response') throw new TwimlError(12200, `Schema validation: the root element must be <Response>, got <${root.name}>`);
  return root.children.map((el) => verbOf(el, 'Response'));
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `<Response><Dial><Conference ...>name</Conference></Dial></Response>`. */
export function conferenceTwiml(name: string, attrs: Record<string, string | boolean | undefined> = {}): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');
  return `<Response><Dial><Conference${a}>${esc(name)}</Conference></Dial></Response>`;
}
