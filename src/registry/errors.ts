import { StreamLayerError, type StreamLayerErrorCode } from "../errors.ts";

/** One entry of the `errors` array a registry returns in an error body. */
export interface RegistryErrorDetail {
  /** The registry's code, such as `BLOB_UPLOAD_INVALID`, `DENIED` or `UNAUTHORIZED`. */
  readonly code: string;
  /** The registry's message for people. */
  readonly message?: string;
  /** Whatever else the registry attached, as it sent it. */
  readonly detail?: unknown;
}

/** What a {@link RegistryError} is made from. */
export interface RegistryErrorInit {
  /** The HTTP method of the request that failed. */
  readonly method: string;
  /** The URL; its query is dropped so that upload state and tokens never show. */
  readonly url: string;
  /** The HTTP status, or undefined when no response came (a network failure). */
  readonly status?: number;
  /** The `errors` of the registry's error body. */
  readonly errors?: readonly RegistryErrorDetail[];
  /** Whether trying again may succeed. @default derived from the status */
  readonly temporary?: boolean;
  /** The cause, and a detail for the message. */
  readonly cause?: unknown;
  /** A detail for the message. */
  readonly detail?: string;
}

/**
 * The text is not a valid image reference. The message says which part is wrong.
 *
 * @example Reporting a bad reference
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidReferenceError, parseReference } from "streamlayer";
 *
 * assert.throws(() => parseReference("Team/App"), (error) => error instanceof InvalidReferenceError && error.message.includes('"Team"'));
 * ```
 */
export class InvalidReferenceError extends StreamLayerError {
  /** Always `"InvalidReferenceError"`. */
  override readonly name = "InvalidReferenceError";
  /** The text that was given, credentials removed. */
  readonly reference: string;

  /** Makes the error from the reference and what is wrong with it. */
  constructor(reference: string, problem: string) {
    super("INVALID_REFERENCE", `Invalid reference "${reference}": ${problem}`);
    this.reference = reference;
  }
}

/**
 * A registry answered with an error, or could not be reached.
 *
 * Carries the method, the URL without its query (no upload state, no secrets),
 * the HTTP status, the registry's error codes, and whether a retry may help,
 * like go-containerregistry's `transport.Error`.
 *
 * @example Reading the registry's error codes
 * ```ts
 * import assert from "node:assert/strict";
 * import { pullImage, RegistryError } from "streamlayer";
 *
 * await assert.rejects(pullImage("127.0.0.1:5000/demo:no-such-tag"), (error) =>
 *   error instanceof RegistryError && error.status === 404 && error.codes.includes("MANIFEST_UNKNOWN"));
 * ```
 */
export class RegistryError extends StreamLayerError {
  // string, not the literal: TimeoutError and AuthError name themselves.
  /** `"RegistryError"`, or the subclass's name. */
  override readonly name: string = "RegistryError";
  /** The HTTP method of the request that failed. */
  readonly method: string;
  /** The request's URL, without its query, so that upload state and tokens never show. */
  readonly url: string;
  /** The HTTP status, or undefined when no answer came. */
  readonly status: number | undefined;
  /** The `errors` of the registry's error body; empty when it sent none. */
  readonly errors: readonly RegistryErrorDetail[];
  /** Whether trying again may succeed (a 408, 429 or 5xx, or no answer). */
  readonly temporary: boolean;

  /** Makes the error from the failed request and the registry's answer. */
  constructor(init: RegistryErrorInit, code: StreamLayerErrorCode = "REGISTRY_ERROR") {
    const url = redactUrl(init.url);
    const codes = (init.errors ?? []).map((error) => error.code);
    const what = init.status === undefined ? "no response" : `HTTP ${init.status}`;
    const detail = [codes.join(", "), init.detail].filter(Boolean).join(": ");
    super(code, `Registry request failed: ${init.method} ${url}: ${what}${detail ? `: ${detail}` : ""}`, { cause: init.cause });
    this.method = init.method;
    this.url = url;
    this.status = init.status;
    this.errors = init.errors ?? [];
    this.temporary = init.temporary ?? isTemporaryStatus(init.status);
  }

  /** The registry's error codes, such as `["BLOB_UPLOAD_UNKNOWN"]`. */
  get codes(): string[] {
    return this.errors.map((error) => error.code);
  }
}

/**
 * A registry, its token server or its storage made no progress for the
 * `timeout` given to the client (default 60 s): no response headers, or no
 * body bytes moving, for that long; or a body moved slower than the
 * `minSpeed` floor (default 1 KiB/s) for that long. The request was aborted. Trying again
 * may succeed (`temporary` is true), but the operation that timed out is not
 * retried by itself: a registry that stopped answering is not asked again and again.
 *
 * @example Telling a hung registry apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { TimeoutError } from "streamlayer";
 *
 * // What writeLayer(…, { timeout: 10_000 }) throws when the registry stops answering:
 * const error = new TimeoutError({ method: "PATCH", url: "http://127.0.0.1:5000/v2/demo/blobs/uploads/1" }, 10_000);
 * assert.ok(error instanceof TimeoutError);
 * assert.equal(error.code, "TIMEOUT");
 * assert.equal(error.temporary, true);
 * ```
 */
export class TimeoutError extends RegistryError {
  /** Always `"TimeoutError"`. */
  override readonly name = "TimeoutError";
  /** The limit that passed without progress, in milliseconds. */
  readonly timeout: number;

  /**
   * Makes the error from the request that stalled and the limit that passed.
   *
   * @param timeout The limit, in milliseconds.
   * @param stall How the request stalled. @default "no progress for <timeout> ms"
   */
  constructor(init: Omit<RegistryErrorInit, "status" | "temporary">, timeout: number, stall = `no progress for ${timeout} ms`) {
    super({ ...init, status: undefined, temporary: true }, "TIMEOUT");
    // The request may have had its answer's headers: "no response" would mislead.
    this.message = `Registry request timed out: ${this.method} ${this.url}: ${stall}${init.detail ? `: ${init.detail}` : ""}`;
    this.timeout = timeout;
  }
}

/**
 * The registry or its token server refused the credentials, or gave no token
 * (HTTP 401 or 403, or a token endpoint that failed).
 *
 * @example Telling refused credentials apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuthError } from "streamlayer";
 * import { RegistryClient } from "streamlayer/registry";
 *
 * const refusal = (error: unknown) => (error instanceof AuthError ? `refused: ${error.status}` : undefined);
 * const client = new RegistryClient("127.0.0.1:5000/demo", { auth: { token: "not-a-token" } });
 * // This registry asks for no credentials, so the token is not refused:
 * assert.equal(await client.headBlob("sha256:" + "0".repeat(64)).then(() => undefined, refusal), undefined);
 * assert.equal(refusal(new AuthError({ method: "HEAD", url: "http://127.0.0.1:5000/v2/demo/blobs/sha256:0", status: 401 })), "refused: 401");
 * ```
 */
export class AuthError extends RegistryError {
  /** Always `"AuthError"`. */
  override readonly name = "AuthError";
  /** Makes the error from the refused request and the registry's answer. */
  constructor(init: RegistryErrorInit) {
    super({ ...init, temporary: false }, "AUTH");
  }
}

/**
 * An upload failed in a way that would need bytes already gone: the registry
 * dropped the upload session (or never confirmed what it took), and the layer's
 * read-once stream cannot be replayed. Push again from a new source.
 *
 * `cause` holds the failure that started it.
 *
 * @example Pushing again from a new source when the first push cannot go on
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamLayer, UploadNotResumableError, writeLayer } from "streamlayer";
 *
 * const tarball = () => new Blob([new Uint8Array(1024)]).stream();
 * const push = () => writeLayer("127.0.0.1:5000/demo", new StreamLayer(tarball())); // a new read-once stream each time
 * const descriptor = await push().catch((error) => {
 *   if (!(error instanceof UploadNotResumableError)) throw error;
 *   return push();
 * });
 * assert.match(descriptor.digest, /^sha256:[0-9a-f]{64}$/);
 * ```
 */
export class UploadNotResumableError extends StreamLayerError {
  /** Always `"UploadNotResumableError"`. */
  override readonly name = "UploadNotResumableError";
  /** Makes the error from the reason the upload cannot go on. */
  constructor(reason: string, options?: ErrorOptions) {
    super("UPLOAD_NOT_RESUMABLE", `Upload cannot be resumed: ${reason}: the read-once stream cannot be replayed`, options);
  }
}

/**
 * A registry pointed a request (an upload `Location`, a redirect, a token
 * realm) from its own host at a loopback, private or link-local address of
 * another host, which a public registry has no business doing; or at a
 * scheme other than HTTP(S), or from HTTPS down to plain HTTP.
 *
 * @example Recognising a refused redirect
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStreamLayerError, UnsafeRedirectError } from "streamlayer";
 *
 * const isUnsafeRedirect = (error: unknown) => isStreamLayerError(error) && error.code === "UNSAFE_REDIRECT";
 * assert.equal(isUnsafeRedirect(new UnsafeRedirectError("https://registry.example/v2/", "http://registry.example/v2/")), true);
 * assert.equal(isUnsafeRedirect(new Error("other")), false);
 * ```
 */
export class UnsafeRedirectError extends StreamLayerError {
  /** Always `"UnsafeRedirectError"`. */
  override readonly name = "UnsafeRedirectError";
  /** The refused target, without its query. */
  readonly url: string;

  /**
   * Makes the error from where the registry was and where it pointed.
   *
   * @param reason What is wrong with `to`. @default "a private address"
   */
  constructor(from: string, to: string, reason = "a private address") {
    super("UNSAFE_REDIRECT", `Refused to follow the registry at ${redactUrl(from)} to ${reason}: ${redactUrl(to)}`);
    this.url = redactUrl(to);
  }
}

/**
 * A blob read from a registry (or a layout) is not the size its descriptor
 * gives: longer (the read is cut at the first byte past the size, so a
 * hostile registry cannot stream for ever) or shorter. The stream errors with
 * it instead of ending cleanly, so no consumer takes the wrong bytes for the blob.
 *
 * @example Telling a truncated blob apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { SizeMismatchError } from "streamlayer";
 *
 * const error = new SizeMismatchError("sha256:" + "a".repeat(64), 100, 60, "GET http://127.0.0.1:5000/v2/demo/blobs/sha256:aaaa");
 * assert.equal(error.code, "SIZE_MISMATCH");
 * assert.equal(error.expected, 100);
 * assert.equal(error.actual, 60);
 * ```
 */
export class SizeMismatchError extends StreamLayerError {
  /** Always `"SizeMismatchError"`. */
  override readonly name = "SizeMismatchError";
  /** The digest of the blob read. */
  readonly digest: string;
  /** The size the descriptor gives. */
  readonly expected: number;
  /** The bytes read: the whole body when shorter, `expected + 1` when longer (nothing past it is read). */
  readonly actual: number;

  /** Makes the error; `where` names the request or file, for the message. */
  constructor(digest: string, expected: number, actual: number, where: string) {
    const got = actual > expected ? `more than ${expected} bytes` : `${actual} bytes`;
    super("SIZE_MISMATCH", `Size mismatch: ${where}: expected ${expected} bytes for ${digest}, got ${got}`);
    this.digest = digest;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Drops the query, the fragment and any user info: upload state and tokens live there. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return url.replace(/[?#].*$/, "");
  }
}

function isTemporaryStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}
