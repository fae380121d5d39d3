/**
 * Outbound webhooks (assignment/event callbacks, TwiML fetches), signed with
 * `X-Twilio-Signature` by twilio's own helper so receivers that validate with
 * `twilio.validateRequest` accept them.
 *
 * Reachability: this machine has no internet, and an emulator must never
 * call out anyway. `https://<x>.twil.io/...` (a deployed function domain) is
 * served by this emulator's functions runtime; loopback URLs are called as
 * they are; every other URL yields `{status: 0, error}` without a connection.
 * A host can be routed elsewhere (`route(host, baseUrl)`), e.g. a deployed
 * domain to another Functions runtime serving the same functions (tests run
 * them on the Serverless Toolkit's `twilio-run` too).
 * The signature always covers the URL as given (what Twilio would sign).
 */
import * as http from 'node:http';
import twilio from 'twilio';
import type { AccountDirectory, WebhookClient, WebhookRequest, WebhookResponse } from './types';

export interface OutboundRecord {
  time: number;
  method: string;
  url: string;
  params: Record<string, string | string[] | undefined>;
  status: number;
  error?: string;
  durationMs: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Where a webhook URL is actually sent, or undefined when unreachable. `routes`: host (or host:port) -> base URL. */
export function localTarget(url: string, baseUrl: string, routes: ReadonlyMap<string, string> = new Map()): URL | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const routed = routes.get(u.host.toLowerCase()) ?? routes.get(u.hostname.toLowerCase());
  if (routed !== undefined) return new URL(`${routed}${u.pathname}${u.search}`);
  if (u.hostname.endsWith('.twil.io')) {
    return new URL(`${baseUrl}/runtime/${u.hostname}${u.pathname}${u.search}`);
  }
  if (u.protocol === 'http:' && (LOOPBACK_HOSTS.has(u.hostname) || /^127\.\d+\.\d+\.\d+$/.test(u.hostname))) return u;
  return undefined;
}

function cleanParams(params: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out;
}

export class Webhooks implements WebhookClient {
  private readonly records: OutboundRecord[] = [];
  private readonly routes = new Map<string, string>();

  constructor(
    private readonly accounts: AccountDirectory,
    private readonly baseUrl: () => string,
    private readonly now: () => number,
  ) {}

  sign(authToken: string, url: string, params: Record<string, string | string[] | undefined> = {}): string {
    return twilio.getExpectedTwilioSignature(authToken, url, cleanParams(params));
  }

  /**
   * Sends webhooks for `host` (a domain, or `host:port`) to `baseUrl` (a
   * loopback `http://` URL) instead; `undefined` removes the route. Routes
   * survive reset and restore (they configure the emulator, not Twilio state).
   */
  route(host: string, baseUrl: string | undefined): void {
    const key = host.toLowerCase();
    if (baseUrl === undefined) {
      this.routes.delete(key);
      return;
    }
    const target = new URL(baseUrl);
    if (target.protocol !== 'http:' || !(LOOPBACK_HOSTS.has(target.hostname) || /^127\.\d+\.\d+\.\d+$/.test(target.hostname))) {
      throw new Error(`webhook route for ${host}: ${baseUrl} is not a loopback http:// URL`);
    }
    this.routes.set(key, baseUrl.replace(/\/+$/, ''));
  }

  /** Current webhook routes, host -> base URL. */
  routeList(): Record<string, string> {
    return Object.fromEntries(this.routes);
  }

  /** Outbound calls made so far (tests assert on callbacks). */
  history(): OutboundRecord[] {
    return [...this.records];
  }

  clearHistory(): void {
    this.records.length = 0;
  }

  async send(req: WebhookRequest): Promise<WebhookResponse> {
    const started = Date.now();
    const method = req.method ?? 'POST';
    const params = cleanParams(req.params ?? {});
    const record = (res: WebhookResponse): WebhookResponse => {
      this.records.push({ time: this.now(), method, url: req.url, params, status: res.status, error: res.error, durationMs: Date.now() - started });
      if (this.records.length > 10_000) this.records.shift();
      return res;
    };
    const account = this.accounts.get(req.accountSid);
    if (!account) return record({ status: 0, headers: {}, body: '', error: `unknown account ${req.accountSid}` });

    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
    let publicUrl = req.url;
    if (method === 'GET' && form.toString()) publicUrl += (publicUrl.includes('?') ? '&' : '?') + form.toString();
    const target = localTarget(publicUrl, this.baseUrl(), this.routes);
    if (!target) {
      return record({ status: 0, headers: {}, body: '', error: `unreachable: ${new URL(req.url).host} is not a deployed function domain or a loopback address` });
    }
    const signature = this.sign(account.authToken, publicUrl, method === 'POST' ? params : {});
    const body = method === 'POST' ? form.toString() : '';
    const headers: Record<string, string> = {
      'User-Agent': 'TwilioProxy/1.1',
      'X-Twilio-Signature': signature,
      'I-Twilio-Idempotency-Token': `${Date.now()}-${Math.random().toString(16).slice(2)}`,
      ...(method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
      ...req.headers,
    };
    // Deployed functions validate the signature against their public URL.
    if (target.pathname.startsWith('/runtime/')) headers['X-Forwarded-Host'] = new URL(req.url).host;

    return new Promise<WebhookResponse>((resolve) => {
      const r = http.request(target, { method, headers, timeout: req.timeoutMs ?? 15_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(record({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })));
        res.on('error', (err) => resolve(record({ status: 0, headers: {}, body: '', error: err.message })));
      });
      r.on('timeout', () => r.destroy(new Error('webhook timed out')));
      r.on('error', (err) => resolve(record({ status: 0, headers: {}, body: '', error: err.message })));
      r.end(body);
    });
  }
}
