/**
 * A gzip decompressor that reads every member of a multi-member gzip (what
 * `cat a.gz b.gz` or pigz --independent makes, and what Go's and zlib's
 * readers accept): the platform's `DecompressionStream` where it reads them
 * all (Node), else fflate's streaming `Gunzip`. Chromium's and Deno's
 * `DecompressionStream` end with an error at the second member ("Junk found
 * after end of compressed data", "failed to write whole buffer"), and the
 * point where the first member ends cannot be learnt from them to go on from
 * there: in those runtimes fflate decompresses instead. Which one is decided
 * once, by decompressing a two-member gzip of two bytes.
 */
export async function gunzipStream(): Promise<TransformStream<Uint8Array, Uint8Array>> {
  nativeReadsMembers ??= probeNative();
  if (await nativeReadsMembers) return new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
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

let nativeReadsMembers: Promise<boolean> | undefined;

// gzip of "a" then gzip of "b", each a member of its own (written by gzip -n).
const TWO_MEMBERS = new Uint8Array([
  0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x04, 0x00, 0x43, 0xbe, 0xb7, 0xe8, 0x01, 0x00, 0x00, 0x00,
  0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x02, 0x00, 0xf9, 0xef, 0xbe, 0x71, 0x01, 0x00, 0x00, 0x00,
]);

async function probeNative(): Promise<boolean> {
  if (typeof DecompressionStream !== "function") return false;
  try {
    const output = new Blob([TWO_MEMBERS]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new TextDecoder().decode(await new Response(output).arrayBuffer()) === "ab";
  } catch {
    return false;
  }
}
