import { appendLayers } from "../image/append_layers.ts";
import { emptyImage } from "../image/empty_image.ts";
import type { Image } from "../image/image.ts";
import { pullImage } from "../image/pull_image.ts";
import { writeImage } from "../image/write_image.ts";
import type { Layer } from "../layer/layer.ts";
import { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP } from "../layer/media_types.ts";
import { StreamLayer } from "../layer/stream_layer.ts";
import { parseOciTarget, type OciTarget } from "../layout/oci_target.ts";
import { writeLayout, writeLayoutLayer } from "../layout/write_layout.ts";
import type { AuthOption } from "../registry/credentials.ts";
import type { Descriptor } from "../registry/descriptor.ts";
import { formatReference, parseReference, type Reference } from "../registry/reference.ts";
import { uploadLayer } from "../registry/upload_layer.ts";
import { RegistryClient } from "../registry/client.ts";
import { EXIT, UsageError } from "./_cli_errors.ts";
import { dockerConfigCredentials } from "./_docker_config.ts";
import { formatBytes } from "./_format.ts";
import { openInput } from "./_input.ts";
import { observedLayer } from "./_observed_layer.ts";
import { ProgressView } from "./_progress_view.ts";
import { parsePushArgs, PUSH_HELP, type PushArgs } from "./_push_args.ts";

type Destination = { kind: "layout"; target: OciTarget; text: string } | { kind: "registry"; reference: Reference; text: string };

/**
 * `streamlayer push`: streams a tarball as a layer into an image (or, with
 * `--blob`, alone) at a registry or in an OCI layout. Prints progress on
 * stderr and the result on stdout.
 *
 * @returns The exit code.
 */
export async function push(argv: string[], signal?: AbortSignal): Promise<number> {
  const args = parsePushArgs(argv);
  if (args.help) {
    process.stdout.write(PUSH_HELP);
    return EXIT.ok;
  }
  const destination = parseDestination(args.destination, args.insecure);
  if (args.base !== undefined && parseOciTarget(args.base)) throw new UsageError("--base takes a registry reference, not an oci: layout");
  const baseReference = args.base === undefined ? undefined : parseReference(args.base, { insecure: args.insecure });
  const auth = await credentials(args);
  const view = new ProgressView(process.stderr, `push ${args.input === "-" ? "stdin" : args.input}`, destination.kind === "layout" ? "written" : "stored");
  const { stream: source, size } = await openInput(args.input, (read) => view.update({ read }), signal);
  view.total = size;
  try {
    const base = baseReference && (await pullImage(formatReference(baseReference), { auth, platform: args.platform, insecure: args.insecure, signal }));
    const mediaType = args.mediaType ?? (base?.format === "docker" ? DOCKER_LAYER_GZIP : OCI_LAYER_GZIP);
    const streamLayer = new StreamLayer(source, { compressionLevel: args.level, mediaType });
    const layer = observedLayer(streamLayer, (compressed) => view.update({ compressed, ...(destination.kind === "layout" ? { uploaded: compressed } : {}) }));
    const image = args.blob ? undefined : appendLayers(base ?? emptyFor(args, mediaType), layer);
    const descriptor = await write(destination, layer, image, args, auth, view, signal);
    view.finish();
    report(args, destination, descriptor, streamLayer);
    return EXIT.ok;
  } catch (error) {
    await source.cancel(error).catch(() => {});
    view.abandon();
    throw error;
  }
}

function parseDestination(text: string, insecure: boolean): Destination {
  const target = parseOciTarget(text);
  if (target) return { kind: "layout", target, text };
  return { kind: "registry", reference: parseReference(text, { insecure }), text };
}

function emptyFor(args: PushArgs, mediaType: string): Image {
  return emptyImage({ ...args.platform, format: mediaType === DOCKER_LAYER_GZIP ? "docker" : "oci" });
}

async function credentials(args: PushArgs): Promise<AuthOption> {
  if (args.username !== undefined) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const password = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
    if (password === "") throw new UsageError("--password-stdin: stdin was empty");
    return { username: args.username, password };
  }
  return async (registry: string) => dockerConfigCredentials(registry);
}

async function write(
  destination: Destination,
  layer: Layer,
  image: Image | undefined,
  args: PushArgs,
  auth: AuthOption,
  view: ProgressView,
  signal: AbortSignal | undefined,
): Promise<Descriptor> {
  if (destination.kind === "layout") {
    const { directory, tag } = destination.target;
    return image ? writeLayout(directory, image, { tag: tag ?? "latest", signal }) : writeLayoutLayer(directory, layer, { signal });
  }
  const upload = { upload: args.upload, chunkSize: args.chunkSize, auth, insecure: args.insecure, signal };
  if (!image) {
    const client = new RegistryClient(destination.reference, upload);
    return uploadLayer(client, layer, { ...upload, onProgress: (p) => view.update({ uploaded: p.acknowledged }) });
  }
  return writeImage(formatReference(destination.reference), image, {
    ...upload,
    onProgress: (p) => {
      if (p.layer === image.layers().length - 1) view.update({ uploaded: p.acknowledged });
    },
  });
}

function report(args: PushArgs, destination: Destination, descriptor: Descriptor, layer: StreamLayer): void {
  const values = layer.computed();
  const read = layer.bytesRead();
  const result = {
    destination: destination.text,
    kind: args.blob ? "blob" : "image",
    descriptor: { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size },
    layer: { mediaType: layer.mediaType(), digest: values.digest, diffID: values.diffID, size: values.size },
    uncompressedSize: read,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const what = args.blob ? "layer" : "image";
  process.stdout.write(
    `Pushed ${what} to ${destination.text}\n` +
      (args.blob ? "" : `  manifest ${descriptor.digest} (${descriptor.mediaType})\n`) +
      `  layer    ${values.digest} (${formatBytes(values.size)} from ${formatBytes(read)})\n` +
      `  diff ID  ${values.diffID}\n`,
  );
}
