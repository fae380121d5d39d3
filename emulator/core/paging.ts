/**
 * Twilio list paging. v1 products answer `{<key>: [...], meta: {page,
 * page_size, first_page_url, previous_page_url, url, next_page_url, key}}`
 * with absolute URLs (here: on the emulator, so SDKs follow them back to
 * us); API 2010 answers top-level `*_uri` fields relative to the host.
 *
 * Tokens: `PageToken=PA<sid of the last item on the previous page>` (Twilio's
 * shape), so pages stay stable when items are added; when the token's item
 * is gone we fall back to `Page * PageSize`.
 */
import { invalidParam } from './errors';
import type { EmulatorRequest } from './types';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

export interface PageOptions<T> {
  /** The list key, e.g. `workers` (also `meta.key`). */
  key: string;
  /** Identity used in page tokens (default: `item.sid`). */
  idOf?: (item: T) => string;
  /** `v1` (default) or `2010` (API 2010's top-level `*_uri` fields). */
  style?: 'v1' | '2010';
}

interface PageWindow {
  page: number;
  pageSize: number;
  start: number;
}

function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function readWindow<T>(req: EmulatorRequest, items: T[], idOf: (item: T) => string): PageWindow {
  const sizeRaw = firstValue(req.query.PageSize);
  let pageSize = DEFAULT_PAGE_SIZE;
  if (sizeRaw !== undefined && sizeRaw !== '') {
    if (!/^\d+$/.test(sizeRaw) || Number(sizeRaw) < 1) throw invalidParam('PageSize', `must be a positive integer (got "${sizeRaw}")`);
    pageSize = Math.min(Number(sizeRaw), MAX_PAGE_SIZE);
  }
  const pageRaw = firstValue(req.query.Page);
  let page = 0;
  if (pageRaw !== undefined && pageRaw !== '') {
    if (!/^\d+$/.test(pageRaw)) throw invalidParam('Page', `must be a non-negative integer (got "${pageRaw}")`);
    page = Number(pageRaw);
  }
  let start = page * pageSize;
  const token = firstValue(req.query.PageToken);
  if (token && token.startsWith('PA')) {
    const afterId = token.slice(2);
    const idx = items.findIndex((it) => idOf(it) === afterId);
    if (idx >= 0) start = idx + 1;
  } else if (token && token.startsWith('PB')) {
    // "before this item": the page that ends just before it.
    const beforeId = token.slice(2);
    const idx = items.findIndex((it) => idOf(it) === beforeId);
    if (idx >= 0) start = Math.max(0, idx - pageSize);
  }
  return { page, pageSize, start };
}

/** Query string with the request's filters plus paging parameters, in Twilio's order. */
function pageQuery(req: EmulatorRequest, pageSize: number, page: number, token?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query)) {
    if (k === 'PageSize' || k === 'Page' || k === 'PageToken') continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  }
  params.append('PageSize', String(pageSize));
  params.append('Page', String(page));
  if (token) params.append('PageToken', token);
  return params.toString();
}

/** Slices `items` (already filtered and ordered) into the page the request asks for. */
export function paginate<T>(req: EmulatorRequest, items: T[], serialize: (item: T) => unknown, opts: PageOptions<T>): Record<string, unknown> {
  const idOf = opts.idOf ?? ((it: T) => String((it as { sid?: string }).sid));
  const { page, pageSize, start } = readWindow(req, items, idOf);
  const slice = items.slice(start, start + pageSize);
  const hasNext = start + pageSize < items.length;
  const nextToken = hasNext && slice.length > 0 ? `PA${idOf(slice[slice.length - 1])}` : undefined;
  const prevToken = page > 0 && start > 0 ? `PB${idOf(items[start])}` : undefined;
  const currentToken = firstValue(req.query.PageToken);
  const body: Record<string, unknown> = { [opts.key]: slice.map(serialize) };

  if (opts.style === '2010') {
    // 2010 URIs are host-relative; the SDK prefixes its own domain (rewritten by the adapter).
    const base = req.path;
    body.first_page_uri = `${base}?${pageQuery(req, pageSize, 0)}`;
    body.end = start + slice.length - 1 < start ? start : start + slice.length - 1;
    body.previous_page_uri = prevToken ? `${base}?${pageQuery(req, pageSize, page - 1, prevToken)}` : null;
    body.uri = `${base}?${pageQuery(req, pageSize, page, currentToken)}`;
    body.page_size = pageSize;
    body.start = start;
    body.next_page_uri = nextToken ? `${base}?${pageQuery(req, pageSize, page + 1, nextToken)}` : null;
    body.page = page;
    return body;
  }

  const base = `${req.hostBaseUrl}${req.path}`;
  body.meta = {
    page,
    page_size: pageSize,
    first_page_url: `${base}?${pageQuery(req, pageSize, 0)}`,
    previous_page_url: prevToken ? `${base}?${pageQuery(req, pageSize, page - 1, prevToken)}` : null,
    url: `${base}?${pageQuery(req, pageSize, page, currentToken)}`,
    next_page_url: nextToken ? `${base}?${pageQuery(req, pageSize, page + 1, nextToken)}` : null,
    key: opts.key,
  };
  return body;
}
