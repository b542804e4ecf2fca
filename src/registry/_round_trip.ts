// The transport is a stack of round trips, like go-containerregistry's
// `http.RoundTripper`s: each layer takes a request, does its part, and asks the
// one below. Every request goes through the same stack, the token server's too:
//
//   authentication (Transport: ping, Basic or Bearer, a 401 answered once)
//   └─ retry        (_retrying.ts: idempotent requests, 408 429 5xx and no answer)
//      └─ redirects (_redirects.ts: by hand, the private-address rule, credentials kept home)
//         └─ fetch  (fetchRoundTrip: typed failures)
//            └─ timeout and progress floor (_timeout_fetch.ts, around the given fetch)
import { RegistryError } from "./errors.ts";
import { networkFailureHint } from "./_network_failure_hints.ts";
import { redactUrl } from "./errors.ts";

/** One HTTP request as the layers of the transport pass it down. */
export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string | ReadableStream<Uint8Array>;
  readonly signal?: AbortSignal;
  /** Whether it may be sent again after a failure. @default true for GET and HEAD */
  readonly idempotent?: boolean;
  /** Whether a redirect is followed; when false, it is the answer. @default true */
  readonly followRedirects?: boolean;
}

/** A layer of the transport, or the whole of it. */
export type RoundTrip = (request: HttpRequest) => Promise<Response>;

/**
 * The bottom of the stack: one `fetch`, with redirects left to the layer
 * above (`redirect: "manual"`), and a failure with no answer turned into a
 * {@link RegistryError} that names the request (temporary unless the runtime
 * says that asking again cannot help). A timeout or an abort passes as it is.
 */
export function fetchRoundTrip(fetcher: typeof fetch): RoundTrip {
  return async (request) => {
    const { method, url, signal } = request;
    const init: RequestInit & { duplex?: "half" } = { method, headers: { ...request.headers }, signal, redirect: "manual" };
    if (request.body !== undefined) {
      init.body = request.body as BodyInit;
      if (request.body instanceof ReadableStream) init.duplex = "half";
    }
    try {
      const response = await fetcher(url, init);
      // A browser hides a manual redirect; let it follow instead (it drops Authorization across origins).
      if (response.type === "opaqueredirect" && request.followRedirects !== false) return await fetcher(url, { ...init, redirect: "follow" });
      return response;
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      if (cause instanceof RegistryError) throw cause;
      const hint = await networkFailureHint(cause, url);
      throw new RegistryError({ method, url: url.href, cause, detail: [describe(cause, url), hint.detail].filter(Boolean).join(": "), temporary: hint.temporary });
    }
  };
}

// Some runtimes (Deno) repeat the whole URL in the message, query and all.
function describe(cause: unknown, url: URL): string {
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof inner?.code === "string" ? inner.code : undefined;
  const message = (cause instanceof Error ? cause.message : String(cause)).replaceAll(url.href, redactUrl(url.href));
  return code ? `${message} (${code})` : message;
}
