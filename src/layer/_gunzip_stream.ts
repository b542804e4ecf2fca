/**
 * A gzip decompressor: the platform's `DecompressionStream` where there is
 * one (browsers, Deno, Node, workerd), else fflate's streaming `Gunzip`.
 */
export async function gunzipStream(): Promise<TransformStream<Uint8Array, Uint8Array>> {
  if (typeof DecompressionStream === "function") {
    return new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
  }
  const { Gunzip } = await import("fflate");
  let gunzip: InstanceType<typeof Gunzip>;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      gunzip = new Gunzip((data) => controller.enqueue(data));
    },
    transform(chunk) {
      gunzip.push(chunk, false);
    },
    flush() {
      gunzip.push(new Uint8Array(0), true);
    },
  });
}
