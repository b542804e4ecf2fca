import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What the fake helpers hold, by the server URL they are asked for. */
export type HelperStore = Record<string, { username: string; secret: string }>;

/** The fake helpers of {@link writeCredentialHelpers}: the PATH that finds them, and where they write. */
export interface FakeHelpers {
  /** The PATH to run with: the helpers' directory first. */
  path: string;
  /** Every call of a helper, one line each: `<name> <verb> <server>`. */
  log: string;
  /** The file `keeper` keeps its credentials in, a JSON object by server URL. */
  keeperStore: string;
  /** The process ids `hanging`, `flooding` and `lingering` wrote: each script's own and its child's. */
  pidFile: string;
}

const NOT_FOUND = "credentials not found in native keychain";

/**
 * Writes fake but real-protocol Docker credential helpers into `bin`: each
 * reads its input on stdin and answers as docker-credential-* do.
 * - `good` and `identity` answer `get` from `store` and `identity` (the
 *   latter `<token>` and an identity token), as shell scripts;
 * - `keeper` (a Node script) speaks the whole protocol, `get`, `store` (JSON
 *   on stdin), `erase` and `list`, over a JSON file;
 * - `broken` prints a secret and fails;
 * - `hanging` is a wrapper script whose child sleeps for ever, `flooding` one
 *   whose child writes output without end, and `lingering` one that answers
 *   and exits, leaving a child that holds its stdout open; each records its
 *   own and its child's process id.
 */
export function writeCredentialHelpers(bin: string, store: HelperStore = {}, identity: HelperStore = {}): FakeHelpers {
  mkdirSync(bin, { recursive: true });
  const log = join(bin, "asked.log");
  const keeperStore = join(bin, "keeper-store.json");
  const pidFile = join(bin, "pids");
  const answering = (name: string, entries: HelperStore): void => {
    const cases = Object.entries(entries)
      .map(([server, { username, secret }]) => `  '${server}') printf '%s' '${JSON.stringify({ ServerURL: server, Username: username, Secret: secret })}' ;;`)
      .join("\n");
    script(bin, name, `#!/bin/sh
server=$(cat)
echo "${name} $1 $server" >> '${log}'
[ "$1" = get ] || exit 3
case "$server" in
${cases}
  *) echo "${NOT_FOUND}"; exit 1 ;;
esac
`);
  };
  answering("good", store);
  answering("identity", identity);
  script(bin, "broken", `#!/bin/sh
cat >/dev/null
echo "broken $1" >> '${log}'
echo 'TOPSECRET-from-stdout'
echo 'TOPSECRET-from-stderr' >&2
exit 2
`);
  script(bin, "keeper", `#!${process.execPath}
const fs = require("node:fs");
const [verb] = process.argv.slice(2);
const input = fs.readFileSync(0, "utf8");
const file = ${JSON.stringify(keeperStore)};
const kept = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
const save = () => fs.writeFileSync(file, JSON.stringify(kept));
const server = verb === "store" ? JSON.parse(input).ServerURL : input;
fs.appendFileSync(${JSON.stringify(log)}, "keeper " + verb + " " + server + "\\n");
const notFound = () => { process.stdout.write(${JSON.stringify(`${NOT_FOUND}\n`)}); process.exit(1); };
if (verb === "get") {
  if (!kept[server]) notFound();
  process.stdout.write(JSON.stringify({ ServerURL: server, Username: kept[server].Username, Secret: kept[server].Secret }));
} else if (verb === "store") {
  const { Username, Secret } = JSON.parse(input);
  kept[server] = { Username, Secret };
  save();
} else if (verb === "erase") {
  if (!kept[server]) notFound();
  delete kept[server];
  save();
} else if (verb === "list") {
  process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(kept).map(([url, entry]) => [url, entry.Username]))));
} else process.exit(3);
`);
  // Each wrapper records its own process id and its child's, then waits on the child.
  const wrapper = (name: string, child: string, after = "wait"): void =>
    script(bin, name, `#!/bin/sh
cat >/dev/null
echo "${name} $1" >> '${log}'
echo $$ >> '${pidFile}'
${child} &
echo $! >> '${pidFile}'
${after}
`);
  wrapper("hanging", "sleep 3600");
  wrapper("flooding", "yes flooding-output-that-never-ends");
  wrapper("lingering", "sleep 3600", `printf '%s' '{"Username":"lingering-user","Secret":"lingering-secret"}'\nexit 0`);
  return { path: `${bin}:${process.env.PATH ?? ""}`, log, keeperStore, pidFile };
}

/** The helper calls logged so far. */
export function helperCalls(helpers: FakeHelpers): string[] {
  return existsSync(helpers.log) ? readFileSync(helpers.log, "utf8").trim().split("\n").filter(Boolean) : [];
}

/** The process ids the wrapper helpers recorded that are still alive (neither gone nor a zombie). */
export function livingHelperProcesses(helpers: FakeHelpers): number[] {
  if (!existsSync(helpers.pidFile)) return [];
  const pids = readFileSync(helpers.pidFile, "utf8").trim().split("\n").filter(Boolean).map(Number);
  return pids.filter((pid) => {
    try {
      // The state follows the command name in parentheses: Z is a zombie, dead but not yet reaped.
      const zombie = /\) Z /.test(readFileSync(join("/proc", String(pid), "stat"), "utf8"));
      // The id is one of ours, not another process that was given it since.
      const ours = /docker-credential-|sleep\x003600|flooding-output/.test(readFileSync(join("/proc", String(pid), "cmdline"), "latin1"));
      return !zombie && ours;
    } catch {
      return false; // gone
    }
  });
}

/**
 * The wrappers' processes still alive once the kernel has had a moment: a
 * SIGKILL is delivered when the target is next scheduled, not at once, so
 * this asks again for up to 5 s before answering.
 */
export async function helperProcessesAfterKill(helpers: FakeHelpers): Promise<number[]> {
  for (let i = 0; i < 100 && livingHelperProcesses(helpers).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return livingHelperProcesses(helpers);
}

/** What `pgrep -f` finds running from the helpers' directory (the wrapper scripts themselves), one line per process. */
export function pgrepHelpers(bin: string): string[] {
  const result = spawnSync("pgrep", ["-f", "-a", bin], { encoding: "utf8" });
  return result.stdout.trim().split("\n").filter(Boolean);
}

function script(bin: string, name: string, text: string): void {
  const file = join(bin, `docker-credential-${name}`);
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}
