import { followLocation } from "./_address.ts";
import { discardBody } from "./_bounded_body.ts";
import { lingeringSignal } from "./_lingering_signal.ts";
import { DigestMismatchError } from "../oci/errors.ts";
import { UploadNotResumableError } from "./errors.ts";
import { responseError } from "./_response_errors.ts";
import type { Transport } from "./transport.ts";

/** How many bytes an upload session holds, from a `Range: 0-<last>` header. */
export interface UploadStatus {
  /** Bytes held: the last index + 1. `0-0` reads as 0 (see {@link UploadStatus.ambiguous}). */
  readonly size: number;
  /** True for `0-0`, which registries send both for 0 and for 1 byte held. */
  readonly ambiguous: boolean;
}

const OCTET_STREAM = "application/octet-stream";

/**
 * One blob upload session: the newest `Location` the registry gave, and the
 * requests made on it. Every request uses the newest URL, because a registry
 * (distribution 2.8 among them) cancels the session when an older one is used.
 *
 * @example A blob in one chunk, by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { RegistryClient } from "streamlayer/registry";
 *
 * const bytes = new TextEncoder().encode("hello");
 * const digest = "sha256:" + [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
 * const client = new RegistryClient("127.0.0.1:5000/demo");
 * const session = await client.startUpload();
 * const response = await session.patch(bytes, 0);
 * assert.equal(response.status, 202);
 * await session.finish(digest);
 * assert.equal((await client.headBlob(digest))?.size, bytes.length);
 * ```
 */
export class UploadSession {
  readonly #transport: Transport;
  readonly #scopes: readonly string[];
  readonly #signal: AbortSignal | undefined;
  #location: URL;
  /** The registry's `OCI-Chunk-Min-Length`, if it sent one. */
  readonly minChunkLength: number | undefined;
  /** The registry's `OCI-Chunk-Max-Length`, if it sent one (Cloudflare's serverless-registry does). */
  readonly maxChunkLength: number | undefined;

  /** A session the registry opened at `location` (what `RegistryClient.startUpload` makes). */
  constructor(transport: Transport, scopes: readonly string[], location: URL, minChunkLength: number | undefined, signal?: AbortSignal, maxChunkLength?: number) {
    this.#transport = transport;
    this.#scopes = scopes;
    this.#location = location;
    this.minChunkLength = minChunkLength;
    this.maxChunkLength = maxChunkLength;
    this.#signal = signal;
  }

  /** The newest upload URL. */
  get location(): URL {
    return this.#location;
  }

  /**
   * PATCHes bytes at `start` with `Content-Range` and `Content-Length`. Takes
   * the new `Location` of a 202 (or 201, as Amazon ECR answers) and returns the
   * response, of any status, for the caller to judge.
   *
   * @throws {RegistryError} when no response came (from the transport).
   */
  async patch(bytes: Uint8Array, start: number): Promise<Response> {
    const headers = {
      "content-type": OCTET_STREAM,
      "content-range": `${start}-${start + bytes.byteLength - 1}`,
      "content-length": String(bytes.byteLength),
    };
    const response = await this.#send("PATCH", this.#location, headers, bytes);
    if (patchTook(response.status)) this.#advance(response);
    return response;
  }

  /**
   * PATCHes a whole stream as one request body, which cannot be sent twice.
   *
   * @returns What the registry holds after it, or undefined when it did not say (no `Range`).
   * @throws {UploadNotResumableError} when the request fails, with the failure as `cause`.
   */
  async patchStream(stream: ReadableStream<Uint8Array>): Promise<UploadStatus | undefined> {
    let response: Response;
    try {
      response = await this.#send("PATCH", this.#location, { "content-type": OCTET_STREAM }, stream);
    } catch (cause) {
      if (this.#signal?.aborted) throw this.#signal.reason;
      throw new UploadNotResumableError("a streamed upload sends its body once and failed", { cause });
    }
    if (!patchTook(response.status)) {
      const cause = await responseError("PATCH", this.#location.href, response);
      throw new UploadNotResumableError(`a streamed upload sends its body once and the registry answered ${response.status}`, { cause });
    }
    await discardBody(response);
    this.#advance(response);
    return parseRange(response.headers.get("range"));
  }

  /**
   * Asks how much the registry holds (GET on the newest URL).
   *
   * @param cause The failure that made the question necessary, kept as the `cause` of an error.
   * @returns The bytes held, or undefined when the registry has no status
   * endpoint: go-containerregistry's registry answers that GET with 400, and
   * a 404 or 405 says the same of others. A PATCH then tells whether the
   * session lives.
   * @throws {UploadNotResumableError} when the registry answers without a `Range`.
   * @throws {RegistryError} when it fails otherwise.
   */
  async status(cause?: unknown): Promise<UploadStatus | undefined> {
    const response = await this.#send("GET", this.#location, {});
    if (response.status === 204 || response.status === 200) {
      await discardBody(response);
      this.#advance(response, "GET");
      const range = parseRange(response.headers.get("range"));
      if (range !== undefined) return range;
      // A page on another origin sees no Range the registry did not expose: say so.
      const { missingHeaderDetail } = await import("./_cors_hints.ts");
      throw new UploadNotResumableError(`the registry does not say how much of the upload it holds: ${missingHeaderDetail(response, "Range", this.#location)}`, { cause });
    }
    if (response.status === 400 || response.status === 404 || response.status === 405) {
      await discardBody(response);
      return undefined;
    }
    throw await responseError("GET", this.#location.href, response);
  }

  /**
   * Completes the upload: PUT `?digest=`, and checks `Docker-Content-Digest`.
   *
   * @throws {DigestMismatchError} when the registry stored another digest.
   * @throws {RegistryError} when the registry refuses.
   */
  async finish(digest: string): Promise<void> {
    const url = new URL(this.#location);
    url.searchParams.set("digest", digest);
    const response = await this.#send("PUT", url, { "content-type": OCTET_STREAM, "content-length": "0" });
    if (response.status !== 201 && response.status !== 204 && response.status !== 200) {
      throw await responseError("PUT", url.href, response);
    }
    await discardBody(response);
    const stored = response.headers.get("docker-content-digest");
    if (stored !== null && stored !== digest) throw new DigestMismatchError(digest, stored, `PUT ${url.origin}${url.pathname}`);
  }

  /**
   * Deletes the session on its newest URL, ignoring any failure: it is cleanup
   * after a failure. What it cannot delete: a session whose newest URL was
   * lost with a connection cut in the middle of a PATCH (docker-registry then
   * refuses the older URL, and keeps the partial upload until its upload
   * purging removes it, by default a week later), and any session on a
   * registry without `DELETE` for uploads (go-containerregistry's keeps it in
   * memory until it stops).
   */
  async cancel(): Promise<void> {
    try {
      const response = await this.#transport.send({
        method: "DELETE", url: this.#location, scopes: this.#scopes, signal: AbortSignal.timeout(5000),
      });
      await discardBody(response);
    } catch {
      // The session may be gone already; the registry purges stale ones anyway.
    }
  }

  // A request already on its way when the caller aborts is let finish (for a
  // while): its answer carries the newest URL, the only one cancel() can use.
  async #send(method: string, url: URL, headers: Record<string, string>, body?: Uint8Array | ReadableStream<Uint8Array>): Promise<Response> {
    this.#signal?.throwIfAborted();
    const { signal, release } = lingeringSignal(this.#signal);
    try {
      // A session's requests keep the upload's own resend rules (a chunk is judged by what the registry holds).
      return await this.#transport.send({ method, url, headers, body, scopes: this.#scopes, signal, idempotent: false });
    } finally {
      release();
    }
  }

  #advance(response: Response, method = "PATCH"): void {
    const location = response.headers.get("location");
    if (location === null) return;
    this.#location = followLocation(location, { registry: this.#transport.base, from: this.#location, method, status: response.status });
  }
}

/** Whether a PATCH's status says the registry took the bytes: 202, or 201 as Amazon ECR answers, or 204. */
export function patchTook(status: number): boolean {
  return status === 202 || status === 201 || status === 204;
}

/** Parses `Range: 0-<last>` (or `bytes=0-<last>`) into the number of bytes held. */
export function parseRange(header: string | null): UploadStatus | undefined {
  const match = /^(?:bytes=)?0-(\d+)$/.exec(header?.trim() ?? "");
  if (!match) return undefined;
  const last = Number(match[1]);
  return last === 0 ? { size: 0, ambiguous: true } : { size: last + 1, ambiguous: false };
}

