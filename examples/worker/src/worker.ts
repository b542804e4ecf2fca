// A Cloudflare Worker with two jobs, both for callers that hold its PUSH_TOKEN:
//   POST /push/<repository>:<tag>  the request body (a .tar, or a .tar.gz sent
//        as Content-Type: application/gzip) becomes the one layer of a new
//        image, streamed to the registry as it arrives: never held whole.
//   /v2/...  a registry API in front of the registry: the caller proves it
//        holds PUSH_TOKEN, the Worker speaks to the registry with its own
//        credentials. The caller never sees them.
// Configuration (see README.md): REGISTRY in wrangler.toml's [vars];
// PUSH_TOKEN, REGISTRY_USERNAME and REGISTRY_PASSWORD as secrets.
import { appendLayers, CompressedStreamLayer, emptyImage, InvalidLayerSourceError, isStreamLayerError, StreamLayer, writeImage, type BasicCredentials } from "streamlayer";
import { Transport } from "streamlayer/registry";

export interface Env {
  /** The registry, host[:port] (wrangler.toml [vars]). HTTPS unless it is loopback. */
  REGISTRY?: string;
  /** The shared secret a caller sends as `Authorization: Bearer <PUSH_TOKEN>` (`wrangler secret put PUSH_TOKEN`). */
  PUSH_TOKEN?: string;
  /** The registry account (a var or a secret); with REGISTRY_PASSWORD, or neither for an anonymous registry. */
  REGISTRY_USERNAME?: string;
  /** The registry password or access token (`wrangler secret put REGISTRY_PASSWORD`). */
  REGISTRY_PASSWORD?: string;
}

/** What the Worker runs with once its configuration is complete. */
interface Config {
  readonly registry: string;
  readonly pushToken: string;
  readonly credentials: BasicCredentials | undefined;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const route = url.pathname.startsWith("/v2/") ? "registry" : request.method === "POST" && url.pathname.startsWith("/push/") ? "push" : undefined;
    if (route === undefined) return new Response("POST /push/<repository>:<tag> with a tarball, or use /v2/ as a registry; both need Authorization: Bearer <PUSH_TOKEN>\n", { status: 404 });
    const config = readConfig(env);
    if (typeof config === "string") return Response.json({ error: config }, { status: 500 });
    if (!(await holdsPushToken(request, config.pushToken))) return refuse(route);
    if (route === "push") return push(request, url.pathname.slice("/push/".length), config);
    return proxy(request, url, config);
  },
};

/** The configuration, or what the operator has to set, named. */
function readConfig(env: Env): Config | string {
  const missing: string[] = [];
  if (!env.REGISTRY) missing.push(`REGISTRY (the registry's host[:port], in wrangler.toml's [vars])`);
  if (!env.PUSH_TOKEN) missing.push("PUSH_TOKEN (a secret: `wrangler secret put PUSH_TOKEN`; in .dev.vars for `wrangler dev`)");
  if (Boolean(env.REGISTRY_USERNAME) !== Boolean(env.REGISTRY_PASSWORD)) {
    missing.push(env.REGISTRY_USERNAME ? "REGISTRY_PASSWORD (a secret: `wrangler secret put REGISTRY_PASSWORD`), or unset REGISTRY_USERNAME for an anonymous registry" : "REGISTRY_USERNAME (beside REGISTRY_PASSWORD)");
  }
  if (env.REGISTRY && !/^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:]+\](:\d+)?$/i.test(env.REGISTRY)) {
    return `This Worker is misconfigured: REGISTRY must be a host[:port] such as ghcr.io or registry.internal:5000, not ${JSON.stringify(env.REGISTRY)}`;
  }
  if (missing.length > 0) return `This Worker is not configured: set ${missing.join("; ")}`;
  const credentials = env.REGISTRY_USERNAME && env.REGISTRY_PASSWORD ? { username: env.REGISTRY_USERNAME, password: env.REGISTRY_PASSWORD } : undefined;
  return { registry: env.REGISTRY!, pushToken: env.PUSH_TOKEN!, credentials };
}

/**
 * Whether the request carries PUSH_TOKEN: as `Authorization: Bearer <token>`,
 * or as the password of Basic auth (any user name), which is what `docker
 * login`, crane and skopeo send to the /v2/ API. Compared in constant time:
 * both sides are hashed, and the hashes compared byte by byte to the end.
 */
async function holdsPushToken(request: Request, pushToken: string): Promise<boolean> {
  const authorization = request.headers.get("authorization") ?? "";
  const bearer = /^Bearer +(\S+)$/i.exec(authorization)?.[1];
  const basic = /^Basic +(\S+)$/i.exec(authorization)?.[1];
  let offered = bearer;
  if (offered === undefined && basic !== undefined) {
    try {
      const decoded = atob(basic);
      offered = decoded.slice(decoded.indexOf(":") + 1);
    } catch {
      return false;
    }
  }
  if (offered === undefined) return false;
  const [given, expected] = await Promise.all([sha256(offered), sha256(pushToken)]);
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= given[i]! ^ expected[i]!;
  return difference === 0;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function refuse(route: "push" | "registry"): Response {
  // The /v2/ API offers Basic, so that registry clients log in with PUSH_TOKEN as the password.
  const challenge = route === "registry" ? `Basic realm="streamlayer-push"` : `Bearer realm="streamlayer-push"`;
  return Response.json(
    { errors: [{ code: "UNAUTHORIZED", message: "Send this Worker's PUSH_TOKEN as Authorization: Bearer <PUSH_TOKEN>" }] },
    { status: 401, headers: { "www-authenticate": challenge } },
  );
}

async function push(request: Request, image: string, config: Config): Promise<Response> {
  if (!request.body) return Response.json({ error: "The body must be a tarball" }, { status: 400 });
  const gzip = /^application\/(x-)?gzip\b/.test(request.headers.get("content-type") ?? "");
  const layer = gzip ? new CompressedStreamLayer(request.body) : new StreamLayer(request.body);
  try {
    const manifest = await writeImage(`${config.registry}/${image}`, appendLayers(emptyImage(), layer), { auth: config.credentials });
    return Response.json({ manifest: manifest.digest, layer: layer.computed() });
  } catch (error) {
    const status = isStreamLayerError(error) && error.code === "INVALID_LAYER_SOURCE" ? 400 : 502;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // Here a .tar.gz is pushed as it is when the caller says what it is.
    const hint = error instanceof InvalidLayerSourceError && error.found === "gzip" ? "; to push a .tar.gz as it is, send it with Content-Type: application/gzip" : "";
    return Response.json({ error: message + hint }, { status });
  }
}

/**
 * Passes a registry API request on with the Worker's credentials (the
 * caller's Authorization, which holds PUSH_TOKEN, stays here): streamlayer's
 * Transport answers the registry's Basic or Bearer challenge. The registry
 * writes upload Locations for its own origin; they are turned back into
 * this origin's paths.
 */
async function proxy(request: Request, url: URL, config: Config): Promise<Response> {
  if (url.pathname === "/v2/") return Response.json({});
  const transport = new Transport({ base: new URL(registryOrigin(config.registry)), auth: config.credentials });
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) if (!["authorization", "host", "cookie"].includes(name) && !name.startsWith("cf-")) headers[name] = value;
  let answer: Response;
  try {
    answer = await transport.send({
      method: request.method,
      url: new URL(`${url.pathname}${url.search}`, transport.base),
      scopes: scopesOf(request.method, url),
      headers,
      body: request.body ?? undefined,
    });
  } catch (error) {
    // The registry could not be reached, or refused the Worker's credentials at its token server.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return Response.json({ errors: [{ code: "UNAVAILABLE", message }] }, { status: 502 });
  }
  const location = answer.headers.get("location");
  if (location === null) return answer;
  const target = new URL(location, transport.base);
  if (target.origin !== transport.base.origin) return answer;
  const rewritten = new Headers(answer.headers);
  rewritten.set("location", `${target.pathname}${target.search}`);
  return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers: rewritten });
}

/** The token scopes a registry request needs: its repository's (push unless it only reads), and a mount's source. */
function scopesOf(method: string, url: URL): string[] {
  const repository = /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(url.pathname)?.[1];
  if (repository === undefined) return [];
  const reads = method === "GET" || method === "HEAD";
  const scopes = [`repository:${repository}:${reads ? "pull" : "pull,push"}`];
  const from = url.searchParams.get("from");
  if (from) scopes.push(`repository:${from}:pull`);
  return scopes;
}

function registryOrigin(registry: string): string {
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(registry);
  return `${loopback ? "http" : "https"}://${registry}`;
}
