import { parseArgs } from "node:util";
import { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP, type GzipLayerMediaType } from "../layer/media_types.ts";
import type { CompressionLevel } from "../compress/compressor.ts";
import type { Platform } from "../image/types.ts";
import { parseSize } from "./_format.ts";
import { UsageError } from "./_cli_errors.ts";

/** `streamlayer push`'s arguments, checked. */
export interface PushArgs {
  input: string;
  destination: string;
  blob: boolean;
  level: CompressionLevel | undefined;
  /** Undefined: follow the base image's format, else OCI. */
  mediaType: GzipLayerMediaType | undefined;
  platform: Platform;
  base: string | undefined;
  upload: "chunked" | "stream";
  chunkSize: number | undefined;
  username: string | undefined;
  passwordStdin: boolean;
  insecure: boolean;
  json: boolean;
  help: boolean;
}

export const PUSH_HELP = `Usage: streamlayer push [options] <file|-> <destination>

Streams an uncompressed tarball (a file, or stdin for "-") as a gzip layer,
computing its digests on the way, and writes an image with that layer on top
(or, with --blob, only the layer) to a registry or an OCI layout.

Destination:
  <registry>/<repository>[:<tag>]   for example 127.0.0.1:5000/demo:latest
  oci:<directory>[:<tag>]           an OCI image layout on disk (tag: latest)

Options:
  --blob                     push only the layer blob, no config or manifest
  --base <reference>         put the layer on top of this image (as crane append)
  --platform <os/arch[/var]> platform of a new image, or the one to pick from
                             the base's index (default: linux/amd64)
  --media-type <oci|docker>  layer and manifest format (default: the base's, else oci)
  -l, --level <0-9>          gzip level (default: 6)
  --upload <chunked|stream>  chunked PATCHes that can be retried (default), or
                             one streamed request that cannot
  --chunk-size <size>        chunk size, such as 8MiB (default: per registry)
  --username <name>          user name; the password is read from stdin
  --password-stdin           read the password from stdin (needs a file input)
  --insecure                 allow plain HTTP to a registry that is not loopback
  --json                     print the result as JSON on stdout
  -h, --help                 show this help

Credentials: --username with --password-stdin, else the "auths" of Docker's
config.json ($DOCKER_CONFIG/config.json or ~/.docker/config.json), else anonymous.

Exit codes: 0 done, 1 failed, 2 bad usage or reference, 3 credentials refused,
4 registry unreachable, 5 input unreadable, 130 interrupted.

Examples:
  tar -C rootfs -cf - . | streamlayer push - 127.0.0.1:5000/app:1.0
  streamlayer push --base 127.0.0.1:5000/alpine:3 layer.tar 127.0.0.1:5000/app:1.0
  streamlayer push layer.tar oci:./out:app
  streamlayer push --blob --json layer.tar 127.0.0.1:5000/app
`;

/**
 * Parses and checks `push`'s arguments.
 *
 * @throws {UsageError} naming the bad option or argument.
 */
export function parsePushArgs(argv: string[]): PushArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0] ?? "Invalid arguments");
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (!help && positionals.length !== 2) {
    throw new UsageError(`push needs <file|-> and <destination>, got ${positionals.length} argument(s): see streamlayer push --help`);
  }
  const args: PushArgs = {
    input: positionals[0] ?? "",
    destination: positionals[1] ?? "",
    blob: values.blob === true,
    level: values.level === undefined ? undefined : level(values.level),
    mediaType: values["media-type"] === undefined ? undefined : mediaType(values["media-type"]),
    platform: platform(values.platform ?? "linux/amd64"),
    base: values.base,
    upload: upload(values.upload ?? "chunked"),
    chunkSize: values["chunk-size"] === undefined ? undefined : size(values["chunk-size"]),
    username: values.username,
    passwordStdin: values["password-stdin"] === true,
    insecure: values.insecure === true,
    json: values.json === true,
    help,
  };
  if (help) return args;
  if (args.passwordStdin && args.username === undefined) throw new UsageError("--password-stdin needs --username");
  if (args.username !== undefined && !args.passwordStdin) throw new UsageError("--username needs --password-stdin: passwords are not taken on the command line");
  if (args.passwordStdin && args.input === "-") throw new UsageError("--password-stdin reads stdin, so the input must be a file, not -");
  if (args.blob && args.base !== undefined) throw new UsageError("--blob pushes only a layer: it cannot take --base");
  return args;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      blob: { type: "boolean" },
      base: { type: "string" },
      platform: { type: "string" },
      "media-type": { type: "string" },
      level: { type: "string", short: "l" },
      upload: { type: "string" },
      "chunk-size": { type: "string" },
      username: { type: "string" },
      "password-stdin": { type: "boolean" },
      insecure: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function level(text: string): CompressionLevel {
  const value = Number(text);
  if (!/^\d$/.test(text)) throw new UsageError(`Invalid --level: ${text}: expected 0 to 9`);
  return value as CompressionLevel;
}

function mediaType(text: string): GzipLayerMediaType {
  if (text === "oci" || text === OCI_LAYER_GZIP) return OCI_LAYER_GZIP;
  if (text === "docker" || text === DOCKER_LAYER_GZIP) return DOCKER_LAYER_GZIP;
  throw new UsageError(`Invalid --media-type: ${text}: expected oci or docker`);
}

function platform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.split("/");
  if (!os || !architecture || rest.length > 0) throw new UsageError(`Invalid --platform: ${text}: expected os/arch[/variant]`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

function upload(text: string): "chunked" | "stream" {
  if (text === "chunked" || text === "stream") return text;
  throw new UsageError(`Invalid --upload: ${text}: expected chunked or stream`);
}

function size(text: string): number {
  try {
    return parseSize(text);
  } catch (error) {
    throw new UsageError(`Invalid --chunk-size: ${(error as Error).message}`);
  }
}
