/** The server URL Docker files Docker Hub's credentials under. */
export const DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

const DOCKER_HUB_NAMES = new Set(["index.docker.io", "docker.io", "registry-1.docker.io"]);

/**
 * The registry host a key of `auths` or `credHelpers`, or a `login` argument,
 * stands for, matched as docker does: the scheme and any path are dropped
 * (`https://ghcr.io/v1/` is `ghcr.io`), and every name of Docker Hub is
 * `index.docker.io`.
 */
export function registryHost(key: string): string {
  const host = (key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split("/")[0] ?? "").toLowerCase();
  return DOCKER_HUB_NAMES.has(host) ? "index.docker.io" : host;
}

/** What a credential helper is asked for, and the `auths` key `login` writes: Docker Hub's v1 URL, else the host. */
export function serverUrl(host: string): string {
  return host === "index.docker.io" ? DOCKER_HUB_SERVER : host;
}

const SCHEME = /^(?:[a-z][a-z0-9+.-]*:)?\/\//i;
const TRAILING_DIGEST = /@[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/**
 * A command-line argument with any user information replaced by `***`, fit
 * to be repeated in a message: `https://alice:hunter2@ghcr.io` is
 * `https://***@ghcr.io`, `alice@ghcr.io/app` is `***@ghcr.io/app`. An "@"
 * before a digest is kept; any other "@" can only end user information, so
 * everything before the last one goes, whatever it holds ("/", ":", "%").
 */
export function withoutUserInfo(argument: string): string {
  const scheme = SCHEME.exec(argument)?.[0] ?? "";
  const digest = TRAILING_DIGEST.exec(argument)?.[0] ?? "";
  const name = argument.slice(scheme.length, argument.length - digest.length);
  const at = name.lastIndexOf("@");
  return at === -1 ? argument : `${scheme}***${name.slice(at)}${digest}`;
}

/** Whether `argument` carries user information (`user[:password]@`) before its host. */
export function hasUserInfo(argument: string): boolean {
  return withoutUserInfo(argument) !== argument;
}
