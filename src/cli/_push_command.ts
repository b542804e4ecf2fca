import { basename } from "node:path";
import { appendLayers } from "../image/append_layers.ts";
import { emptyImage } from "../image/empty_image.ts";
import type { Image } from "../image/image.ts";
import { pullImage } from "../image/pull_image.ts";
import { writeImage } from "../image/write_image.ts";
import { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP } from "../oci/media_types.ts";
import { parseOciTarget, type OciTarget } from "../layout/_oci_target.ts";
import { writeLayout, writeLayoutLayer } from "../layout/write_layout.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { formatReference, parseReference, type Reference } from "../registry/reference.ts";
import { uploadLayer } from "../registry/upload_layer.ts";
import { RegistryClient } from "../registry/client.ts";
import { EXIT, type FailureContext, UsageError } from "./_cli_errors.ts";
import { CommandAuth } from "./_command_auth.ts";
import { editImage } from "./_edit_image.ts";
import { formatBytes } from "./_format.ts";
import { observedLayer } from "./_observed_layer.ts";
import { type InputLayer, layerSummaries, openLayers } from "./_open_layers.ts";
import { ProgressView } from "./_progress_view.ts";
import { parsePushArgs, PUSH_HELP, type PushArgs } from "./_push_args.ts";
import { readPasswordStdin } from "./_password_stdin.ts";
import { terminalSafe } from "./_terminal_text.ts";

type Destination = { kind: "layout"; target: OciTarget; text: string } | { kind: "registry"; reference: Reference; text: string };

/**
 * `streamlayer push`: streams tarballs as layers into an image (or, with
 * `--blob`, one alone) at a registry or in an OCI layout. stdout gets one
 * line, the pushed reference with its digest (or JSON with `--json`);
 * progress and the summary go to stderr.
 *
 * @param context Filled with what explains a failure (the hosts given credentials).
 * @returns The exit code.
 */
export async function push(argv: string[], signal?: AbortSignal, context: FailureContext = {}): Promise<number> {
  const args = parsePushArgs(argv);
  if (args.help) {
    process.stdout.write(PUSH_HELP);
    return EXIT.ok;
  }
  const destination = parseDestination(args.destination, args.insecure);
  if (destination.kind === "layout" && args.tags.length > 0) throw new UsageError("--tag needs a registry destination: an oci: layout takes its tag after the directory");
  const baseReference = args.base === undefined ? undefined : parseRegistryReference(args.base, args.insecure, "--base");
  const commandLine = args.username === undefined ? undefined : { username: args.username, password: await readPasswordStdin() };
  const auth = new CommandAuth({
    destination: destination.kind === "registry" ? destination.reference : undefined,
    commandLine,
  });
  context.auth = auth;
  const label = args.inputs.length === 1 ? `push ${args.inputs[0] === "-" ? "stdin" : basename(args.inputs[0] ?? "")}` : `push ${args.inputs.length} layers`;
  const view = new ProgressView(process.stderr, terminalSafe(label), { stored: destination.kind === "layout" ? "written" : "stored" });
  const compressed = args.inputs.map(() => 0);
  const uploaded = args.inputs.map(() => 0);
  const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
  const opened = await openLayers(args.inputs, { compression: args.compression, level: args.level, onRead: (read) => view.update({ read }), signal });
  view.total = opened.size;
  try {
    const base = baseReference && (await pullImage(formatReference(baseReference), { auth: auth.option, platform: args.platform, insecure: args.insecure, signal }));
    const mediaType = args.mediaType ?? (base?.format === "docker" ? DOCKER_LAYER_GZIP : OCI_LAYER_GZIP);
    const streamLayers = opened.layers(mediaType);
    const layers = streamLayers.map((layer, index) =>
      observedLayer(layer, (bytes) => {
        compressed[index] = bytes;
        if (destination.kind === "layout") uploaded[index] = bytes;
        view.update({ compressed: sum(compressed), uploaded: sum(uploaded) });
      }),
    );
    const baseCount = base?.layers().length ?? 0;
    const image = args.blob ? undefined : appendLayers(editImage(base ?? emptyFor(args, mediaType), args.edits), ...layers);
    const onUpload = (index: number, acknowledged: number): void => {
      uploaded[index] = acknowledged;
      view.update({ uploaded: sum(uploaded) });
    };
    let descriptor: Descriptor;
    if (destination.kind === "layout") {
      const { directory, tag } = destination.target;
      descriptor = image ? await writeLayout(directory, image, { tag: tag ?? "latest", signal }) : await writeLayoutLayer(directory, layers[0]!, { signal });
    } else {
      const options = { upload: args.upload, chunkSize: args.chunkSize, auth: auth.option, insecure: args.insecure, signal };
      if (!image) {
        const client = new RegistryClient(destination.reference, options);
        descriptor = await uploadLayer(client, layers[0]!, { ...options, onProgress: (p) => onUpload(0, p.acknowledged) });
      } else {
        descriptor = await writeImage(formatReference(destination.reference), image, {
          ...options,
          onProgress: (p) => {
            if (p.layer >= baseCount) onUpload(p.layer - baseCount, p.acknowledged);
          },
        });
        await tagAgain(destination.reference, image, args, auth, signal);
      }
    }
    view.finish();
    report(args, destination, descriptor, streamLayers);
    return EXIT.ok;
  } catch (error) {
    await opened.cancel(error);
    view.abandon();
    throw error;
  }
}

// crane's and docker's spelling of a registry reference starts with docker://.
function withoutDockerScheme(text: string): string {
  return text.startsWith("docker://") ? text.slice("docker://".length) : text;
}

function parseRegistryReference(text: string, insecure: boolean, what: string): Reference {
  if (parseOciTarget(text)) throw new UsageError(`${what} takes a registry reference, not an oci: layout`);
  return parseReference(withoutDockerScheme(text), { insecure });
}

function parseDestination(text: string, insecure: boolean): Destination {
  const target = parseOciTarget(text);
  if (target) return { kind: "layout", target, text };
  return { kind: "registry", reference: parseReference(withoutDockerScheme(text), { insecure }), text: withoutDockerScheme(text) };
}

function emptyFor(args: PushArgs, mediaType: string): Image {
  return emptyImage({ ...args.platform, format: mediaType === DOCKER_LAYER_GZIP ? "docker" : "oci" });
}

// The same manifest under more tags: one PUT each, as `crane tag` does.
async function tagAgain(reference: Reference, image: Image, args: PushArgs, auth: CommandAuth, signal: AbortSignal | undefined): Promise<void> {
  if (args.tags.length === 0) return;
  const values = await image.values();
  const client = new RegistryClient(reference, { auth: auth.option, insecure: args.insecure, signal });
  for (const tag of args.tags) await client.putManifest(tag, values.rawManifest, values.descriptor.mediaType);
}

/** `host/repo@sha256:…`, `oci:dir@sha256:…`: what a script reads from stdout. */
function pushedReference(destination: Destination, digest: string): string {
  if (destination.kind === "layout") return `oci:${destination.target.directory}@${digest}`;
  return `${destination.reference.registry}/${destination.reference.repository}@${digest}`;
}

function report(args: PushArgs, destination: Destination, descriptor: Descriptor, layers: readonly InputLayer[]): void {
  const summaries = layerSummaries(layers);
  const top = summaries.at(-1)!;
  const read = layers.reduce((total, layer) => total + layer.bytesRead(), 0);
  const reference = pushedReference(destination, descriptor.digest);
  if (args.json) {
    const result = {
      destination: destination.text,
      reference,
      kind: args.blob ? "blob" : "image",
      descriptor: { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size },
      layer: top,
      layers: summaries,
      tags: args.tags,
      uncompressedSize: read,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(`${reference}\n`);
  }
  const lines = [`Pushed ${args.blob ? "layer" : "image"} to ${destination.text}${args.tags.length > 0 ? ` (also tagged ${args.tags.join(", ")})` : ""}`];
  if (!args.blob) lines.push(`  manifest ${descriptor.digest} (${descriptor.mediaType})`);
  for (const layer of summaries) lines.push(`  layer    ${layer.digest} (${formatBytes(layer.size)})`, `  diff ID  ${layer.diffID}`);
  lines.push(`  read     ${formatBytes(read)}`);
  process.stderr.write(`${lines.map(terminalSafe).join("\n")}\n`);
}
