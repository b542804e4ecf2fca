import { InvalidLayerSourceError, type LayerSourceProblem } from "./errors.ts";
import { sniffLayerSource, TAR_BLOCK, type LayerSourceKind } from "./sniff_layer_source.ts";

/**
 * Wraps the reader of a layer's source so that its first read that settles
 * what the input is (at most the first 512-byte block) fails with
 * {@link InvalidLayerSourceError} when it is not a tar, after cancelling the
 * source. Chunks pass through as they are: only the bytes of the first block
 * are copied, and only when they arrive in pieces.
 *
 * @param source The reader of the source.
 * @param what What the bytes are, for messages: "layer source" or "decompressed layer".
 */
export function tarCheckedReader(source: ReadableStreamDefaultReader<Uint8Array>, what = "layer source"): ReadableStreamDefaultReader<Uint8Array> {
  let head: Uint8Array = new Uint8Array(0);
  let settled = false;

  const judge = async (kind: LayerSourceKind | undefined): Promise<void> => {
    if (kind === undefined) return;
    settled = true;
    if (kind === "tar" || kind === "empty") return;
    const error = invalidSource(kind as Exclude<LayerSourceKind, "tar" | "empty" | "not-gzip" | "corrupt-gzip">, head, what);
    await source.cancel(error).catch(() => {});
    throw error;
  };

  return {
    get closed() {
      return source.closed;
    },
    releaseLock: () => source.releaseLock(),
    cancel: (reason?: unknown) => source.cancel(reason),
    async read() {
      const result = await source.read();
      if (settled) return result;
      if (result.done) {
        await judge(sniffLayerSource(head, true));
        return result;
      }
      const chunk: unknown = result.value;
      if (!ArrayBuffer.isView(chunk)) return result; // the layer refuses it with a clearer message
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      head = head.length === 0 && bytes.length >= TAR_BLOCK ? bytes : appendUpToBlock(head, bytes);
      await judge(sniffLayerSource(head, false));
      return result;
    },
  } as ReadableStreamDefaultReader<Uint8Array>;
}

function appendUpToBlock(head: Uint8Array, bytes: Uint8Array): Uint8Array {
  const taken = bytes.subarray(0, TAR_BLOCK - head.length);
  const joined = new Uint8Array(head.length + taken.length);
  joined.set(head);
  joined.set(taken, head.length);
  return joined;
}

const HOW_TO_TURN_OFF = "or pass requireTar: false to take the bytes as they are";

function invalidSource(kind: Exclude<LayerSourceProblem, "not-gzip" | "corrupt-gzip">, head: Uint8Array, what: string): InvalidLayerSourceError {
  const start = [...head.subarray(0, 4)].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
  switch (kind) {
    case "gzip":
      if (what !== "layer source") return new InvalidLayerSourceError(kind, `Invalid ${what}: found gzip data again inside the gzip (starts with 1f 8b): the tar was compressed twice; gunzip it once first`);
      return new InvalidLayerSourceError(kind, `Invalid ${what}: found gzip data (starts with 1f 8b), expected an uncompressed tar: gunzip it first, or push it as it is with CompressedStreamLayer`);
    case "zstd":
      return new InvalidLayerSourceError(kind, `Invalid ${what}: found zstd data (starts with 28 b5 2f fd), expected an uncompressed tar: decompress it first (zstd -d)`);
    case "image-tarball":
      return new InvalidLayerSourceError(kind, `Invalid ${what}: found an image tarball (its first entry belongs to an OCI layout), expected the tar of one layer: push the image with a tool that reads OCI archives (skopeo copy oci-archive:..., crane push), ${HOW_TO_TURN_OFF}`);
    default:
      return new InvalidLayerSourceError(
        kind,
        head.length < TAR_BLOCK
          ? `Invalid ${what}: found ${head.length} bytes (starting ${start}), shorter than one 512-byte tar block and not zeros, expected a tar: pass a tar archive, ${HOW_TO_TURN_OFF}`
          : `Invalid ${what}: found bytes that are not a tar (the first 512-byte block, starting ${start}, is not a tar header: its checksum does not match), expected a tar: pass a tar archive, ${HOW_TO_TURN_OFF}`,
      );
  }
}
