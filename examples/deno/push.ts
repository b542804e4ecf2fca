// Pushes a tarball read from stdin as the one layer of a new image:
//
//   tar -C app -cf - . | deno run -P=push push.ts 127.0.0.1:5000/team/app:v1
//   tar -C app -cf - . | deno run --allow-net=127.0.0.1:5000 push.ts 127.0.0.1:5000/team/app:v1
//
// The permission set "push" in deno.json allows the network to that registry
// only; a registry with token auth needs its token server's host too. In your
// own project, `deno add jsr:@streamlayer/streamlayer` and import it by that
// name instead of the path in deno.json's "imports".
import { appendLayers, CompressedStreamLayer, emptyImage, sniffLayerSource, StreamLayer, writeImage } from "streamlayer";

const [reference] = Deno.args;
if (!reference) {
  console.error("usage: deno run -P=push push.ts <registry/repository:tag> < layer.tar");
  Deno.exit(2);
}

try {
  const layer = await layerOf(Deno.stdin.readable);
  const manifest = await writeImage(reference, appendLayers(emptyImage(), layer));
  console.log(JSON.stringify({ manifest: manifest.digest, layer: layer.computed() }));
} catch (error) {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  Deno.exit(1);
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
