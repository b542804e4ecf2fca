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
