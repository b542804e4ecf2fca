import { parseArgs } from "node:util";
import type { Image } from "../image/image.ts";
import { writeImage } from "../image/write_image.ts";
import { writeIndex } from "../image/write_index.ts";
import { formatPlatform } from "../image/_platform.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { EXIT, type FailureContext, UsageError } from "./_cli_errors.ts";
import { checkOptions } from "./_check_options.ts";
import { CommandAuth } from "./_command_auth.ts";
import { formatBytes } from "./_format.ts";
import { isIndex, openImage, openImages, parseImageSource, parsePlatformOption, type SourceOptions } from "./_image_source.ts";
import { terminalSafe } from "./_terminal_text.ts";

export const COPY_HELP = `Usage: streamlayer copy [options] <source> <destination>

Copies an image from one registry (or an OCI layout) to a registry, as
crane copy does: blobs the destination has are skipped, blobs in another
repository of the same registry are mounted, the others stream from the
source to the destination, each checked against its digest. A multi-platform
image is copied whole (every platform, then the index), or only the
platforms given with --platform.

On success stdout holds one line, the destination with the digest of what
was written (127.0.0.1:5000/app@sha256:4f1c...); progress goes to stderr.
Credentials come from the same places as for push (REGISTRY_AUTH_FILE,
containers' auth.json, Docker's config.json and its credential helpers).

Source:
  [docker://]<registry>/<repository>[:<tag>|@<digest>]
  oci:<directory>[:<tag>]               an OCI layout (skopeo's, crane's, ours)
Destination:
  [docker://]<registry>/<repository>[:<tag>]

Options:
  --platform <os/arch[/var]>   copy only this platform, repeatable; one
                               platform copies that image alone, several an
                               index of them
      e.g. --platform linux/arm64 --platform linux/amd64
  -j, --jobs <n>               layers copied at the same time (default: 3)
  --insecure                   allow plain HTTP to registries that are not loopback
  -h, --help                   show this help

Examples:
  streamlayer copy docker.example/team/app:1.0 127.0.0.1:5000/app:1.0
  streamlayer copy --platform linux/arm64 127.0.0.1:5000/app:1.0 127.0.0.1:5000/app:arm64
  streamlayer copy oci:./out:demo 127.0.0.1:5000/demo:1
`;

const OPTIONS = {
  platform: { type: "string", multiple: true },
  jobs: { type: "string", short: "j" },
  insecure: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * `streamlayer copy`: an image, or every (or some) platform of a
 * multi-platform image, from a registry or a layout to a registry.
 *
 * @returns The exit code.
 */
export async function copy(argv: string[], signal?: AbortSignal, context: FailureContext = {}): Promise<number> {
  checkOptions(argv, OPTIONS, "copy");
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    process.stdout.write(COPY_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 2) throw new UsageError(`copy takes a source and a destination, got ${positionals.length} argument${positionals.length === 1 ? "" : "s"}: see streamlayer copy --help`);
  const insecure = values.insecure === true;
  const source = parseImageSource(positionals[0] ?? "", insecure);
  const destination = parseImageSource(positionals[1] ?? "", insecure);
  if (destination.kind !== "registry") throw new UsageError("copy writes to a registry: to write an OCI layout, use skopeo copy or crane pull --format=oci");
  const platforms = values.platform?.map(parsePlatformOption);
  const jobs = values.jobs === undefined ? undefined : positiveInteger(values.jobs);
  const auth = new CommandAuth({ destination: destination.reference, commandLine: undefined });
  context.auth = auth;
  const options: SourceOptions = { auth: auth.option, insecure, signal };
  const writeOptions = { ...options, jobs };

  process.stderr.write(`${terminalSafe(`Copying ${source.text} to ${destination.text}`)}\n`);
  let descriptor: Descriptor;
  if (platforms?.length === 1 || (platforms === undefined && !(await isIndex(source, options)))) {
    const image = await openImage(source, platforms?.[0], options);
    descriptor = await writeImage(destination.text, image, writeOptions);
    await reportImage(image, platforms?.[0] === undefined ? undefined : formatPlatform(platforms[0]));
  } else {
    const entries = await openImages(source, platforms, options);
    // Image by image, each told as it lands; writeIndex then finds them there and writes the index.
    const repository = `${destination.reference.registry}/${destination.reference.repository}`;
    for (const entry of entries) {
      const { descriptor: manifest } = await entry.image.values();
      await writeImage(`${repository}@${manifest.digest}`, entry.image, writeOptions);
      await reportImage(entry.image, entry.platform && formatPlatform(entry.platform));
    }
    descriptor = await writeIndex(destination.text, entries, writeOptions);
  }
  process.stdout.write(`${destination.reference.registry}/${destination.reference.repository}@${descriptor.digest}\n`);
  process.stderr.write(`${terminalSafe(`Copied ${source.text} to ${destination.text}: ${descriptor.digest} (${descriptor.mediaType})`)}\n`);
  return EXIT.ok;
}

async function reportImage(image: Image, platform: string | undefined): Promise<void> {
  const { descriptor, manifest } = await image.values();
  const size = manifest.layers.reduce((total, layer) => total + layer.size, 0);
  const label = platform ?? "image";
  process.stderr.write(`${terminalSafe(`  ${label}: ${descriptor.digest}, ${manifest.layers.length} layer${manifest.layers.length === 1 ? "" : "s"}, ${formatBytes(size)}`)}\n`);
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new UsageError(`Invalid --jobs: ${text}: expected a positive integer`);
  return value;
}
