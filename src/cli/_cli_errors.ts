import { isStreamLayerError, StreamLayerError } from "../errors.ts";
import type { RegistryErrorDetail } from "../registry/errors.ts";

/** Exit codes of the `streamlayer` command. */
export const EXIT = {
  ok: 0,
  /** Any other failure (a registry error, a digest mismatch). */
  failure: 1,
  /** Bad arguments or options, or a bad reference. */
  usage: 2,
  /** Credentials wanted, refused or denied, or a credential helper that failed. */
  auth: 3,
  /** The registry could not be reached, or stopped answering. */
  unreachable: 4,
  /** The input could not be read, or is not a tarball. */
  input: 5,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** Bad command-line arguments. */
export class UsageError extends StreamLayerError {
  override readonly name = "UsageError";
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** The input file or stdin could not be read. */
export class InputError extends StreamLayerError {
  override readonly name = "InputError";
  constructor(message: string, options?: ErrorOptions) {
    super("INPUT", message, options);
  }
}

// Thrown by the keychain (streamlayer/keychain), which the command's credentials come from.
export { CredentialHelperError } from "../keychain/credential_helper_error.ts";

/** What the command knows that helps explain a failure: which hosts were given credentials. */
export interface FailureContext {
  auth?: { readonly asked: ReadonlySet<string>; readonly given: ReadonlySet<string> };
}

type RegistryLike = StreamLayerError & { status?: number; url?: string; errors?: readonly RegistryErrorDetail[] };

/** The exit code and the one-line message for a failure. */
export function describeFailure(error: unknown, context: FailureContext = {}): { code: number; message: string } {
  const input = findInChain(error, (e) => e instanceof InputError || (isStreamLayerError(e) && e.code === "INVALID_LAYER_SOURCE"));
  if (input) return { code: EXIT.input, message: oneLine(input instanceof InputError ? input.message : notATar(input)) };
  const coded = findInChain(error, (e) => e instanceof StreamLayerError) as RegistryLike | undefined;
  const message = oneLine(coded ? withRegistryMessages(coded) : error instanceof Error ? error.message : String(error));
  switch (coded?.code) {
    case "USAGE":
    case "INVALID_REFERENCE":
      return { code: EXIT.usage, message };
    case "CREDENTIAL_HELPER":
      return { code: EXIT.auth, message };
    case "TIMEOUT":
      return { code: EXIT.unreachable, message: `${message}: the registry stopped answering` };
    default:
      break;
  }
  if (coded?.status === 403) return { code: EXIT.auth, message: `Access denied: ${message}` };
  if (coded?.status === 401 || coded?.code === "AUTH") return { code: EXIT.auth, message: unauthorized(coded, message, context) };
  if (coded && "status" in coded && coded.status === undefined && coded.code === "REGISTRY_ERROR") {
    return { code: EXIT.unreachable, message: `${message}: is the registry running and reachable?` };
  }
  if (error instanceof TypeError || error instanceof RangeError) return { code: EXIT.usage, message };
  return { code: EXIT.failure, message };
}

// The library's message speaks to programmers (options to pass); these speak to someone at a shell.
const NOT_A_TAR: Record<string, string> = {
  "not-tar": "Input is not a tar: give an uncompressed tar, or a .tar.gz",
  zstd: "Input is zstd-compressed: decompress it first (zstd -d), or give a tar or a .tar.gz",
  "image-tarball": "Input is an image tarball (an OCI layout, or a `docker save` tarball), not the tar of one layer: push it with skopeo copy oci-archive:... or docker-archive:..., or crane push",
  "corrupt-gzip": "Input is gzip data that cannot be decompressed",
  gzip: "Input is a .tar.gz that holds gzip data again: gunzip it once first",
};

function notATar(error: Error): string {
  const found = (error as { found?: unknown }).found;
  if (found === "not-tar" && /block of zeros/.test(error.message)) return "Input is not a tar: it starts with a block of zeros (the end of a tar) followed by data";
  return (typeof found === "string" ? NOT_A_TAR[found] : undefined) ?? error.message;
}

// A 401 means "who are you?" when nothing was sent, and "no" when something was.
function unauthorized(error: RegistryLike, message: string, context: FailureContext): string {
  const host = hostOf(error.url);
  const auth = context.auth;
  // A host nobody asked credentials for is a token realm: it saw the registry's credentials, if any.
  const sent = auth !== undefined && ((host !== undefined && auth.given.has(host)) || ((host === undefined || !auth.asked.has(host)) && auth.given.size > 0));
  if (sent) return `Credentials refused: ${message}: check them, or log in again with "streamlayer login ${host ?? "<registry>"}"`;
  const where = host ?? "the registry";
  return `${where} wants credentials: ${message}: log in with "streamlayer login ${where} --username <name> --password-stdin", pass --username with --password-stdin, or store them in Docker's config.json or a credential helper`;
}

// The registry's own words, after the codes the error's message already names.
function withRegistryMessages(error: RegistryLike): string {
  const said = (error.errors ?? []).map((entry) => entry.message).filter((text): text is string => typeof text === "string" && text !== "");
  return said.length === 0 ? error.message : `${error.message}: the registry says: ${said.join("; ")}`;
}

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

function findInChain(error: unknown, test: (error: Error) => boolean): Error | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    if (test(current)) return current;
  }
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
