// Pushes the chosen file as the one layer of a new image. A .tar is gzipped
// on the way (StreamLayer); a .tar.gz, told by its first bytes, goes as it is
// (CompressedStreamLayer). The file is read as it is uploaded, never whole.
//
// The registry is on another origin than this page, so it must answer with
// CORS headers (see the README's "In a browser" section), or sit behind a
// same-origin proxy.
import { appendLayers, CompressedStreamLayer, emptyImage, sniffLayerSource, StreamLayer, writeImage, type Credentials, type Layer } from "streamlayer";

const form = document.querySelector<HTMLFormElement>("#push")!;
const field = (id: string) => document.querySelector<HTMLInputElement>(`#${id}`)!;
const result = document.querySelector<HTMLPreElement>("#result")!;
const progress = document.querySelector<HTMLProgressElement>("#progress")!;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = field("file").files?.[0];
  if (!file) return;
  result.textContent = "pushing…";
  result.dataset.state = "running";
  try {
    const layer = await layerOf(file);
    const username = field("username").value;
    const auth: Credentials | undefined = username ? { username, password: field("password").value } : undefined;
    const manifest = await writeImage(field("reference").value, appendLayers(emptyImage(), layer), {
      auth,
      onProgress: ({ read }) => (progress.value = file.size ? Math.min(1, (read ?? 0) / file.size) : 1),
    });
    result.textContent = JSON.stringify({ ok: true, manifest: manifest.digest, layer: layer.computed() }, null, 2);
    result.dataset.state = "done";
  } catch (error) {
    result.textContent = JSON.stringify({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, null, 2);
    result.dataset.state = "failed";
  }
});

async function layerOf(file: File): Promise<Layer> {
  const head = new Uint8Array(await file.slice(0, 512).arrayBuffer());
  const kind = sniffLayerSource(head, file.size <= 512);
  return kind === "gzip" ? new CompressedStreamLayer(file.stream()) : new StreamLayer(file.stream());
}
