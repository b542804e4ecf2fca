import { appendUpToWindow, sniffLayerSource, TAR_BLOCK, type LayerSourceKind } from "./sniff_layer_source.ts";

/**
 * Wraps the reader of a layer's source so that its first read that settles
 * what the input is (its first entry as a rule, at most the first 64 KiB)
 * fails with `InvalidLayerSourceError` when it is not a tar, after cancelling
 * the source. Chunks pass through as they are: only the bytes looked at are
 * copied, and only when they arrive in pieces.
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
    // The wording is loaded only when needed: it is most of this check's size in a browser bundle.
    const { invalidSource } = await import("./_invalid_source.ts");
    const error = invalidSource(kind as Exclude<LayerSourceKind, "tar" | "empty" | "not-gzip" | "corrupt-gzip" | "trailing-bytes" | "not-zstd" | "corrupt-zstd">, head, what);
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
      head = head.length === 0 && bytes.length >= TAR_BLOCK ? bytes : appendUpToWindow(head, bytes);
      await judge(sniffLayerSource(head, false));
      return result;
    },
  } as ReadableStreamDefaultReader<Uint8Array>;
}
