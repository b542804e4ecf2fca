import { parseArgs } from "node:util";
import { eraseLogin, storeLogin } from "../keychain/_docker_login.ts";
import { checkOptions } from "./_check_options.ts";
import { EXIT, UsageError } from "./_cli_errors.ts";
import { helperTimeout } from "./_command_auth.ts";
import { readPasswordStdin } from "./_password_stdin.ts";
import { registryHost, serverUrl } from "../keychain/_registry_keys.ts";
import { hasUserInfo, withoutUserInfo } from "./_user_info.ts";
import { terminalSafe } from "./_terminal_text.ts";

export const LOGIN_HELP = `Usage: streamlayer login <registry> --username <name> --password-stdin
       streamlayer logout <registry>

login stores the credentials for <registry> as "docker login" does: through
the credential helper Docker's config.json ($DOCKER_CONFIG/config.json or
~/.docker/config.json) names for it (credHelpers, else credsStore), else in
its "auths", for later pushes to read. The file is rewritten whole through a
new temporary file (mode 0600), every other value kept as written; a
symlinked config.json stays a symlink. The credentials are not tried here:
the next push says whether the registry takes them. logout erases them from
the helper and removes the registry's "auths" entries. <registry> is a
host[:port], with or without https:// or docker://; Docker Hub is filed as
${serverUrl("index.docker.io")}.

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

/** `streamlayer login <registry>`: stores the credentials through the registry's credential helper, else in `auths[<registry>]` of Docker's config.json. */
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
  const { path, helper } = await storeLogin(host, values.username, password, { env: process.env, timeout: helperTimeout() });
  const where = helper === undefined ? path : `${helper} (as ${path} says)`;
  process.stderr.write(`${terminalSafe(`Logged in to ${host}: credentials stored in ${where}`)}\n`);
  return EXIT.ok;
}

/** `streamlayer logout <registry>`: erases the credentials from the registry's credential helper, and its `auths` entries from Docker's config.json. */
export async function logout(argv: string[]): Promise<number> {
  checkOptions(argv, { help: OPTIONS.help }, "logout");
  const { values, positionals } = parse(argv);
  if (values.help) {
    process.stdout.write(LOGIN_HELP);
    return EXIT.ok;
  }
  const host = registryArgument(positionals, "logout");
  const { path, helper, removed } = await eraseLogin(host, { env: process.env, timeout: helperTimeout() });
  const where = helper === undefined ? path : `${helper} and ${path}`;
  process.stderr.write(`${terminalSafe(removed ? `Logged out of ${host}: removed from ${where}` : `Not logged in to ${host} in ${where}`)}\n`);
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
  const given = positionals[0] ?? "";
  // Never repeat a password written into the argument: the message shows `***@`.
  if (hasUserInfo(given)) throw new UsageError(`Invalid registry: ${withoutUserInfo(given)}: credentials before "@" are not taken: pass --username and --password-stdin`);
  const host = registryHost(given);
  if (!/^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:.]+\](:\d+)?$/.test(host)) throw new UsageError(`Invalid registry: ${withoutUserInfo(given)}: expected host[:port]`);
  return host;
}
