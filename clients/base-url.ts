/**
 * Rewriting Twilio URLs to an emulator base URL:
 * `https://<label>[.<edge>][.<region>].twilio.com/<path>` -> `<base>/<label>/<path>`.
 * Anything else (already local, or not Twilio) is returned unchanged.
 */
const TWILIO_URL = /^https?:\/\/([a-z0-9-]+)(?:\.[a-z0-9-]+)*\.twilio\.com(?::\d+)?(\/.*)?$/i;

export function normalizeBaseUrl(apiBaseUrl: string): string {
  const trimmed = apiBaseUrl.trim().replace(/\/+$/, '');
  let u: URL;
  try {
    u = new URL(trimmed);
  } catch {
    throw new Error(`apiBaseUrl must be an absolute http(s) URL (got "${apiBaseUrl}")`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`apiBaseUrl must use http or https (got "${u.protocol}")`);
  return trimmed;
}

export function rewriteTwilioUrl(url: string, apiBaseUrl: string): string {
  const m = TWILIO_URL.exec(url);
  if (!m) return url;
  return `${apiBaseUrl}/${m[1].toLowerCase()}${m[2] ?? ''}`;
}
