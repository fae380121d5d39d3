/** The core contract, re-exported for services: `import { ... } from '../../core'`. */
export * from './types';
export * from './errors';
export { Params, type ParamBag, type ParamValue } from './params';
export { paginate, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageOptions } from './paging';
export { toTwilioIso, toRfc2822 } from './clock';
export { isSid, SID_PATTERN } from './sids';
export { resourceUrl } from './urls';
