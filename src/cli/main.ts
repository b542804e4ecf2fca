import { readFileSync } from "node:fs";
import { describeFailure, EXIT, UsageError } from "./_cli_errors.ts";
import { PUSH_HELP } from "./_push_args.ts";
import { push } from "./push_command.ts";

const HELP = `Usage: streamlayer <command> [options]

Turns a read-once stream of a tarball into an OCI image layer (gzip, DiffID,
digest and size in one pass) and writes it to a registry or an OCI layout.

Commands:
  push [options] <file|-> <destination>   push a tarball as a layer or an image
  help [command]                          show help for a command

Options:
  -h, --help      show this help
  -v, --version   print the version

Run "streamlayer push --help" for the push options.
`;

/**
 * Runs the `streamlayer` command with `argv` (without `node` and the script)
 * and returns the exit code. Failures print one line on stderr.
 */
export async function runCli(argv: string[], signal?: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "-h":
      case "--help":
        process.stdout.write(HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case "help":
        if (rest[0] !== undefined && rest[0] !== "push") throw new UsageError(`Unknown command: ${rest[0]}: see streamlayer --help`);
        process.stdout.write(rest[0] === "push" ? PUSH_HELP : HELP);
        return EXIT.ok;
      case "-v":
      case "--version":
        process.stdout.write(`${version()}\n`);
        return EXIT.ok;
      case "push":
        return await push(rest, signal);
      default:
        throw new UsageError(`Unknown command: ${command}: see streamlayer --help`);
    }
  } catch (error) {
    if (signal?.aborted) {
      process.stderr.write("streamlayer: interrupted\n");
      return EXIT.interrupted;
    }
    const { code, message } = describeFailure(error);
    process.stderr.write(`streamlayer: ${message}\n`);
    return code;
  }
}

function version(): string {
  const url = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}
