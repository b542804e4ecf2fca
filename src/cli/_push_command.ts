import { basename } from "node:path";
import { appendLayers } from "../image/append_layers.ts";
import { emptyImage } from "../image/empty_image.ts";
import type { Image } from "../image/image.ts";
import { pullImage } from "../image/pull_image.ts";
import { writeImage } from "../image/write_image.ts";
import { writeIndex } from "../image/write_index.ts";
import { formatPlatform } from "../image/_platform.ts";
import { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP } from "../oci/media_types.ts";
import { parseOciTarget, type OciTarget } from "../layout/_oci_target.ts";
import { writeLayout, writeLayoutLayer } from "../layout/write_layout.ts";
import type { Descriptor, Platform } from "../oci/descriptor.ts";
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
  if (destination.kind === "layout" && args.platforms) throw new UsageError("several --platform need a registry destination: an oci: layout is written one image per push");
  const baseReference = args.base === undefined ? undefined : parseRegistryReference(args.base, args.insecure, "--base");
  const commandLine = args.username === undefined ? undefined : { username: args.username, password: await readPasswordStdin() };
  const auth = new CommandAuth({
    destination: destination.kind === "registry" ? destination.reference : undefined,
    commandLine,
  });
  context.auth = auth;
  const label = args.platforms
    ? `push ${args.platforms.length} platforms, ${args.inputs.length} layers`
    : args.inputs.length === 1 ? `push ${args.inputs[0] === "-" ? "stdin" : basename(args.inputs[0] ?? "")}` : `push ${args.inputs.length} layers`;
  const view = new ProgressView(process.stderr, terminalSafe(label), { stored: destination.kind === "layout" ? "written" : "stored" });
  const compressed = args.inputs.map(() => 0);
  const uploaded = args.inputs.map(() => 0);
  const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
  const opened = await openLayers(args.inputs, { compression: args.compression, level: args.level, onRead: (read) => view.update({ read }), signal });
  view.total = opened.size;
  try {
    const targets = args.platforms ?? [{ platform: args.platform, inputs: args.inputs }];
    // The base for each platform, picked from its index as crane does.
    const bases: Array<Image | undefined> = [];
    for (const { platform } of targets) {
      bases.push(baseReference && (await pullImage(formatReference(baseReference), { auth: auth.option, platform, insecure: args.insecure, signal })));
    }
    const mediaType = args.mediaType ?? (bases[0]?.format === "docker" ? DOCKER_LAYER_GZIP : OCI_LAYER_GZIP);
    const streamLayers = opened.layers(mediaType);
    const layers = streamLayers.map((layer, index) =>
      observedLayer(layer, (bytes) => {
        compressed[index] = bytes;
        if (destination.kind === "layout") uploaded[index] = bytes;
        view.update({ compressed: sum(compressed), uploaded: sum(uploaded) });
      }),
    );
    // Each platform's image: its base, edited, with its own inputs' layers on top.
    let first = 0;
    const images = targets.map(({ platform, inputs }, index) => {
      const base = bases[index];
      const image = appendLayers(editImage(base ?? emptyFor(platform, mediaType), args.edits), ...layers.slice(first, first + inputs.length));
      const built: BuiltImage = { platform, image, baseCount: base?.layers().length ?? 0, first, count: inputs.length };
      first += inputs.length;
      return built;
    });
    const image = args.blob ? undefined : images[0]?.image;
    const baseCount = images[0]?.baseCount ?? 0;
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
      } else if (args.platforms) {
        descriptor = await writeIndex(formatReference(destination.reference), images.map((built) => ({ image: built.image })), {
          ...options,
          onProgress: (p) => {
            const built = images[p.image];
            if (built && p.layer >= built.baseCount) onUpload(built.first + p.layer - built.baseCount, p.acknowledged);
          },
        });
        if (args.tags.length > 0) {
          const { bytes } = await new RegistryClient(destination.reference, options).getManifest(descriptor.digest);
          await tagAgain(destination.reference, { bytes, mediaType: descriptor.mediaType }, args, auth, signal);
        }
      } else {
        descriptor = await writeImage(formatReference(destination.reference), image, {
          ...options,
          onProgress: (p) => {
            if (p.layer >= baseCount) onUpload(p.layer - baseCount, p.acknowledged);
          },
        });
        const values = await image.values();
        await tagAgain(destination.reference, { bytes: values.rawManifest, mediaType: values.descriptor.mediaType }, args, auth, signal);
      }
    }
    view.finish();
    const platforms = args.platforms && (await Promise.all(images.map(async (built) => ({ built, descriptor: (await built.image.values()).descriptor }))));
    report(args, destination, descriptor, streamLayers, platforms);
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

/** One platform's image of a push, and where its own layers are among the inputs. */
interface BuiltImage {
  platform: Platform;
  image: Image;
  /** How many layers its base has: the image's layer `baseCount + i` is input `first + i`. */
  baseCount: number;
  first: number;
  /** How many inputs are its own layers. */
  count: number;
}

function emptyFor(platform: Platform, mediaType: string): Image {
  return emptyImage({ ...platform, format: mediaType === DOCKER_LAYER_GZIP ? "docker" : "oci" });
}

// The same manifest (or index) under more tags: one PUT each, as `crane tag` does.
async function tagAgain(reference: Reference, manifest: { bytes: Uint8Array; mediaType: string }, args: PushArgs, auth: CommandAuth, signal: AbortSignal | undefined): Promise<void> {
  if (args.tags.length === 0) return;
  const client = new RegistryClient(reference, { auth: auth.option, insecure: args.insecure, signal });
  for (const tag of args.tags) await client.putManifest(tag, manifest.bytes, manifest.mediaType);
}

/** `host/repo@sha256:…`, `oci:dir@sha256:…`: what a script reads from stdout. */
function pushedReference(destination: Destination, digest: string): string {
  if (destination.kind === "layout") return `oci:${destination.target.directory}@${digest}`;
  return `${destination.reference.registry}/${destination.reference.repository}@${digest}`;
}

function report(args: PushArgs, destination: Destination, descriptor: Descriptor, layers: readonly InputLayer[], platforms: Array<{ built: BuiltImage; descriptor: Descriptor }> | undefined): void {
  const summaries = layerSummaries(layers);
  const top = summaries.at(-1)!;
  const read = layers.reduce((total, layer) => total + layer.bytesRead(), 0);
  const reference = pushedReference(destination, descriptor.digest);
  const describe = ({ mediaType, digest, size }: Descriptor): Descriptor => ({ mediaType, digest, size });
  const images = platforms?.map(({ built, descriptor: manifest }) => ({
    platform: formatPlatform(built.platform),
    descriptor: describe(manifest),
    layers: summaries.slice(built.first, built.first + built.count),
  }));
  if (args.json) {
    const result = {
      destination: destination.text,
      reference,
      kind: args.blob ? "blob" : images ? "index" : "image",
      descriptor: describe(descriptor),
      layer: top,
      layers: summaries,
      ...(images && { images }),
      tags: args.tags,
      uncompressedSize: read,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(`${reference}\n`);
  }
  const kind = args.blob ? "layer" : images ? `index of ${images.length} platforms` : "image";
  const lines = [`Pushed ${kind} to ${destination.text}${args.tags.length > 0 ? ` (also tagged ${args.tags.join(", ")})` : ""}`];
  if (images) {
    lines.push(`  index    ${descriptor.digest} (${descriptor.mediaType})`);
    for (const image of images) {
      lines.push(`  platform ${image.platform}`, `  manifest ${image.descriptor.digest}`);
      for (const layer of image.layers) lines.push(`  layer    ${layer.digest} (${formatBytes(layer.size)})`, `  diff ID  ${layer.diffID}`);
    }
  } else {
    if (!args.blob) lines.push(`  manifest ${descriptor.digest} (${descriptor.mediaType})`);
    for (const layer of summaries) lines.push(`  layer    ${layer.digest} (${formatBytes(layer.size)})`, `  diff ID  ${layer.diffID}`);
  }
  lines.push(`  read     ${formatBytes(read)}`);
  process.stderr.write(`${lines.map(terminalSafe).join("\n")}\n`);
}
