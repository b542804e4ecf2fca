// A token server for registry token auth (the "Docker Registry v2 token" flow),
// for tests only. It signs ES256 JWTs with a key the tests generate, and the
// registry trusts it through `rootcertbundle` (a self-signed certificate). The
// token names its key both ways: libtrust's `kid` (distribution 2.x) and the
// certificate in `x5c` (what distribution v3 verifies; 2.x takes it first).
import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** The account the token server grants push and pull to. */
export interface TokenServerUser {
  username: string;
  password: string;
}

export interface TokenServerOptions {
  /** A directory for the key and certificate. */
  dir: string;
  /** The account granted push and pull; anonymous requests get nothing. */
  user: TokenServerUser;
  /** The registry's `service` name. @default "streamlayer-test" */
  service?: string;
  /** The lifetime of tokens, announced in `expires_in`. @default 300 */
  ttlSeconds?: number;
  /** Headers added to every answer, such as CORS headers; with them, an OPTIONS preflight is answered 204. @default none */
  headers?: Record<string, string[]>;
  /**
   * How a token names its signing key in its header: `kid` (libtrust's key ID,
   * which distribution 2.x looks up in its root bundle), `x5c` (the
   * certificate itself, which distribution v3 verifies against the bundle;
   * 2.x does too, and takes it before `kid`), or both.
   * @default "both"
   */
  keyIn?: "kid" | "x5c" | "both";
}

export interface TokenServer {
  /** The realm URL: `http://127.0.0.1:PORT/token`. */
  realm: string;
  service: string;
  issuer: string;
  /** The PEM certificate the registry must trust. */
  certPath: string;
  /**
   * An identity (OAuth2 refresh) token for the user, traded for an access
   * token by `POST /token` with `grant_type=refresh_token`, as docker does.
   */
  identityToken: string;
  /** How many tokens were issued so far. */
  readonly issued: number;
  /** The scopes asked for, in order. */
  readonly scopes: readonly string[];
  /** Signs a token for `repository:<name>:push,pull` expiring `expiresIn` seconds from now (negative: already expired). */
  sign(repository: string, expiresIn: number, keyIn?: "kid" | "x5c" | "both"): string;
  stop(): Promise<void>;
}

/** Starts a token server on 127.0.0.1 with an ephemeral port. */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const service = options.service ?? "streamlayer-test";
  const issuer = "streamlayer-test-issuer";
  const ttl = options.ttlSeconds ?? 300;
  const keyPath = join(options.dir, "token.key");
  const certPath = join(options.dir, "token.crt");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", "/CN=streamlayer-test-token",
  ], { stdio: "ignore" });
  const privateKey = createPrivateKey(readFileSync(keyPath));
  const kid = libtrustKeyID(createPublicKey(privateKey).export({ type: "spki", format: "der" }));
  // The certificate as x5c carries it: standard base64 of its DER.
  const x5c = [new X509Certificate(readFileSync(certPath)).raw.toString("base64")];
  const keyIn = options.keyIn ?? "both";

  let issued = 0;
  const scopes: string[] = [];

  const signToken = (access: Array<{ type: string; name: string; actions: string[] }>, expiresIn: number, named = keyIn): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "ES256", typ: "JWT", ...(named === "x5c" ? {} : { kid }), ...(named === "kid" ? {} : { x5c }) };
    const claims = { iss: issuer, sub: options.user.username, aud: service, iat: now, nbf: now - 5, exp: now + expiresIn, jti: randomUUID(), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" });
    return `${input}.${signature.toString("base64url")}`;
  };

  const identityToken = randomUUID();
  const grant = (scopeList: string[], authorized: boolean): string => {
    const access = scopeList.flatMap((scope) => {
      scopes.push(scope);
      const [type, name, actions] = scope.split(":");
      if (type !== "repository" || name === undefined || actions === undefined || !authorized) return [];
      return [{ type, name, actions: actions.split(",").filter((a) => a === "push" || a === "pull") }];
    });
    issued += 1;
    return signToken(access, ttl);
  };

  // The OAuth2 form: a refresh token (identity token) for an access token.
  const handlePost = (request: IncomingMessage, response: ServerResponse): void => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const form = new URLSearchParams(body);
      if (form.get("grant_type") !== "refresh_token" || form.get("refresh_token") !== identityToken) {
        response.writeHead(401, { "content-type": "application/json" }).end('{"details":"invalid refresh token"}');
        return;
      }
      const token = grant((form.get("scope") ?? "").split(" ").filter(Boolean), true);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ access_token: token, expires_in: ttl, scope: form.get("scope") ?? "" }));
    });
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/token") {
      response.writeHead(404).end();
      return;
    }
    if (request.method === "POST") {
      handlePost(request, response);
      return;
    }
    const authorized = isUser(request.headers.authorization, options.user);
    if (request.headers.authorization !== undefined && !authorized) {
      response.writeHead(401, { "content-type": "application/json" }).end('{"details":"bad credentials"}');
      return;
    }
    const token = grant(url.searchParams.getAll("scope"), authorized);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ token, access_token: token, expires_in: ttl, issued_at: new Date().toISOString() }));
  };

  const server = createServer(options.headers ? withHeaders(options.headers, handle) : handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    identityToken,
    get issued() {
      return issued;
    },
    scopes,
    sign: (repository, expiresIn, named) => signToken([{ type: "repository", name: repository, actions: ["push", "pull"] }], expiresIn, named),
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function isUser(header: string | undefined, user: TokenServerUser): boolean {
  if (header === undefined || !header.startsWith("Basic ")) return false;
  return Buffer.from(header.slice(6), "base64").toString() === `${user.username}:${user.password}`;
}

function b64url(text: string): string {
  return Buffer.from(text).toString("base64url");
}

// The registry finds the signing key by `kid`: libtrust's key ID, the first 240
// bits of the SHA-256 of the DER public key, in base32, in groups of four.
function libtrustKeyID(spki: Buffer): string {
  const digest = createHash("sha256").update(spki).digest().subarray(0, 30);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of digest) {
    value = ((value << 8) | byte) & 0x1fff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join(":");
}

function withHeaders(headers: Record<string, string[]>, handle: (request: IncomingMessage, response: ServerResponse) => void) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    for (const [name, values] of Object.entries(headers)) response.setHeader(name, values.join(", "));
    if (request.method === "OPTIONS") return void response.writeHead(204).end();
    handle(request, response);
  };
}
