/**
 * Resource URLs in JSON bodies (`url`, `links`) point at the real Twilio host
 * (`https://serverless.twilio.com/v1/...`), as Twilio returns them and as the
 * specs' `format: uri` expects; the client adapters rewrite them when they
 * follow one. Paging URLs are the exception: they point at the emulator.
 */
export function resourceUrl(host: string, path: string): string {
  return `https://${host}.twilio.com${path.startsWith('/') ? path : '/' + path}`;
}
