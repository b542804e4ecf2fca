import type { Layer } from "../layer/layer.ts";
import { RegistryClient, type RegistryClientOptions } from "./client.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { uploadLayer, type UploadLayerOptions } from "./upload_layer.ts";

/** Options for {@link writeLayer}: the client's (auth, fetch, signal, insecure) and the upload's. */
export interface WriteLayerOptions extends RegistryClientOptions, UploadLayerOptions {}

/**
 * Pushes a layer's blob to a repository of any OCI registry: go-containerregistry's
 * `remote.WriteLayer`. A {@link StreamLayer} is read once, as it is uploaded;
 * a layer whose digest is known up front (see {@link blobLayer}) is looked for
 * first and skipped when the registry has it.
 *
 * Chunked mode (the default) survives a 5xx, a 429 or an expired token by
 * sending the refused chunk again; when the registry drops the session, it
 * ends with {@link UploadNotResumableError} rather than reading the stream twice.
 * Streamed mode cannot be retried at all.
 *
 * @param repository Where to push: `host[:port]/name`, such as `127.0.0.1:5000/demo` or `ghcr.io/org/app`.
 * @param layer The layer.
 * @param options Auth, fetch, signal, progress, upload mode and chunk size, insecure.
 * @returns The blob's descriptor: media type, digest, size.
 * @throws {InvalidReferenceError} when `repository` is not valid.
 * @throws {UploadNotResumableError} when the registry dropped the session after a failure.
 * @throws {RegistryError} when the registry refuses; {@link AuthError} on 401/403.
 * @throws {DigestMismatchError} when the registry stored another digest.
 * @throws the signal's reason when aborted; the source's error when it fails.
 *
 * @example Upload stdin-like bytes as a layer to a local registry
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamLayer, writeLayer } from "streamlayer";
 *
 * const tarball = new Blob([new Uint8Array(1024)]).stream();
 * const acknowledged: number[] = [];
 * const descriptor = await writeLayer("127.0.0.1:5000/stream", new StreamLayer(tarball), {
 *   onProgress: (p) => acknowledged.push(p.acknowledged),
 * });
 * assert.match(descriptor.digest, /^sha256:[0-9a-f]{64}$/);
 * assert.equal(acknowledged.at(-1), descriptor.size);
 * ```
 */
export function writeLayer(repository: string, layer: Layer, options: WriteLayerOptions = {}): Promise<Descriptor> {
  const client = new RegistryClient(repository, options);
  return uploadLayer(client, layer, options);
}
