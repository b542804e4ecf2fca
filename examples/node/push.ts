// Pushes a tarball read from stdin as the one layer of a new image:
//
//   tar -C app -cf - . | node --import tsx push.ts 127.0.0.1:5000/team/app:v1
//   node --import tsx push.ts 127.0.0.1:5000/team/app:v2 < layer.tar.gz   # pushed as it is
//
// stdin is read as the layer is uploaded: a layer of any size, in bounded memory.
import { Readable } from "node:stream";
import { appendLayers, CompressedStreamLayer, emptyImage, sniffLayerSource, StreamLayer, writeImage } from "streamlayer";

const [reference] = process.argv.slice(2);
if (!reference) {
  console.error("usage: node --import tsx push.ts <registry/repository:tag> < layer.tar");
  process.exit(2);
}

try {
  const layer = await layerOf(Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>);
  const manifest = await writeImage(reference, appendLayers(emptyImage(), layer), {
    onProgress: ({ read }) => process.stderr.write(`\r${read ?? 0} bytes read`),
  });
  process.stderr.write("\n");
  console.log(JSON.stringify({ manifest: manifest.digest, layer: layer.computed() }));
} catch (error) {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exit(1);
}

/**
 * A .tar.gz (told by its first bytes) is pushed as it is; anything else is taken as a tar.
 * The concrete types, not `Layer`: theirs always have `computed()`.
 */
async function layerOf(stdin: ReadableStream<Uint8Array>): Promise<StreamLayer | CompressedStreamLayer> {
  const reader = stdin.getReader();
  const first = await reader.read();
  // The same bytes again, the first chunk included, read only as the layer reads them.
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) controller.close();
      else controller.enqueue(first.value);
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
  const gzip = !first.done && sniffLayerSource(first.value, false) === "gzip";
  return gzip ? new CompressedStreamLayer(source) : new StreamLayer(source);
}
