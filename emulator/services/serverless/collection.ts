/**
 * List, Fetch and Delete of one Serverless collection. Across Services,
 * Environments, Functions/Assets, their Versions, Builds, Deployments,
 * Variables and Logs these differ only in where the records live, how one is
 * found (the model's 404) and how it is serialised, so one builder makes them.
 */
import { paginate } from '../../core';
import type { EmulatorRequest, RouteDef, ServiceEnv } from '../../core/types';

export interface Collection<P, R> {
  /** Path of the list, e.g. `/v1/Services/{ServiceSid}/Builds`; one record is `${path}/{Sid}`. */
  path: string;
  /** The operationId stem: List<name>, Fetch<name>, Delete<name>. */
  name: string;
  /** The list's key in the page body, e.g. `builds`. */
  key: string;
  /** The records the path names above the collection (throws the model's 404 for a missing one). */
  parent(req: EmulatorRequest, env: ServiceEnv): P;
  /** The records the list pages over; `req` is there for list filters. */
  items(p: P, req: EmulatorRequest): R[];
  /** One record by SID (throws the model's 404). */
  get(p: P, sid: string): R;
  serialize(accountSid: string, p: P, r: R): Record<string, unknown>;
  /** Deletes one record; without it there is no Delete route. */
  remove?(p: P, sid: string): void;
}

interface ReadRoutes {
  list: RouteDef;
  fetch: RouteDef;
}

/** The List and Fetch routes of a collection, and its Delete route when it has `remove`. */
export function collectionRoutes<P, R>(c: Collection<P, R> & Required<Pick<Collection<P, R>, 'remove'>>): ReadRoutes & { remove: RouteDef };
export function collectionRoutes<P, R>(c: Collection<P, R>): ReadRoutes;
export function collectionRoutes<P, R>(c: Collection<P, R>): ReadRoutes & { remove?: RouteDef } {
  const { remove } = c;
  return {
    list: {
      method: 'GET',
      path: c.path,
      operationId: `List${c.name}`,
      handler: (req, env) => {
        const p = c.parent(req, env);
        return { status: 200, body: paginate(req, c.items(p, req), (r) => c.serialize(req.accountSid, p, r), { key: c.key }) };
      },
    },
    fetch: {
      method: 'GET',
      path: `${c.path}/{Sid}`,
      operationId: `Fetch${c.name}`,
      handler: (req, env) => {
        const p = c.parent(req, env);
        return { status: 200, body: c.serialize(req.accountSid, p, c.get(p, req.pathParams.Sid)) };
      },
    },
    remove: remove && {
      method: 'DELETE',
      path: `${c.path}/{Sid}`,
      operationId: `Delete${c.name}`,
      handler: (req, env) => {
        remove(c.parent(req, env), req.pathParams.Sid);
        return { status: 204 };
      },
    },
  };
}
