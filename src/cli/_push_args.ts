import { TAG_PATTERN } from "../oci/digest.ts";
import { parseArgs } from "node:util";
import { DOCKER_LAYER_GZIP, OCI_LAYER_GZIP, type GzipLayerMediaType } from "../oci/media_types.ts";
import type { CompressionLevel } from "../compress/compressor.ts";
import type { Platform } from "../oci/descriptor.ts";
import { parseSize } from "./_format.ts";
import { UsageError } from "./_cli_errors.ts";
import { checkOptions } from "./_check_options.ts";
import { hasEdits } from "./_edit_image.ts";
import { formatPlatform } from "../image/_platform.ts";

/** How the new image's config and manifest are changed, as crane's flags say. */
export interface ImageEdits {
  annotations: Record<string, string>;
  labels: Record<string, string>;
  env: string[];
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
  workdir: string | undefined;
  user: string | undefined;
}

/** One platform of a multi-platform push: its platform and its own layers. */
export interface PlatformInputs {
  platform: Platform;
  /** Its layers, bottom first: the -f files after its --platform. */
  inputs: string[];
}

/** `streamlayer push`'s arguments, checked. */
export interface PushArgs {
  /** The layers, bottom first: files, or `-` for stdin (every platform's, in order, for several). */
  inputs: string[];
  destination: string;
  /** More tags for the same manifest, in the destination's repository. */
  tags: string[];
  blob: boolean;
  /** What tars are compressed with; .tar.gz and .tar.zst inputs go as they are. */
  compression: "gzip" | "zstd";
  /** gzip: 0 to 9; zstd: -131072 to 22. */
  level: number | undefined;
  /** Undefined: follow the base image's format, else OCI. */
  mediaType: GzipLayerMediaType | undefined;
  /** The one platform, or the first of several. */
  platform: Platform;
  /**
   * With `--platform` given twice or more: one image per platform, each with
   * the `-f` files that follow its `--platform`, pushed under an index.
   * Undefined for one image.
   */
  platforms: PlatformInputs[] | undefined;
  edits: ImageEdits;
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
       streamlayer push [options] -f <file|-> [-f <file|-> ...] <destination>
       streamlayer push [options] --platform <os/arch> -f <file|-> [-f ...]
                        --platform <os/arch> -f <file|-> [-f ...] <destination>

Streams uncompressed tarballs (files, or stdin for "-") as gzip layers (zstd
with --compression zstd), computing their digests on the way, and writes an
image with those layers on top (or, with --blob, only the layer) to a registry
or an OCI layout. A file that is already compressed (a .tar.gz or a .tar.zst,
told by its bytes) is pushed as it is.

On success stdout holds one line, the pushed reference with its digest
(127.0.0.1:5000/app@sha256:4f1c...); progress and the summary go to stderr.

Destination:
  [docker://]<registry>/<repository>[:<tag>]  e.g. 127.0.0.1:5000/demo:1
  oci:<directory>[:<tag>]                      e.g. oci:./out:demo (tag: latest)

Layers:
  -f, --file <file|->          a layer, repeatable, bottom first
      e.g. -f deps.tar.gz -f app.tar
  --base <reference>           put the layers on top of this image
      e.g. --base docker://cgr.dev/chainguard/static:latest
  --blob                       push only the layer blob, no config or manifest
      e.g. --blob --json layer.tar 127.0.0.1:5000/app

Image (as crane mutate):
  -t, --tag <tag>              another tag for the same image, repeatable
      e.g. -t latest -t 1.0
  --platform <os/arch[/var]>   platform of a new image, or the one to pick from
                               the base's index (default: linux/amd64); twice
                               or more: several platforms (below)
      e.g. --platform linux/arm64/v8
  --annotation <key=value>     manifest annotation, repeatable
      e.g. --annotation org.opencontainers.image.revision=4f1c2e
  --label <key=value>          config label, repeatable
      e.g. --label maintainer=ops@example.com
  --env <NAME=value>           environment variable, repeatable; replaces the
                               base's variable of that name
      e.g. --env TZ=UTC
  --entrypoint <a,b,...>       entrypoint: comma-separated, or a JSON array;
                               clears the base's cmd unless --cmd is given
      e.g. --entrypoint '["/app/server","--log=json"]'
  --cmd <a,b,...>              default arguments, in the same forms
      e.g. --cmd --port=8080,--verbose
  --workdir <dir>              working directory
      e.g. --workdir /app
  --user <user[:group]>        user the process runs as
      e.g. --user 65532:65532
  --media-type <oci|docker>    layer and manifest format (default: the base's,
                               else oci)
      e.g. --media-type docker

Several platforms (one tag, an image index, as docker buildx pushes):
  Give --platform once per platform; each takes the -f files that follow it,
  up to the next --platform, as its layers, bottom first. So every -f comes
  after a --platform, every --platform has at least one -f, layers are given
  only with -f, and a platform is given once; anything else is refused (exit
  2). --base (pulled for each platform), the image edits, --media-type and
  --tag apply to every platform; the destination is a registry. stdout holds
  the index's reference (a Docker manifest list with --media-type docker).
      e.g. --platform linux/amd64 -f amd64.tar --platform linux/arm64 -f arm.tar

Transfer:
  --compression <gzip|zstd>    how tars are compressed (default: gzip); zstd
                               layers are OCI only, pulled by containerd 1.5+
                               and Docker 23+ (a .tar.zst is pushed as it is)
      e.g. --compression zstd
  -l, --level <level>          gzip: 0 to 9 (default: 6); zstd: -131072 to 22
                               (default: 3; a negative one as --level=-5)
      e.g. -l 1
  --upload <chunked|stream>    chunked PATCHes that can be retried (default), or
                               one streamed request that cannot
      e.g. --upload stream
  --chunk-size <size>          chunk size (default: per registry)
      e.g. --chunk-size 16MiB
  --insecure                   plain HTTP to a registry that is not loopback
      e.g. --insecure registry.lan:5000/app:1

Credentials:
  -u, --username <name>        user name, for the destination's registry only
      e.g. --username ci-bot --password-stdin app.tar < token.txt
  --password-stdin             read that password from stdin (the layers then
                               come from files; or run "streamlayer login")
      e.g. streamlayer push -u me --password-stdin app.tar ghcr.io/me/app
  Else, per registry host: $REGISTRY_AUTH_FILE,
  \${XDG_RUNTIME_DIR}/containers/auth.json, then $DOCKER_CONFIG/config.json or
  ~/.docker/config.json; in each, a "host/namespace" key of the repository
  (the longest), then credHelpers for the host, credsStore
  (docker-credential-<name>), then its "auths" entry.

Output:
  --json                       print the result as JSON on stdout instead
      e.g. streamlayer push --json app.tar ghcr.io/me/app | jq .layer
  -h, --help                   show this help
      e.g. streamlayer push --help

Exit codes: 0 done, 1 failed, 2 bad usage or reference, 3 credentials wanted,
refused or denied, or a credential helper failed, 4 registry unreachable,
5 input unreadable or not a tar, 130 interrupted.

Examples:
  tar -C rootfs -cf - . | streamlayer push - 127.0.0.1:5000/app:1.0
  ref=$(streamlayer push --base cgr.dev/chainguard/static -f app.tar.gz \\
        --entrypoint /app --env TZ=UTC -t latest docker://ghcr.io/me/app:1.0)
  streamlayer push layer.tar oci:./out:app
  streamlayer push --platform linux/amd64 -f app-amd64.tar \\
        --platform linux/arm64 -f app-arm64.tar 127.0.0.1:5000/app:1.0
`;

/** Every option of push, for the parser and the help's test. */
export const PUSH_OPTIONS = {
  file: { type: "string", short: "f", multiple: true },
  tag: { type: "string", short: "t", multiple: true },
  blob: { type: "boolean" },
  base: { type: "string" },
  platform: { type: "string", multiple: true },
  annotation: { type: "string", multiple: true },
  label: { type: "string", multiple: true },
  env: { type: "string", multiple: true },
  entrypoint: { type: "string" },
  cmd: { type: "string" },
  workdir: { type: "string" },
  user: { type: "string" },
  "media-type": { type: "string" },
  level: { type: "string", short: "l" },
  compression: { type: "string" },
  upload: { type: "string" },
  "chunk-size": { type: "string" },
  username: { type: "string", short: "u" },
  "password-stdin": { type: "boolean" },
  insecure: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parses and checks `push`'s arguments.
 *
 * @throws {UsageError} naming the bad option or argument, and for an unknown option the closest valid one.
 */
export function parsePushArgs(argv: string[]): PushArgs {
  argv = joinListValues(argv);
  checkOptions(argv, PUSH_OPTIONS, "push");
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0] ?? "Invalid arguments");
  }
  const { values, positionals, tokens } = parsed;
  const help = values.help === true;
  const files = values.file ?? [];
  const platforms = help ? undefined : platformInputs(tokens, positionals.length);
  const wanted = files.length > 0 ? 1 : 2;
  if (!help && positionals.length !== wanted) {
    const what = files.length > 0 ? "<destination> after -f" : "<file|-> and <destination>";
    throw new UsageError(`push needs ${what}, got ${positionals.length} argument(s): see streamlayer push --help`);
  }
  const inputs = platforms ? platforms.flatMap((entry) => entry.inputs) : files.length > 0 ? files : positionals.slice(0, 1);
  if (values.compression === "zstd" && values["media-type"] !== undefined && mediaType(values["media-type"]) !== OCI_LAYER_GZIP) {
    throw new UsageError("Invalid --media-type: docker with --compression zstd: Docker's manifest format has no zstd layers; leave --media-type out, or give oci");
  }
  const args: PushArgs = {
    inputs,
    destination: positionals.at(-1) ?? "",
    tags: (values.tag ?? []).map(tag),
    blob: values.blob === true,
    compression: compression(values.compression ?? "gzip"),
    level: values.level === undefined ? undefined : level(values.level, values.compression ?? "gzip"),
    mediaType: values["media-type"] === undefined ? undefined : mediaType(values["media-type"]),
    platform: platforms?.[0]?.platform ?? platform(values.platform?.at(-1) ?? "linux/amd64"),
    platforms,
    edits: {
      annotations: pairs("--annotation", values.annotation),
      labels: pairs("--label", values.label),
      env: Object.entries(pairs("--env", values.env)).map(([name, value]) => `${name}=${value}`),
      entrypoint: values.entrypoint === undefined ? undefined : list("--entrypoint", values.entrypoint),
      cmd: values.cmd === undefined ? undefined : list("--cmd", values.cmd),
      workdir: values.workdir,
      user: values.user,
    },
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
  if (args.inputs.filter((input) => input === "-").length > 1) throw new UsageError("stdin (-) can be only one of the layers");
  if (args.passwordStdin && args.username === undefined) throw new UsageError("--password-stdin needs --username");
  if (args.username !== undefined && !args.passwordStdin) throw new UsageError("--username needs --password-stdin: passwords are not taken on the command line");
  if (args.passwordStdin && args.inputs.includes("-")) {
    throw new UsageError('--password-stdin reads stdin, so the layers must be files, not -: or run "streamlayer login" first');
  }
  if (args.blob && args.platforms) throw new UsageError("--blob pushes one layer: it cannot take several --platform");
  if (args.blob && args.base !== undefined) throw new UsageError("--blob pushes only a layer: it cannot take --base");
  if (args.blob && args.inputs.length > 1) throw new UsageError("--blob pushes one layer: give one file");
  if (args.blob && (args.tags.length > 0 || hasEdits(args.edits))) throw new UsageError("--blob pushes only a layer: it has no tags, config or annotations to set");
  return args;
}

// An argument list often starts with a dash (--cmd --port=8080): parseArgs
// would take that for a forgotten value, so these two take the next word as it is.
function joinListValues(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") return [...joined, ...argv.slice(i)];
    if ((arg === "--cmd" || arg === "--entrypoint") && i + 1 < argv.length) joined.push(`${arg}=${argv[++i]}`);
    else joined.push(arg);
  }
  return joined;
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, tokens: true, options: PUSH_OPTIONS });
}

type Token = ReturnType<typeof parse>["tokens"][number];

/**
 * The platforms of a multi-platform push, each with the -f files after its
 * --platform; undefined unless --platform is given twice or more. The rule
 * leaves one reading only: a file before the first --platform, a platform
 * without files, a layer given as an argument or a platform given twice is refused.
 */
function platformInputs(tokens: readonly Token[], positionals: number): PlatformInputs[] | undefined {
  const options = tokens.flatMap((token) => (token.kind === "option" && (token.name === "platform" || token.name === "file") ? [{ name: token.name, value: token.value ?? "" }] : []));
  if (options.filter(({ name }) => name === "platform").length < 2) return undefined;
  const entries: Array<PlatformInputs & { text: string }> = [];
  for (const { name, value } of options) {
    if (name === "platform") {
      const parsed = platform(value);
      const twice = entries.find((entry) => formatPlatform(entry.platform) === formatPlatform(parsed));
      if (twice) throw new UsageError(`--platform ${value} is given twice: give each platform once, with all its -f files after it`);
      entries.push({ platform: parsed, inputs: [], text: value });
    } else {
      const current = entries.at(-1);
      if (!current) throw new UsageError(`-f ${value} comes before the first --platform: with several --platform, each -f belongs to the --platform before it`);
      current.inputs.push(value);
    }
  }
  const empty = entries.find((entry) => entry.inputs.length === 0);
  if (empty) throw new UsageError(`--platform ${empty.text} has no -f after it: with several --platform, each takes the -f files that follow it`);
  if (positionals !== 1) throw new UsageError(`with several --platform, layers are given with -f after each --platform and <destination> is the only argument, got ${positionals} argument(s)`);
  return entries.map(({ platform, inputs }) => ({ platform, inputs }));
}

function pairs(flag: string, texts: readonly string[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const text of texts ?? []) {
    const equals = text.indexOf("=");
    if (equals <= 0) throw new UsageError(`Invalid ${flag}: ${text}: expected key=value`);
    result[text.slice(0, equals)] = text.slice(equals + 1);
  }
  return result;
}

// crane's habit (a comma-separated list), or a JSON array for arguments that hold commas.
function list(flag: string, text: string): string[] {
  if (text.trimStart().startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError(`Invalid ${flag}: not a JSON array of strings`);
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) throw new UsageError(`Invalid ${flag}: not a JSON array of strings`);
    return parsed;
  }
  return text === "" ? [] : text.split(",");
}

function tag(text: string): string {
  if (!TAG_PATTERN.test(text)) throw new UsageError(`Invalid --tag: ${text}: expected a tag such as 1.0 (1 to 128 of [A-Za-z0-9_.-])`);
  return text;
}

function compression(text: string): "gzip" | "zstd" {
  if (text === "gzip" || text === "zstd") return text;
  throw new UsageError(`Invalid --compression: ${text}: expected gzip or zstd`);
}

function level(text: string, compression: string): CompressionLevel | number {
  const value = Number(text);
  if (compression === "zstd") {
    if (!/^-?\d+$/.test(text) || value < -131072 || value > 22) throw new UsageError(`Invalid --level: ${text}: expected -131072 to 22 for zstd`);
    return value;
  }
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
