import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What the fake helpers hold, by the server URL they are asked for. */
export type HelperStore = Record<string, { username: string; secret: string }>;

/**
 * Writes fake but real-protocol Docker credential helpers into `bin`: each
 * reads the server URL on stdin, logs it, and answers as docker-credential-*
 * do. `good` answers from `store`, `identity` answers `<token>` and an
 * identity token, `broken` prints a secret and fails.
 *
 * @returns The PATH to run the command with, and the log file of servers asked.
 */
export function writeCredentialHelpers(bin: string, store: HelperStore, identity: HelperStore): { path: string; log: string } {
  mkdirSync(bin, { recursive: true });
  const log = join(bin, "asked.log");
  const answering = (name: string, entries: HelperStore): void => {
    const cases = Object.entries(entries)
      .map(([server, { username, secret }]) => `  '${server}') printf '%s' '${JSON.stringify({ ServerURL: server, Username: username, Secret: secret })}' ;;`)
      .join("\n");
    script(bin, name, `server=$(cat)
echo "${name} $1 $server" >> '${log}'
[ "$1" = get ] || exit 3
case "$server" in
${cases}
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`);
  };
  answering("good", store);
  answering("identity", identity);
  script(bin, "broken", `cat >/dev/null
echo "broken $1" >> '${log}'
echo 'TOPSECRET-from-stdout'
echo 'TOPSECRET-from-stderr' >&2
exit 2
`);
  return { path: `${bin}:${process.env.PATH ?? ""}`, log };
}

function script(bin: string, name: string, body: string): void {
  const file = join(bin, `docker-credential-${name}`);
  writeFileSync(file, `#!/bin/sh\n${body}`);
  chmodSync(file, 0o755);
}
