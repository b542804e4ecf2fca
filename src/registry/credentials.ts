/** A user name and password (or an access token used as a password, as Docker Hub and GHCR accept). */
export interface BasicCredentials {
  /** The user name. */
  readonly username: string;
  /** The password, or an access token used as one. */
  readonly password: string;
}

/** A ready bearer token, sent as `Authorization: Bearer <token>` without asking a token server. */
export interface TokenCredentials {
  /** The bearer token. */
  readonly token: string;
}

/**
 * A Docker identity token: an OAuth2 refresh token, what a credential helper
 * returns with `<token>` as its user name (`identitytoken` in config.json).
 * It is traded at the registry's own token realm for short-lived access
 * tokens (a `POST` with `grant_type=refresh_token`, as docker and
 * go-containerregistry do), again whenever one expires or is refused; it is
 * never sent to the registry itself, and only to an HTTPS realm of an HTTPS
 * registry.
 *
 * @example Pushing with what a credential helper returned
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamLayer, createTarStream, writeLayer } from "streamlayer";
 *
 * // What `docker-credential-<name> get` printed for the registry.
 * const helper = { Username: "<token>", Secret: "eyJhbGciOiJSUzI1NiJ9.refresh" };
 * const auth = helper.Username === "<token>" ? { identityToken: helper.Secret } : { username: helper.Username, password: helper.Secret };
 * const layer = new StreamLayer(createTarStream([{ path: "hello.txt", data: "hello\n" }]));
 * const descriptor = await writeLayer("127.0.0.1:5000/team/app", layer, { auth });
 * assert.equal(descriptor.digest, await layer.digest());
 * ```
 */
export interface IdentityTokenCredentials {
  /** The refresh token. */
  readonly identityToken: string;
}

/** What a registry may be authenticated with. */
export type Credentials = BasicCredentials | TokenCredentials | IdentityTokenCredentials;

/**
 * Credentials for every registry, or a function that picks them by registry
 * host (`ghcr.io`, `127.0.0.1:5000`) and repository (`team/app`, given by
 * every client of one repository, as go-containerregistry's keychains get
 * the repository), and may return undefined for anonymous.
 */
export type AuthOption =
  | Credentials
  | ((registry: string, repository?: string) => Credentials | undefined | Promise<Credentials | undefined>);

/**
 * The credentials for one registry host (and repository, when known), or undefined for anonymous access.
 *
 * @throws {TypeError} when the value is none of the forms of credentials.
 */
export async function resolveCredentials(auth: AuthOption | undefined, registry: string, repository?: string): Promise<Credentials | undefined> {
  const credentials = typeof auth === "function" ? await auth(registry, repository) : auth;
  if (credentials === undefined) return undefined;
  if (isToken(credentials) || isIdentityToken(credentials) || isBasic(credentials)) return credentials;
  throw new TypeError("Invalid auth: expected { username, password }, { token }, { identityToken } or a function returning one");
}

/** Whether the credentials are a ready bearer token. */
export function isToken(credentials: Credentials): credentials is TokenCredentials {
  return typeof (credentials as TokenCredentials).token === "string";
}

/** Whether the credentials are an identity (OAuth2 refresh) token. */
export function isIdentityToken(credentials: Credentials): credentials is IdentityTokenCredentials {
  const identityToken = (credentials as IdentityTokenCredentials).identityToken;
  return typeof identityToken === "string" && identityToken !== "";
}

function isBasic(credentials: Credentials): credentials is BasicCredentials {
  const basic = credentials as BasicCredentials;
  return typeof basic.username === "string" && typeof basic.password === "string";
}

/** `Basic base64(user:password)`, the password encoded as UTF-8. */
export function basicAuthorization(credentials: BasicCredentials): string;
/**
 * Undefined for an identity token: it has no Basic form, and docker and
 * go-containerregistry send nothing for it to a Basic challenge.
 */
export function basicAuthorization(credentials: BasicCredentials | IdentityTokenCredentials): string | undefined;
export function basicAuthorization(credentials: BasicCredentials | IdentityTokenCredentials): string | undefined {
  if (isIdentityToken(credentials)) return undefined;
  const bytes = new TextEncoder().encode(`${credentials.username}:${credentials.password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}
