import { readFileSync } from "node:fs";
import { describeFailure, EXIT, type FailureContext, UsageError } from "./_cli_errors.ts";
import { closestOption } from "./_closest_option.ts";
import { insteadOf } from "./_other_verbs.ts";
import { withoutUserInfo } from "./_user_info.ts";
import { rememberingFetch } from "./_sent_secrets.ts";
import { terminalSafe } from "./_terminal_text.ts";

const HELP = `Usage: streamlayer <command> [options]

Turns a read-once stream of a tarball into an OCI image layer (gzip, DiffID,
digest and size in one pass) and writes it to a registry or an OCI layout.

Commands:
  push [options] <file|-> <destination>   push tarballs as layers of an image
  copy [options] <source> <destination>   copy an image (every platform) between registries
  export [options] <image> [-o file.tar]  write an image's file system as one tar
  login <registry> -u <name> --password-stdin   store credentials in Docker's config.json
  logout <registry>                       remove them
  help [command]                          show help for a command

Options:
  -h, --help      show this help
  -v, --version   print the version

Run "streamlayer <command> --help" for a command's options.

Example:
  echo "$TOKEN" | streamlayer login ghcr.io -u me --password-stdin
  ref=$(tar -cf - -C rootfs . | streamlayer push - docker://ghcr.io/me/app:1.0)
  streamlayer copy ghcr.io/me/app:1.0 127.0.0.1:5000/app:1.0
  streamlayer export ghcr.io/me/app:1.0 | tar -tvf -
`;

/**
 * Runs the `streamlayer` command with `argv` (without `node` and the script)
 * and returns the exit code. Failures print one line on stderr.
 */
export async function runCli(argv: string[], signal?: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  const context: FailureContext = {};
  rememberSentCredentials();
  try {
    switch (command) {
      case undefined:
      case "-h":
      case "--help":
        process.stdout.write(HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case "help":
        if (rest[0] !== undefined && !Object.hasOwn(HELPS, rest[0])) throw unknownCommand(rest[0]);
        process.stdout.write(rest[0] === undefined ? HELP : ((await HELPS[rest[0]]?.()) ?? HELP));
        return EXIT.ok;
      case "-v":
      case "--version":
        process.stdout.write(`${version()}\n`);
        return EXIT.ok;
      case "push":
        return await (await import("./_push_command.ts")).push(rest, signal, context);
      case "copy":
        return await (await import("./_copy_command.ts")).copy(rest, signal, context);
      case "export":
        return await (await import("./_export_command.ts")).exportImage(rest, signal, context);
      case "login":
        return await (await import("./_login_command.ts")).login(rest);
      case "logout":
        return await (await import("./_login_command.ts")).logout(rest);
      default:
        throw unknownCommand(command);
    }
  } catch (error) {
    if (signal?.aborted) {
      process.stderr.write("streamlayer: interrupted\n");
      return EXIT.interrupted;
    }
    const { code, message } = describeFailure(error, context);
    // Registries, token servers and helpers choose much of this text: a terminal must not obey it.
    process.stderr.write(`streamlayer: ${terminalSafe(message)}\n`);
    return code;
  }
}

// A command's code (layers, registries, compression, Node's crypto, zlib and
// workers) is loaded when that command runs, so that `--help` and `--version`
// start as fast as Node does (the bench's `cli` startup figure).
const HELPS: Record<string, () => Promise<string>> = {
  push: async () => (await import("./_push_args.ts")).PUSH_HELP,
  copy: async () => (await import("./_copy_command.ts")).COPY_HELP,
  export: async () => (await import("./_export_command.ts")).EXPORT_HELP,
  login: async () => (await import("./_login_command.ts")).LOGIN_HELP,
  logout: async () => (await import("./_login_command.ts")).LOGIN_HELP,
};

function unknownCommand(command: string): UsageError {
  const instead = insteadOf(command.toLowerCase());
  if (instead !== undefined) return new UsageError(instead);
  const closest = closestOption(command, ["push", "copy", "export", "login", "logout", "help"]);
  // A registry given where the command goes may carry a password.
  return new UsageError(`Unknown command: ${withoutUserInfo(command)}: ${closest ? `did you mean ${closest}?` : "see streamlayer --help"}`);
}

let remembering = false;

// Every request goes through the global fetch (the library's default), so this
// is the one place that sees every credential sent, whichever command, helper
// or token realm it came from: each is remembered, so that a registry echoing
// it back is never printed (terminalSafe cuts them).
function rememberSentCredentials(): void {
  if (remembering) return;
  remembering = true;
  globalThis.fetch = rememberingFetch(globalThis.fetch.bind(globalThis));
}

function version(): string {
  const url = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}
