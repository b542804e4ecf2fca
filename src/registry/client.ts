import { digestLike, isVerifiableDigest } from "../hash/_pinned_digest.ts";
import { digestOf } from "../hash/_sha256.ts";
import type { AuthOption } from "./credentials.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { followLocation } from "./_address.ts";
import { discardBody, MAX_MANIFEST_BODY, readBounded } from "./_bounded_body.ts";
import { lingeringSignal } from "./_lingering_signal.ts";
import { DigestMismatchError } from "../oci/errors.ts";
import { MANIFEST_MEDIA_TYPES, OCTET_STREAM } from "../oci/media_types.ts";
import { RegistryError, redactUrl } from "./errors.ts";
import { isCutShort } from "./_timeout_fetch.ts";
import { verifiedBlob } from "./_verified_blob.ts";
import { resumingBody } from "./_resuming_body.ts";

/** How many times a manifest or a config whose body was cut short is read. */
const WHOLE_READ_ATTEMPTS = 3;
import { type Reference, parseReference } from "./reference.ts";
import { responseError } from "./_response_errors.ts";
import { TokenCache } from "./_token_cache.ts";
import { Transport } from "./transport.ts";
import { UploadSession } from "./upload_session.ts";

/** Options for {@link RegistryClient}. */
export interface RegistryClientOptions {
  /**
   * Credentials: `{ username, password }`, `{ token }` for a ready bearer token,
   * `{ identityToken }` for a Docker identity (OAuth2 refresh) token traded at
   * the token realm, or a function of the registry host and repository
   * returning one of them (or undefined), such as `dockerKeychain()` of
   * `streamlayer/keychain`.
   *
   * @default undefined (anonymous)
   */
  auth?: AuthOption;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Aborts every request of the client. @default undefined */
  signal?: AbortSignal;
  /**
   * Allow plain HTTP to a host other than `localhost`, `127.0.0.0/8` and `[::1]`.
   *
   * @default false
   */
  insecure?: boolean;
  /**
   * Milliseconds without progress after which a request ends with
   * {@link TimeoutError}: no response headers, or no body bytes moving, for
   * that long. It also bounds the retries of one request: its attempts and
   * the waits between them end within it. Where fetch streams request bodies
   * (Node), a chunk is watched as it is sent; elsewhere it counts as moving
   * at 1 MiB per `timeout` or faster (a chunk of 8 MiB gets 8 × `timeout`
   * more to be sent). `false` waits for ever. See docs/transport.md.
   *
   * @default 60_000
   */
  timeout?: number | false;
  /**
   * The progress floor, in bytes per second: a body (the answer's, or a
   * streamed request's) that moves fewer than `minSpeed × timeout / 1000`
   * bytes in a stretch of `timeout` ms spent waiting on the network ends
   * with {@link TimeoutError}, as one that stops does. Time the caller takes
   * between reads does not count. `0` keeps only the silence rule.
   *
   * @default 1024
   */
  minSpeed?: number;
}


/** A manifest as fetched: its descriptor and its exact bytes. */
export interface FetchedManifest {
  /** The manifest's descriptor: its media type, digest and size. */
  readonly descriptor: Descriptor;
  /** The manifest's exact bytes, as the digest covers them. */
  readonly bytes: Uint8Array;
}

/**
 * A client for one repository of an OCI registry (distribution API v2): blobs,
 * uploads and manifests, with auth, tokens and redirects handled by its
 * transport. {@link writeLayer} is built on it, and so is pushing an image.
 *
 * @example Check for a blob, then read a manifest
 * ```ts
 * import assert from "node:assert/strict";
 * import { RegistryClient } from "streamlayer/registry";
 *
 * const client = new RegistryClient("127.0.0.1:5000/demo", { auth: { username: "me", password: "secret" } });
 * const blob = await client.headBlob("sha256:" + "0".repeat(64));
 * assert.equal(blob, undefined); // absent
 * const manifest = await client.getManifest("latest");
 * assert.equal(manifest.descriptor.mediaType, "application/vnd.oci.image.manifest.v1+json");
 * ```
 */
export class RegistryClient {
  /** The repository, with the registry host and the scheme. */
  readonly reference: Reference;
  /** The HTTP stack, for requests this class has no method for. */
  readonly transport: Transport;
  readonly #signal: AbortSignal | undefined;

  /**
   * Makes a client for one repository; nothing is sent until the first call.
   *
   * @param repository A repository (`host/name`), a full reference, or a parsed {@link Reference}.
   * @param options Auth, fetch, signal, and whether plain HTTP is allowed.
   * @throws {InvalidReferenceError} when `repository` is not a valid reference.
   */
  constructor(repository: string | Reference, options: RegistryClientOptions = {}) {
    this.reference = typeof repository === "string" ? parseReference(repository, { insecure: options.insecure }) : repository;
    const base = new URL(`${this.reference.scheme}://${this.reference.registry}`);
    this.transport = new Transport({
      base,
      auth: options.auth,
      repository: this.reference.repository,
      fetch: options.fetch,
      tokens: new TokenCache(),
      timeout: options.timeout,
      minSpeed: options.minSpeed,
    });
    this.#signal = options.signal;
  }

  /** The signal that aborts every request of the client. */
  get signal(): AbortSignal | undefined {
    return this.#signal;
  }

  /** The scopes of this repository: `pull`, or `push,pull`. */
  scope(push: boolean): string {
    return `repository:${this.reference.repository}:${push ? "push,pull" : "pull"}`;
  }

  /**
   * Whether the registry has a blob (HEAD).
   *
   * @returns Its descriptor (media type `application/octet-stream` unless said), or undefined when absent.
   * @throws {RegistryError} when the registry fails; {@link AuthError} when it refuses.
   */
  async headBlob(digest: string): Promise<Descriptor | undefined> {
    const response = await this.#request("HEAD", `blobs/${digest}`, false);
    if (response.status === 404) return undefined;
    if (!response.ok) throw await responseError("HEAD", this.#url(`blobs/${digest}`), response);
    return { mediaType: OCTET_STREAM, digest, size: Number(response.headers.get("content-length") ?? 0) };
  }

  /**
   * Reads a blob (GET, following the registry's redirect to its storage),
   * checked as it streams: the stream errors instead of closing when the
   * bytes are not the blob. Memory stays at one chunk.
   *
   * @param digest The blob's digest, `sha256:` or `sha512:`.
   * @param size The size the descriptor gives: a longer body is cut at its first extra byte.
   * @returns The blob's bytes as a stream, which errors with {@link DigestMismatchError}
   *   or {@link SizeMismatchError} on other bytes. A body cut short is taken up where it
   *   stood (`Range`, up to 3 times); then the stream errors with a temporary {@link RegistryError}.
   * @throws {RegistryError} when the blob is absent (404) or the registry fails.
   * @throws {TypeError} when `digest` is of an algorithm that cannot be verified.
   */
  async getBlob(digest: string, size?: number): Promise<ReadableStream<Uint8Array>> {
    if (!isVerifiableDigest(digest)) throw new TypeError(`Cannot verify the blob digest "${digest}": only sha256 and sha512 are checked`);
    const response = await this.#request("GET", `blobs/${digest}`, false);
    const url = this.#url(`blobs/${digest}`);
    if (!response.ok || response.body === null) throw await responseError("GET", url, response);
    // A connection lost mid-blob is taken up again where it stood (a GET of the rest), the check spanning both.
    const reopen = async (from: number): Promise<Response> => {
      // With its end when known: go-containerregistry's registry takes no open range.
      const range = `bytes=${from}-${size === undefined ? "" : size - 1}`;
      const rest = await this.#request("GET", `blobs/${digest}`, false, { range });
      if (rest.status !== 206 && rest.status !== 200) throw await responseError("GET", url, rest);
      return rest;
    };
    return verifiedBlob(resumingBody(response.body, reopen), { digest, size }, `GET ${redactUrl(url)}`);
  }

  /**
   * Reads a small blob whole, such as an image config: at most 4 MiB, as
   * containerd and go-containerregistry allow a manifest or a config.
   *
   * @throws {RegistryError} when the blob is absent, larger than 4 MiB, or the registry fails.
   */
  async getSmallBlob(digest: string): Promise<Uint8Array> {
    return this.#readWhole(async () => {
      const response = await this.#request("GET", `blobs/${digest}`, false);
      if (!response.ok) throw await responseError("GET", this.#url(`blobs/${digest}`), response);
      return this.#readLimited(response, `blobs/${digest}`, "blob");
    });
  }

  /**
   * Mounts a blob from another repository of the same registry, without uploading it.
   *
   * @returns True when mounted; false when the registry started an upload instead (which is cancelled).
   * @throws {RegistryError} when the registry fails.
   */
  async mountBlob(digest: string, fromRepository: string): Promise<boolean> {
    const query = `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`;
    const scopes = [this.scope(true), `repository:${fromRepository}:pull`];
    const response = await this.#post(`blobs/uploads/${query}`, scopes);
    if (response.status === 201) {
      await discardBody(response);
      return true;
    }
    if (response.status !== 202) throw await responseError("POST", this.#url("blobs/uploads/"), response);
    await (await this.#session(response)).cancel();
    return false;
  }

  /**
   * Starts a blob upload (POST), for {@link chunkedUpload} or a streamed one.
   *
   * @throws {RegistryError} when the registry refuses; {@link AuthError} on 401/403.
   */
  async startUpload(): Promise<UploadSession> {
    const response = await this.#post("blobs/uploads/", [this.scope(true)]);
    if (response.status !== 202) throw await responseError("POST", this.#url("blobs/uploads/"), response);
    return this.#session(response);
  }

  /**
   * Fetches a manifest by tag or digest, accepting OCI and Docker manifests and indexes.
   *
   * @param reference A tag or a digest.
   * @param accept The media types to accept. @default MANIFEST_MEDIA_TYPES
   * @throws {RegistryError} when absent (404) or the registry fails.
   * @throws {DigestMismatchError} when fetched by digest (sha256 or sha512) and the bytes hash otherwise.
   * @throws {TypeError} when `reference` is a digest of another algorithm, which could not be verified.
   */
  async getManifest(reference: string, accept: readonly string[] = MANIFEST_MEDIA_TYPES): Promise<FetchedManifest> {
    const pinned = reference.includes(":");
    if (pinned && !isVerifiableDigest(reference)) throw new TypeError(`Cannot verify the manifest digest "${reference}": only sha256 and sha512 are checked`);
    const { response, bytes } = await this.#readWhole(async () => {
      const answer = await this.#request("GET", `manifests/${reference}`, false, { accept: accept.join(", ") });
      if (!answer.ok) throw await responseError("GET", this.#url(`manifests/${reference}`), answer);
      return { response: answer, bytes: await this.#readLimited(answer, `manifests/${reference}`, "manifest") };
    });
    const digest = await digestOf(bytes);
    const actual = pinned && !reference.startsWith("sha256:") ? await digestLike(reference, bytes) : digest;
    if (pinned && actual !== reference) throw new DigestMismatchError(reference, actual, `GET manifest ${reference}`);
    const mediaType = mediaTypeOf(response);
    return { descriptor: { mediaType, digest, size: bytes.byteLength }, bytes };
  }

  /**
   * Whether the registry has a manifest (HEAD).
   *
   * @returns Its descriptor, or undefined when absent.
   * @throws {RegistryError} when the registry fails.
   */
  async headManifest(reference: string, accept: readonly string[] = MANIFEST_MEDIA_TYPES): Promise<Descriptor | undefined> {
    const response = await this.#request("HEAD", `manifests/${reference}`, false, { accept: accept.join(", ") });
    if (response.status === 404) return undefined;
    if (!response.ok) throw await responseError("HEAD", this.#url(`manifests/${reference}`), response);
    const mediaType = mediaTypeOf(response);
    const digest = response.headers.get("docker-content-digest") ?? reference;
    return { mediaType, digest, size: Number(response.headers.get("content-length") ?? 0) };
  }

  /**
   * Stores a manifest under a tag or its digest (PUT).
   *
   * @returns Its descriptor.
   * @throws {RegistryError} when the registry refuses (`MANIFEST_INVALID`, `MANIFEST_BLOB_UNKNOWN`, ...).
   * @throws {DigestMismatchError} when the registry reports another digest.
   */
  async putManifest(reference: string, bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
    // A PUT of the same bytes under the same name is idempotent: sent again after a 5xx or a dropped connection.
    const response = await this.#request("PUT", `manifests/${reference}`, true, { "content-type": mediaType }, bytes, true);
    if (response.status !== 201 && response.status !== 200 && response.status !== 202) {
      throw await responseError("PUT", this.#url(`manifests/${reference}`), response);
    }
    await discardBody(response);
    const digest = await digestOf(bytes);
    const stored = response.headers.get("docker-content-digest");
    if (stored !== null && stored !== digest) throw new DigestMismatchError(digest, stored, `PUT manifest ${reference}`);
    return { mediaType, digest, size: bytes.byteLength };
  }

  // A body read whole (a manifest, a config) that was cut short is asked for
  // again, a few times: the transport's retries end with the answer's headers.
  async #readWhole<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await read();
      } catch (error) {
        if (attempt >= WHOLE_READ_ATTEMPTS || !isCutShort(error) || this.#signal?.aborted) throw error;
      }
    }
  }

  async #readLimited(response: Response, path: string, what: string): Promise<Uint8Array> {
    const { bytes, truncated } = await readBounded(response, MAX_MANIFEST_BODY, true);
    if (!truncated) return bytes;
    throw new RegistryError({
      method: "GET", url: this.#url(path), status: response.status, temporary: false,
      detail: `the ${what} is larger than ${MAX_MANIFEST_BODY / 1024 / 1024} MiB, the most taken for a manifest or a config`,
    });
  }

  // A POST that starts a session is let finish for a while after an abort:
  // cut, the registry would keep a session nobody knows the URL of.
  async #post(path: string, scopes: readonly string[]): Promise<Response> {
    this.#signal?.throwIfAborted();
    const { signal, release } = lingeringSignal(this.#signal);
    try {
      return await this.transport.send({ method: "POST", url: this.#url(path), scopes, signal });
    } finally {
      release();
    }
  }

  #url(path: string): string {
    return new URL(`/v2/${this.reference.repository}/${path}`, this.transport.base).href;
  }

  #request(method: string, path: string, push: boolean, headers?: Record<string, string>, body?: Uint8Array, idempotent?: boolean): Promise<Response> {
    return this.transport.send({ method, url: this.#url(path), scopes: [this.scope(push)], headers, body, signal: this.#signal, idempotent });
  }

  async #session(response: Response): Promise<UploadSession> {
    await discardBody(response);
    const location = response.headers.get("location");
    if (location === null) {
      // Loaded on this failure only: the CORS wording would weigh on every page bundle.
      const { missingHeaderDetail } = await import("./_cors_hints.ts");
      throw new RegistryError({ method: "POST", url: this.#url("blobs/uploads/"), status: response.status, detail: missingHeaderDetail(response, "Location", new URL(this.#url("blobs/uploads/"))) });
    }
    const url = followLocation(location, { registry: this.transport.base, from: new URL(this.#url("blobs/uploads/")), method: "POST", status: response.status });
    const min = chunkLengthHeader(response, "oci-chunk-min-length");
    const max = chunkLengthHeader(response, "oci-chunk-max-length");
    return new UploadSession(this.transport, [this.scope(true)], url, min, this.#signal, max);
  }
}

/** A chunk length the registry stated (`OCI-Chunk-Min-Length`, `OCI-Chunk-Max-Length`): a positive integer, else none. */
function chunkLengthHeader(response: Response, name: string): number | undefined {
  const value = Number(response.headers.get(name));
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

// `Content-Type` without its parameters (`; charset=...`).
function mediaTypeOf(response: Response): string {
  return (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
}
