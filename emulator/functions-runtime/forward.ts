/**
 * The gateway hop: the request as the client sent it (method, path, query,
 * headers, raw body) forwarded to a build host's runtime, and its answer
 * back, within a deadline. Hop-by-hop headers are dropped both ways;
 * `Host` becomes the function's domain and the request SID header is set,
 * as Twilio's gateway does.
 */
import * as http from 'node:http';
import type { RawRequest, RawResponse } from '../core/types';
import { REQUEST_SID_HEADER } from './host-protocol';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length', 'host', REQUEST_SID_HEADER]);
/** Response headers the runtime's web framework adds that Twilio's gateway does not pass on. */
const DROPPED_RESPONSE = new Set([...HOP_BY_HOP, 'x-powered-by', 'date']);

export type ForwardOutcome = { kind: 'response'; response: RawResponse } | { kind: 'timeout' } | { kind: 'failed'; error: Error };

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * `timedOut` aborts when the host reports the invocation ran past the limit;
 * `deadlineMs` is a backstop for a host that never answers (it includes time
 * the invocation waited for a free process).
 */
export function forward(port: number, req: RawRequest, domain: string, requestSid: string, timedOut: AbortSignal, deadlineMs: number): Promise<ForwardOutcome> {
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (!HOP_BY_HOP.has(req.rawHeaders[i].toLowerCase())) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  }
  headers.push(['Host', domain], [REQUEST_SID_HEADER, requestSid]);
  if (req.rawBody.length > 0) headers.push(['Content-Length', String(req.rawBody.length)]);
  return new Promise<ForwardOutcome>((resolve) => {
    let done = false;
    const finish = (outcome: ForwardOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = http.request({ host: '127.0.0.1', port, method: req.method, path: `${req.path}${req.search}`, headers: headers.flat(), agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !DROPPED_RESPONSE.has(k)) out[k] = v;
        finish({ kind: 'response', response: { status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) } });
      });
      res.on('error', (error) => finish({ kind: 'failed', error }));
    });
    const expire = () => {
      finish({ kind: 'timeout' });
      request.destroy();
    };
    const timer = setTimeout(expire, deadlineMs);
    timer.unref();
    if (timedOut.aborted) expire();
    timedOut.addEventListener('abort', expire, { once: true });
    request.on('error', (error) => finish({ kind: 'failed', error }));
    request.end(req.rawBody);
  });
}
