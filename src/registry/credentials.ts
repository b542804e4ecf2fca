/** A user name and password (or an access token used as a password, as Docker Hub and GHCR accept). */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** A ready bearer token, sent as `Authorization: Bearer <token>` without asking a token server. */
export interface TokenCredentials {
  readonly token: string;
}

/** What a registry may be authenticated with. */
export type Credentials = BasicCredentials | TokenCredentials;

/**
 * Credentials for every registry, or a function that picks them by registry
 * host (`ghcr.io`, `127.0.0.1:5000`) and may return undefined for anonymous.
 */
export type AuthOption =
  | Credentials
  | ((registry: string) => Credentials | undefined | Promise<Credentials | undefined>);

/**
 * The credentials for one registry host, or undefined for anonymous access.
 *
 * @throws {TypeError} when the value is neither form of credentials.
 */
export async function resolveCredentials(auth: AuthOption | undefined, registry: string): Promise<Credentials | undefined> {
  const credentials = typeof auth === "function" ? await auth(registry) : auth;
  if (credentials === undefined) return undefined;
  if (isToken(credentials) || isBasic(credentials)) return credentials;
  throw new TypeError("Invalid auth: expected { username, password }, { token } or a function returning one");
}

/** Whether the credentials are a ready bearer token. */
export function isToken(credentials: Credentials): credentials is TokenCredentials {
  return typeof (credentials as TokenCredentials).token === "string";
}

function isBasic(credentials: Credentials): credentials is BasicCredentials {
  const basic = credentials as BasicCredentials;
  return typeof basic.username === "string" && typeof basic.password === "string";
}

/** `Basic base64(user:password)`, the password encoded as UTF-8. */
export function basicAuthorization(credentials: BasicCredentials): string {
  const bytes = new TextEncoder().encode(`${credentials.username}:${credentials.password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}
