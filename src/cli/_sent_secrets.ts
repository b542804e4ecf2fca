// A registry may echo what it was sent (an `Authorization` header in its error
// body or its challenge), and the CLI prints registries' words. So every
// credential this process sends is remembered here, in each spelling a
// server could echo, and cut from any text before it is printed.

const secrets = new Set<string>();

// A secret shorter than this would cut ordinary words out of every message;
// a password that short still travels, and is cut, in its base64 form.
const SHORTEST = 4;

/** Remembers `secret` so that {@link withoutSentSecrets} cuts it. */
export function rememberSecret(secret: string): void {
  const trimmed = secret.trim();
  if (trimmed.length < SHORTEST) return;
  secrets.add(trimmed);
  const encoded = encodeURIComponent(trimmed);
  if (encoded !== trimmed) secrets.add(encoded);
}

/**
 * Remembers an `Authorization` value and what it carries: `Basic <base64>`
 * with the base64 (padded or not), the `user:password` it encodes and the
 * password; `Bearer <token>` with the token.
 */
export function rememberAuthorization(value: string): void {
  rememberSecret(value);
  const [scheme, credential] = value.trim().split(/\s+/, 2);
  if (credential === undefined) return;
  rememberSecret(credential);
  if (scheme?.toLowerCase() !== "basic") return;
  rememberSecret(credential.replace(/=+$/, ""));
  const decoded = decodeBase64(credential);
  if (decoded === undefined) return;
  rememberSecret(decoded);
  const colon = decoded.indexOf(":");
  if (colon !== -1) rememberSecret(decoded.slice(colon + 1));
}

/** `text` with every remembered secret replaced by `***`, the longest first. */
export function withoutSentSecrets(text: string): string {
  if (secrets.size === 0) return text;
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) result = result.split(secret).join("***");
  return result;
}

/**
 * `fetcher`, remembering the credentials of every request it sends: the
 * `Authorization` header, and the password or refresh token of a token
 * request's form body.
 */
export function rememberingFetch(fetcher: typeof fetch): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const authorization = headers.get("authorization");
    if (authorization !== null) rememberAuthorization(authorization);
    const form = headers.get("content-type")?.startsWith("application/x-www-form-urlencoded") === true;
    if (init?.body instanceof URLSearchParams || (form && typeof init?.body === "string")) rememberFormSecrets(init.body);
    return fetcher(input, init);
  };
}

function rememberFormSecrets(body: string | URLSearchParams): void {
  const form = typeof body === "string" ? new URLSearchParams(body) : body;
  for (const field of ["password", "refresh_token", "access_token"]) {
    const value = form.get(field);
    if (value !== null) rememberSecret(value);
  }
}

function decodeBase64(text: string): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(text), (char) => char.charCodeAt(0)));
  } catch {
    return undefined;
  }
}
