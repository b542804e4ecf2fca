import { StreamLayerError } from "../errors.ts";

/** Exit codes of the `streamlayer` command. */
export const EXIT = {
  ok: 0,
  /** Any other failure (a registry error, a digest mismatch). */
  failure: 1,
  /** Bad arguments or options, or a bad reference. */
  usage: 2,
  /** The registry or its token server refused the credentials. */
  auth: 3,
  /** The registry could not be reached. */
  unreachable: 4,
  /** The input could not be read. */
  input: 5,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** Bad command-line arguments. */
export class UsageError extends StreamLayerError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** The input file or stdin could not be read. */
export class InputError extends StreamLayerError {
  constructor(message: string, options?: ErrorOptions) {
    super("INPUT", message, options);
  }
}

/** The exit code and the one-line message for a failure. */
export function describeFailure(error: unknown): { code: number; message: string } {
  const input = findInChain(error, (e) => e instanceof InputError);
  if (input) return { code: EXIT.input, message: oneLine(input) };
  const coded = findInChain(error, (e) => typeof (e as { code?: unknown }).code === "string" && e instanceof StreamLayerError) as
    | (StreamLayerError & { status?: number })
    | undefined;
  const message = oneLine(coded ?? error);
  switch (coded?.code) {
    case "USAGE":
    case "INVALID_REFERENCE":
      return { code: EXIT.usage, message };
    case "AUTH":
      return { code: EXIT.auth, message: authMessage(message) };
    default:
      break;
  }
  if (coded && "status" in coded && (coded.status === 401 || coded.status === 403)) return { code: EXIT.auth, message: authMessage(message) };
  if (coded && "status" in coded && coded.status === undefined && coded.code === "REGISTRY_ERROR") {
    return { code: EXIT.unreachable, message: `${message}: is the registry running and reachable?` };
  }
  if (error instanceof TypeError || error instanceof RangeError) return { code: EXIT.usage, message };
  return { code: EXIT.failure, message };
}

function authMessage(message: string): string {
  return `Credentials refused: ${message}: give them with --username and --password-stdin, or in Docker's config.json`;
}

function findInChain(error: unknown, test: (error: Error) => boolean): Error | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    if (test(current)) return current;
  }
  return undefined;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, " ").trim();
}
