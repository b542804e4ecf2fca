/** The server URL Docker files Docker Hub's credentials under. */
export const DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

const DOCKER_HUB_NAMES = new Set(["index.docker.io", "docker.io", "registry-1.docker.io"]);
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The registry host a key of `auths` or `credHelpers`, a `login` argument or
 * a transport's host stands for, as docker matches it: the scheme and any
 * path are dropped (`https://ghcr.io/v1/` is `ghcr.io`), and every name of
 * Docker Hub is `index.docker.io`.
 */
export function registryHost(key: string): string {
  const host = (key.replace(SCHEME, "").split("/")[0] ?? "").toLowerCase();
  return DOCKER_HUB_NAMES.has(host) ? "index.docker.io" : host;
}

/** What a credential helper is asked for, and the `auths` key `login` writes: Docker Hub's v1 URL, else the host. */
export function serverUrl(host: string): string {
  return host === "index.docker.io" ? DOCKER_HUB_SERVER : host;
}

/**
 * What a key of `auths` or `credHelpers` covers, as podman reads auth.json:
 * a key with a scheme is a host (docker's spelling, its path is not a
 * namespace: `https://index.docker.io/v1/`); a key without one is
 * `host[/namespace…]`, the repositories at or under that path.
 */
export function keyScope(key: string): { host: string; namespace: string } {
  const host = registryHost(key);
  if (SCHEME.test(key)) return { host, namespace: "" };
  const slash = key.indexOf("/");
  return { host, namespace: slash < 0 ? "" : key.slice(slash + 1).replace(/\/+$/, "") };
}

/** Whether a host-level key (no namespace) is `key`, spelled as `host` itself or its server URL: preferred among spellings. */
function isPlainSpelling(key: string, host: string): boolean {
  return key === host || key === serverUrl(host);
}

/** One entry whose key covers a repository, and how many path components its namespace has (0 for the host). */
export interface KeyMatch<T> {
  key: string;
  value: T;
  depth: number;
}

/**
 * The entries of `record` whose key covers `repository` on `host`, the most
 * specific first: `host/a/b` before `host/a` before `host`, as podman
 * matches auth.json, so that credentials kept for one namespace never go to
 * another. A namespaced key matches only a repository at or under its path
 * (`ghcr.io/team-a` covers `team-a/app`, not `team-a2/app`); without a
 * repository, only host keys match.
 */
export function matchingKeys<T>(record: Record<string, T>, host: string, repository: string | undefined): KeyMatch<T>[] {
  const found: (KeyMatch<T> & { plain: boolean })[] = [];
  for (const [key, value] of Object.entries(record)) {
    const scope = keyScope(key);
    if (scope.host !== host) continue;
    if (scope.namespace !== "" && !covers(scope.namespace, repository)) continue;
    const depth = scope.namespace === "" ? 0 : scope.namespace.split("/").length;
    found.push({ key, value, depth, plain: isPlainSpelling(key, host) });
  }
  found.sort((a, b) => b.depth - a.depth || Number(b.plain) - Number(a.plain));
  return found.map(({ key, value, depth }) => ({ key, value, depth }));
}

function covers(namespace: string, repository: string | undefined): boolean {
  return repository !== undefined && (repository === namespace || repository.startsWith(`${namespace}/`));
}

/** Whether `key` is one of the host-level spellings of `host` (not a namespaced key): the keys `login` replaces and `logout` removes. */
export function isHostKey(key: string, host: string): boolean {
  const scope = keyScope(key);
  return scope.host === host && scope.namespace === "";
}
