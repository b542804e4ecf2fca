import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { dockerConfigPath, parseAuthJson } from "./_auth_file.ts";
import { checkOptions } from "./_check_options.ts";
import { EXIT, UsageError } from "./_cli_errors.ts";
import { readPasswordStdin } from "./_password_stdin.ts";
import { registryHost, serverUrl } from "./_registry_host.ts";
import { terminalSafe } from "./_terminal_text.ts";

export const LOGIN_HELP = `Usage: streamlayer login <registry> --username <name> --password-stdin
       streamlayer logout <registry>

login stores the credentials for <registry> in the "auths" of Docker's
config.json ($DOCKER_CONFIG/config.json or ~/.docker/config.json), as
"crane auth login" does, for later pushes to read. The credentials are not
tried here: the next push says whether the registry takes them. logout
removes that registry's entries. <registry> is a host[:port], with or
without https:// or docker://; Docker Hub is filed as ${serverUrl("index.docker.io")}.

Options:
  -u, --username <name>   the user name                    -u ci-bot
  --password-stdin        read the password or token from stdin
  -h, --help              show this help

Example:
  echo "$TOKEN" | streamlayer login ghcr.io -u me --password-stdin
  tar -cf - -C rootfs . | streamlayer push - ghcr.io/me/app:1.0
  streamlayer logout ghcr.io
`;

const OPTIONS = {
  username: { type: "string", short: "u" },
  "password-stdin": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** `streamlayer login <registry>`: writes `auths[<registry>]` in Docker's config.json. */
export async function login(argv: string[]): Promise<number> {
  checkOptions(argv, OPTIONS, "login");
  const { values, positionals } = parse(argv);
  if (values.help) {
    process.stdout.write(LOGIN_HELP);
    return EXIT.ok;
  }
  const host = registryArgument(positionals, "login");
  if (values.username === undefined || values["password-stdin"] !== true) {
    throw new UsageError("login needs --username and --password-stdin: passwords are not taken on the command line");
  }
  const password = await readPasswordStdin();
  const path = dockerConfigPath();
  await updateConfig(path, (auths) => {
    for (const key of Object.keys(auths)) if (registryHost(key) === host) delete auths[key];
    auths[serverUrl(host)] = { auth: Buffer.from(`${values.username}:${password}`, "utf8").toString("base64") };
    return true;
  });
  process.stderr.write(`${terminalSafe(`Logged in to ${host}: credentials stored in ${path}`)}\n`);
  return EXIT.ok;
}

/** `streamlayer logout <registry>`: removes that registry's `auths` entries from Docker's config.json. */
export async function logout(argv: string[]): Promise<number> {
  checkOptions(argv, { help: OPTIONS.help }, "logout");
  const { values, positionals } = parse(argv);
  if (values.help) {
    process.stdout.write(LOGIN_HELP);
    return EXIT.ok;
  }
  const host = registryArgument(positionals, "logout");
  const path = dockerConfigPath();
  let removed = false;
  await updateConfig(path, (auths) => {
    for (const key of Object.keys(auths)) {
      if (registryHost(key) === host) {
        delete auths[key];
        removed = true;
      }
    }
    return removed;
  });
  process.stderr.write(`${terminalSafe(removed ? `Logged out of ${host}: removed from ${path}` : `Not logged in to ${host} in ${path}`)}\n`);
  return EXIT.ok;
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0] ?? "Invalid arguments");
  }
}

function registryArgument(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} needs one <registry>, got ${positionals.length} argument(s): see streamlayer ${command} --help`);
  const host = registryHost(positionals[0] ?? "");
  if (!/^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:.]+\](:\d+)?$/.test(host)) throw new UsageError(`Invalid registry: ${positionals[0]}: expected host[:port]`);
  return host;
}

// Read, change, write to a temporary file and rename: every other field of the
// file (credHelpers, proxies, plugins) is kept, and a reader never sees half a file.
async function updateConfig(path: string, change: (auths: Record<string, unknown>) => boolean): Promise<void> {
  let config: Record<string, unknown> = {};
  try {
    config = parseAuthJson(await readFile(path, "utf8"), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const auths = typeof config.auths === "object" && config.auths !== null && !Array.isArray(config.auths) ? (config.auths as Record<string, unknown>) : {};
  if (!change(auths)) return;
  config.auths = auths;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, "\t")}\n`, { mode: 0o600 });
  await rename(temporary, path);
}
