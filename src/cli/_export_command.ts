import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { extractImage } from "../image/extract_image.ts";
import { EXIT, type FailureContext, UsageError } from "./_cli_errors.ts";
import { checkOptions } from "./_check_options.ts";
import { CommandAuth } from "./_command_auth.ts";
import { formatBytes } from "./_format.ts";
import { openImage, parseImageSource, parsePlatformOption } from "./_image_source.ts";
import { terminalSafe } from "./_terminal_text.ts";

export const EXPORT_HELP = `Usage: streamlayer export [options] <image> [-o <file.tar|->]

Writes an image's file system as one tar, as crane export does: the layers
applied bottom to top, whiteouts applied, each path once with its last
version. The layers stream from the registry as the tar is written, each
checked against its digest; memory holds the list of paths, not their
contents. A name that climbs out of the root (..) stops the export (exit 1)
before anything is written for it.

Image:
  [docker://]<registry>/<repository>[:<tag>|@<digest>]
  oci:<directory>[:<tag>]               an OCI layout

Options:
  -o, --output <file|->        where the tar goes; - is stdout (default: -,
                               refused when stdout is a terminal)
  --platform <os/arch[/var]>   the platform to take from a multi-platform
                               image (default: linux/amd64)
  --insecure                   allow plain HTTP to registries that are not loopback
  -h, --help                   show this help

Examples:
  streamlayer export 127.0.0.1:5000/app:1.0 -o rootfs.tar
  streamlayer export 127.0.0.1:5000/app:1.0 | tar -tvf -
  streamlayer export --platform linux/arm64 oci:./out:demo -o arm64.tar
`;

const OPTIONS = {
  output: { type: "string", short: "o" },
  platform: { type: "string" },
  insecure: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * `streamlayer export`: an image's flattened file system as a tar, to a file
 * or stdout. A file is removed again when the export fails.
 *
 * @returns The exit code.
 */
export async function exportImage(argv: string[], signal?: AbortSignal, context: FailureContext = {}): Promise<number> {
  checkOptions(argv, OPTIONS, "export");
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    process.stdout.write(EXPORT_HELP);
    return EXIT.ok;
  }
  // crane's spelling: export IMAGE TARBALL.
  if (positionals.length === 2 && values.output === undefined) values.output = positionals.pop();
  if (positionals.length !== 1) throw new UsageError(`export takes one image, got ${positionals.length} arguments: see streamlayer export --help`);
  const output = values.output ?? "-";
  if (output === "-" && process.stdout.isTTY) throw new UsageError("Refusing to write a tar to a terminal: give -o <file>, or pipe the output");
  const insecure = values.insecure === true;
  const source = parseImageSource(positionals[0] ?? "", insecure);
  const platform = values.platform === undefined ? undefined : parsePlatformOption(values.platform);
  const auth = new CommandAuth({ destination: undefined, commandLine: undefined });
  context.auth = auth;
  const image = await openImage(source, platform, { auth: auth.option, insecure, signal });

  let written = 0;
  const counted = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      written += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const tar = extractImage(image, { signal }).pipeThrough(counted);
  if (output === "-") {
    await tar.pipeTo(Writable.toWeb(process.stdout));
  } else {
    try {
      await tar.pipeTo(Writable.toWeb(createWriteStream(output, { flags: "w" })));
    } catch (error) {
      await rm(output, { force: true });
      throw error;
    }
  }
  process.stderr.write(`${terminalSafe(`Exported ${source.text} to ${output === "-" ? "stdout" : output}: ${formatBytes(written)} of tar`)}\n`);
  return EXIT.ok;
}
