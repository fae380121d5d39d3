/**
 * Shared helpers for the TaskRouter / Flex / Conversations / Voice emulator
 * tests: an emulator with a manual clock and the Flex seed, a real `twilio`
 * SDK client bound to it, and a loopback webhook receiver. `emu.whenIdle()`
 * waits until no callback or TwiML fetch is in flight.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { createTwilioClient } from '../../clients/twilio-client';
import type { Emulator, EmulatorOptions, TaskRouterApi } from '../../emulator';
import { START, startManualEmulator } from '../../support';

export { START };

export interface TestEmu {
  emu: Emulator;
  client: twilio.Twilio;
  accountSid: string;
  tr: TaskRouterApi;
  stop(): Promise<void>;
}

export async function startTestEmulator(opts: EmulatorOptions = {}): Promise<TestEmu> {
  // EMU_SPEC_CHECK=1 runs every suite with the spec checker and reports violations on stop.
  const specCheck = opts.specCheck ?? process.env.EMU_SPEC_CHECK === '1';
  const emu = await startManualEmulator({ ...opts, specCheck });
  const client = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl, maxRetries: 0 });
  const tr = emu.core.apiOf<TaskRouterApi>('taskrouter')!;
  const stop = async () => {
    if (specCheck && opts.specCheck === undefined) {
      const v = emu.spec.violations().filter((x) => !/must match format "uri"$/.test(x.message));
      if (v.length) process.stderr.write(`spec violations:\n${v.map((x) => `  ${x.operation} ${x.status ?? ''} ${x.message}`).join('\n')}\n`);
    }
    await emu.stop();
  };
  return { emu, client, accountSid: emu.credentials.accountSid, tr, stop };
}

export interface ReceivedRequest {
  path: string;
  params: Record<string, string>;
  signature: string | undefined;
  /** Whether X-Twilio-Signature validates against `url` with the auth token. */
  validFor(authToken: string): boolean;
}

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  /** Sets the answer for a path (JSON object -> application/json; string -> text/xml). */
  answer(path: string, body: unknown, status?: number): void;
  close(): Promise<void>;
}

/** A loopback HTTP server that records form POSTs (webhooks) and answers per path. */
export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const answers = new Map<string, { body: unknown; status: number }>();
  let base = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const signature = req.headers['x-twilio-signature'] as string | undefined;
      const fullUrl = `${base}${req.url}`;
      received.push({ path: url.pathname, params, signature, validFor: (token) => !!signature && twilio.validateRequest(token, signature, fullUrl, params) });
      const a = answers.get(url.pathname);
      if (!a) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('');
        return;
      }
      const isText = typeof a.body === 'string';
      const text = isText ? (a.body as string) : JSON.stringify(a.body);
      res.writeHead(a.status, { 'Content-Type': isText ? 'text/xml' : 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    received,
    answer: (path, body, status = 200) => answers.set(path, { body, status }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Expects a promise to reject with a Twilio RestException; returns it. */
export async function twilioError(p: Promise<unknown>): Promise<{ status: number; code: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; code: number; message: string };
    return { status: e.status, code: e.code, message: e.message };
  }
  throw new Error('expected the request to fail');
}

/** A raw authenticated request (for what the SDK refuses to send, e.g. a missing required parameter). */
export async function raw(
  t: TestEmu,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  form?: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${t.emu.baseUrl}${path}`, {
    method,
    headers: {
      Authorization: 'Basic ' + Buffer.from(`${t.accountSid}:${t.emu.credentials.authToken}`).toString('base64'),
      ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      ...headers,
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}
