// The demo behind `npm start`: builds a small image from examples/rootfs/
// through the library's own code paths (createTarStream -> StreamLayer ->
// appendLayers -> writeLayout) and writes it as an OCI layout. No server needed.
//
//   npm start                 # to a new temporary directory
//   npm start -- ./out        # to ./out (created, or added to)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { appendLayers } from "../image/append_layers.ts";
import { emptyImage } from "../image/empty_image.ts";
import { StreamLayer } from "../layer/stream_layer.ts";
import { writeLayout } from "../layout/write_layout.ts";
import { createTarStream } from "../tar/create_tar_stream.ts";
import { readFolder } from "./_read_folder.ts";

const TAG = "demo";

async function demo(target: string | undefined): Promise<void> {
  const rootfs = resolve(dirname(fileURLToPath(import.meta.url)), "../../examples/rootfs");
  const directory = resolve(target ?? mkdtempSync(join(tmpdir(), "streamlayer-demo-")));
  const shown = relative(process.cwd(), directory) || ".";

  const entries = await readFolder(rootfs);
  console.log(`Packing ${entries.length} entries from ${relative(process.cwd(), rootfs)}/ into a layer...`);
  const layer = new StreamLayer(createTarStream(entries));
  const image = appendLayers(
    emptyImage({ config: { Cmd: ["/bin/hello"], Labels: { "org.opencontainers.image.title": "streamlayer demo" } } }),
    layer,
  );
  // writeLayout reads the layer's stream once; the config and manifest are
  // computed only after that, from the DiffID, digest and size it produced.
  const descriptor = await writeLayout(directory, image, { tag: TAG });
  const { diffID, digest, size } = layer.computed();

  const where = shown.startsWith("..") || shown.startsWith("/") ? directory : shown;
  console.log(`
Wrote an OCI image layout to ${directory}
  manifest  ${descriptor.digest}  (tag "${TAG}")
  layer     ${digest}  (${size} bytes gzip)
  diff ID   ${diffID}

Look at it:
  skopeo inspect oci:${where}:${TAG}
  skopeo inspect --config oci:${where}:${TAG}
  cat ${join(where, "index.json")}
  tar -tzvf ${join(where, "blobs", "sha256", digest.slice("sha256:".length))}
Push it to a registry, for example a local one on port 5000:
  skopeo copy --dest-tls-verify=false oci:${where}:${TAG} docker://localhost:5000/streamlayer-demo:latest`);
}

demo(process.argv[2]).catch((error: unknown) => {
  console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
