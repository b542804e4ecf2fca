import { assertSafeTarget } from "./_address.ts";
import { basicAuthorization, type Credentials, type IdentityTokenCredentials, isIdentityToken, isToken } from "./credentials.ts";
import { discardBody, MAX_TOKEN_BODY, readJsonObject } from "./_bounded_body.ts";
import { AuthError, RegistryError } from "./errors.ts";
import { readRegistryErrors } from "./_response_errors.ts";
import type { RoundTrip } from "./_round_trip.ts";
import type { Challenge } from "./www_authenticate.ts";

// The lifetime the token specification gives a token that announces none.
const DEFAULT_EXPIRES_IN = 60;
const REDIRECTS = [301, 302, 303, 307, 308];
// The OAuth2 client the token server is told of, as go-containerregistry names itself.
const CLIENT_ID = "streamlayer";

// A token server may answer the grant with a new refresh token (OAuth2
// rotation): the next grant to that realm with the same credentials sends it
// instead, as go-containerregistry does. Held per credentials object, so it
// lives as long as the transport that holds them.
const rotated = new WeakMap<IdentityTokenCredentials, Map<string, string>>();

/** A token and its announced lifetime in seconds. */
export interface FetchedToken {
  readonly token: string;
  readonly expiresIn: number;
}

/** What {@link fetchToken} needs. */
export interface FetchTokenInit {
  readonly challenge: Challenge;
  readonly scopes: readonly string[];
  readonly credentials: Credentials | undefined;
  /** The registry's base URL, to refuse a realm that points elsewhere at a private address. */
  readonly registry: URL;
  /** The transport's stack below authentication: timeout, redirects, retry. */
  readonly roundTrip: RoundTrip;
  readonly signal?: AbortSignal;
}

/**
 * Asks a Bearer challenge's realm for a token (the registry token flow):
 * a `GET`, anonymous or with basic credentials; or, for an identity token, the
 * OAuth2 refresh-token grant, a `POST` of a form, as docker does. Accepts
 * `token` or `access_token`. Both go through the transport's own stack (its
 * timeout, redirect rules and retries: both requests may be sent again).
 *
 * @throws {AuthError} when the token server refuses the credentials or returns no token, or when an
 * HTTPS registry's realm is plain HTTP and there are credentials to send.
 * @throws {RegistryError} when the token server fails otherwise.
 * @throws {UnsafeRedirectError} when the realm, or a redirect from it, points another host at a private address.
 */
export async function fetchToken(init: FetchTokenInit): Promise<FetchedToken> {
  const { realm, service } = init.challenge.params;
  const identity = init.credentials && isIdentityToken(init.credentials) ? init.credentials : undefined;
  const method = identity ? "POST" : "GET";
  if (!realm) throw new AuthError({ method, url: init.registry.href, status: 401, detail: "the Bearer challenge has no realm" });
  let url: URL;
  try {
    url = new URL(realm);
  } catch (cause) {
    throw new AuthError({ method, url: init.registry.href, status: 401, cause, detail: `the Bearer realm is not a URL` });
  }
  assertSafeTarget(init.registry, url);
  // An HTTPS registry whose realm is plain HTTP would have the secret cross the network in the clear.
  if (init.credentials && !isToken(init.credentials) && url.protocol === "http:" && init.registry.protocol === "https:") {
    throw new AuthError({ method, url: url.href, status: 401, detail: "refused to send credentials to a plain-HTTP token realm of an HTTPS registry" });
  }

  const response = identity ? await postRefreshGrant(url, identity, init) : await getToken(url, init);
  const answered = new URL(response.url || url.href);
  if (!response.ok) {
    const errors = await readRegistryErrors(response);
    const detail = identity ? "the token server refused the identity token" : "the token server refused";
    const failure = { method, url: answered.href, status: response.status, errors, detail };
    // OAuth2 answers a refused grant (`invalid_grant`) with 400.
    const refused = response.status === 401 || response.status === 403 || (identity !== undefined && response.status === 400);
    throw refused ? new AuthError(failure) : new RegistryError(failure);
  }
  const body = (await readJsonObject(response, MAX_TOKEN_BODY)) as { token?: unknown; access_token?: unknown; expires_in?: unknown; refresh_token?: unknown } | undefined;
  if (body === undefined) {
    throw new AuthError({ method, url: answered.href, status: response.status, detail: `the token server's answer is larger than ${MAX_TOKEN_BODY / 1024 / 1024} MiB` });
  }
  const token = typeof body.token === "string" && body.token !== "" ? body.token : body.access_token;
  if (typeof token !== "string" || token === "") {
    throw new AuthError({ method, url: answered.href, status: response.status, detail: "the token server returned no token" });
  }
  if (identity && typeof body.refresh_token === "string" && body.refresh_token !== "") {
    const byRealm = rotated.get(identity) ?? new Map<string, string>();
    byRealm.set(grantKey(url, service), body.refresh_token);
    rotated.set(identity, byRealm);
  }
  const expiresIn = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_EXPIRES_IN;
  return { token, expiresIn };
}

async function getToken(realm: URL, init: FetchTokenInit): Promise<Response> {
  const url = new URL(realm);
  const { service } = init.challenge.params;
  if (service) url.searchParams.set("service", service);
  for (const scope of init.scopes) url.searchParams.append("scope", scope);
  const headers: Record<string, string> = { accept: "application/json" };
  if (init.credentials && !isToken(init.credentials)) {
    const authorization = basicAuthorization(init.credentials);
    if (authorization !== undefined) headers.authorization = authorization;
  }
  // Redirects by the transport's rules: the private-address rule for each hop, the credentials kept to the realm's origin.
  return init.roundTrip({ method: "GET", url, headers, signal: init.signal, idempotent: true });
}

// The identity token travels in the body of a POST to the realm itself, and
// nowhere else: a redirect is an answer, not a place to send it again.
async function postRefreshGrant(url: URL, credentials: IdentityTokenCredentials, init: FetchTokenInit): Promise<Response> {
  const { service } = init.challenge.params;
  const refreshToken = rotated.get(credentials)?.get(grantKey(url, service)) ?? credentials.identityToken;
  const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: CLIENT_ID });
  if (service) form.set("service", service);
  if (init.scopes.length > 0) form.set("scope", init.scopes.join(" "));
  const response = await init.roundTrip({
    method: "POST",
    url,
    headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    signal: init.signal,
    idempotent: true,
    followRedirects: false,
  });
  if (REDIRECTS.includes(response.status) || response.type === "opaqueredirect") {
    await discardBody(response);
    throw new RegistryError({ method: "POST", url: url.href, status: response.status, detail: "the token realm redirected the identity token's grant; it is sent to the realm only" });
  }
  return response;
}

function grantKey(realm: URL, service: string | undefined): string {
  return `${realm.href} ${service ?? ""}`;
}
