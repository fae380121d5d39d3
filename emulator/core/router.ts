/**
 * The one router: (host label, method, path) -> route + path parameters.
 * Path templates use the OpenAPI syntax `/v1/Services/{ServiceSid}`; a
 * placeholder matches one path segment (or the part of it before a literal
 * suffix such as `.json`).
 */
import type { HostLabel, HttpMethod, RouteDef, ServiceModule } from './types';

export interface CompiledRoute {
  service: ServiceModule;
  route: RouteDef;
  host: HostLabel;
  operation: string;
  regex: RegExp;
  paramNames: string[];
  /** Literal characters in the template: more literal = more specific (wins ties). */
  specificity: number;
}

export interface RouteMatch {
  compiled: CompiledRoute;
  pathParams: Record<string, string>;
}

export type RouteLookup = { kind: 'match'; match: RouteMatch } | { kind: 'method-not-allowed' } | { kind: 'no-route' };

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileTemplate(template: string): { regex: RegExp; paramNames: string[]; specificity: number } {
  const paramNames: string[] = [];
  let pattern = '';
  let specificity = 0;
  const re = /\{([^}]+)\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(template)) !== null) {
    const literal = template.slice(last, m.index);
    pattern += escapeRegex(literal);
    specificity += literal.length;
    paramNames.push(m[1]);
    pattern += '([^/]+?)';
    last = m.index + m[0].length;
  }
  const tail = template.slice(last);
  pattern += escapeRegex(tail);
  specificity += tail.length;
  return { regex: new RegExp(`^${pattern}$`), paramNames, specificity };
}

export class Router {
  private readonly byHost = new Map<HostLabel, CompiledRoute[]>();

  add(service: ServiceModule, route: RouteDef): CompiledRoute {
    const host = route.host ?? service.host;
    const { regex, paramNames, specificity } = compileTemplate(route.path);
    const compiled: CompiledRoute = {
      service,
      route,
      host,
      operation: `${service.name}.${route.operationId}`,
      regex,
      paramNames,
      specificity,
    };
    const list = this.byHost.get(host) ?? [];
    const clash = list.find((c) => c.route.method === route.method && c.route.path === route.path);
    if (clash) {
      throw new Error(`Route ${route.method} /${host}${route.path} registered twice (${clash.operation} and ${compiled.operation})`);
    }
    list.push(compiled);
    // Most specific first, so `/v1/Services/{Sid}/Status`-style literals beat placeholders.
    list.sort((a, b) => b.specificity - a.specificity);
    this.byHost.set(host, list);
    return compiled;
  }

  hosts(): HostLabel[] {
    return [...this.byHost.keys()];
  }

  routes(): CompiledRoute[] {
    return [...this.byHost.values()].flat();
  }

  lookup(host: HostLabel, method: HttpMethod, path: string): RouteLookup {
    const list = this.byHost.get(host);
    if (!list) return { kind: 'no-route' };
    let pathMatched = false;
    for (const c of list) {
      const m = c.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== method) continue;
      const pathParams: Record<string, string> = {};
      c.paramNames.forEach((name, i) => {
        pathParams[name] = decodeURIComponent(m[i + 1]);
      });
      return { kind: 'match', match: { compiled: c, pathParams } };
    }
    return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'no-route' };
  }
}
