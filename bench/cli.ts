// The command as users run it: `streamlayer` installed from the packed
// package (node_modules/.bin, the one bundled file of scripts/bundle_cli.ts).
// 1. Startup: `streamlayer --help` against `node -e 0` (Node's own floor), the
//    unbundled entry tsc writes (dist/cli/bin.js, ~150 modules) and the
//    sources through tsx (what the tests run), in interleaved rounds: medians.
// 2. Memory: the peak RSS (the kernel's maxrss of the whole process, threads
//    included) of a push of a 200 MiB tar of real files to a local
//    docker-registry at the default settings, beside `node -e 0`'s.
// Run alone: BENCH_ONLY=cli npm run bench   (BENCH_CLI_ROUNDS=21, BENCH_CLI_PUSH_MIB=200, BENCH_CLI_PUSHES=2)
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { consumerProject, packPackage, root } from "../test/package/_packed.ts";
import { startRegistry } from "../test/support/registry.ts";
import { benchTarball, MiB } from "./fixture.ts";
import { heading, median, say, table } from "./_report.ts";

const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 21);
const PUSH_MIB = Number(process.env.BENCH_CLI_PUSH_MIB ?? 200);
const PUSHES = Number(process.env.BENCH_CLI_PUSHES ?? 2);
/** The startup the bundled command must keep to, on this machine. */
const STARTUP_GOAL_MS = 120;
/** The peak RSS a push of 200 MiB must keep to. */
const PUSH_RSS_GOAL_MB = 100;

interface Measured {
  wallMs: number;
  cpuMs: number;
  maxRssMB: number;
}

export async function main(): Promise<void> {
  const project = await consumerProject((await packPackage()).tarball);
  try {
    const command = installBin(project.path);
    const unbundled = join(project.path, "node_modules/streamlayer/dist/cli/bin.js");
    await startup(command, unbundled);
    await pushMemory(command);
  } finally {
    await project.remove();
  }
}

/** What npm does for "bin": a link in node_modules/.bin, its target executable. */
function installBin(projectPath: string): string {
  const pkg = join(projectPath, "node_modules/streamlayer");
  const { bin } = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { bin: Record<string, string> };
  chmodSync(join(pkg, bin.streamlayer!), 0o755);
  mkdirSync(join(projectPath, "node_modules/.bin"), { recursive: true });
  const link = join(projectPath, "node_modules/.bin/streamlayer");
  symlinkSync(join(pkg, bin.streamlayer!), link);
  return link;
}

async function startup(command: string, unbundled: string): Promise<void> {
  heading("The command: startup");
  const cases: [string, string[]][] = [
    ["node -e 0", [process.execPath, "-e", "0"]],
    ["streamlayer --help (installed: the bundled file)", [command, "--help"]],
    ["node dist/cli/bin.js --help (tsc's files, unbundled)", [process.execPath, unbundled, "--help"]],
    ["node --import tsx src/cli/bin.ts --help (the sources)", [process.execPath, "--import", "tsx", join(root, "src/cli/bin.ts"), "--help"]],
  ];
  const results = cases.map((): Measured[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, [, argv]] of cases.entries()) results[index]!.push(await timed(argv));
  }
  const floor = median(results[0]!.map((result) => result.wallMs));
  say(`${ROUNDS} interleaved rounds; wall time from spawn to exit, the median and the fastest; CPU is user + system of the process.`, "");
  table(["case", "wall, median", "wall, fastest", "over node -e 0", "CPU, median", "max RSS", "goal"], cases.map(([name], index) => {
    const wall = results[index]!.map((result) => result.wallMs);
    const bundled = index === 1;
    return [
      name,
      `${median(wall).toFixed(0)} ms`,
      `${Math.min(...wall).toFixed(0)} ms`,
      index === 0 ? "" : `+${(median(wall) - floor).toFixed(0)} ms`,
      `${median(results[index]!.map((result) => result.cpuMs)).toFixed(0)} ms`,
      `${median(results[index]!.map((result) => result.maxRssMB)).toFixed(0)} MB`,
      bundled ? `≤ ${STARTUP_GOAL_MS} ms: ${median(wall) <= STARTUP_GOAL_MS ? "met" : "MISSED"}` : "",
    ];
  }));
}

async function pushMemory(command: string): Promise<void> {
  heading("The command: memory of a push");
  const tarball = await benchTarball(PUSH_MIB * MiB);
  const registry = await startRegistry();
  try {
    const idle = await timed([process.execPath, "-e", "0"]);
    const pushes: Measured[] = [];
    for (let round = 0; round < PUSHES; round++) pushes.push(await timed([command, "push", tarball, `${registry.host}/bench/cli:${round}`]));
    const peak = Math.max(...pushes.map((push) => push.maxRssMB));
    say(
      `\`streamlayer push\` of a ${PUSH_MIB} MiB tar of real files (/usr) to a local docker-registry, default settings (gzip on parallel-zlib, 8 MiB chunked upload; src/cli/_dead_buffer_collector.ts asks V8 for a young collection past 14 MiB of ArrayBuffers and a full one past 22 MiB, looking every 5 ms), ${PUSHES} runs; max RSS is the kernel's for the whole process, threads included, in MB of 10^6 bytes. Before the collector looked every 5 ms with young collections (2026-12-05 00:10 UTC: a full one past 24 MiB, every 50 ms): 107 and 105 MB in the bench, 106 to 112 MB in single runs, 6.2 to 6.4 s of CPU.`,
      "",
    );
    table(["case", "max RSS", "wall", "CPU", "goal"], [
      ["node -e 0", `${idle.maxRssMB.toFixed(1)} MB`, "", "", ""],
      ...pushes.map((push, round) => [
        `streamlayer push, run ${round + 1}`,
        `${push.maxRssMB.toFixed(1)} MB`,
        `${(push.wallMs / 1000).toFixed(1)} s (${(PUSH_MIB / (push.wallMs / 1000)).toFixed(1)} MiB/s of tar)`,
        `${(push.cpuMs / 1000).toFixed(1)} s`,
        round === pushes.length - 1 ? `≤ ${PUSH_RSS_GOAL_MB} MB at the peak of the runs: ${peak <= PUSH_RSS_GOAL_MB ? "met" : `MISSED (${peak.toFixed(1)} MB)`}` : "",
      ]),
    ]);
  } finally {
    await registry.stop();
  }
}

/** Runs a command under GNU time: wall time from spawn to exit, CPU and max RSS of the process. */
async function timed(argv: string[]): Promise<Measured> {
  const start = performance.now();
  const { stderr, code } = await new Promise<{ stderr: string; code: number | null }>((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "\n%U %S %M", ...argv], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ stderr, code }));
  });
  const wallMs = performance.now() - start;
  const last = stderr.trim().split("\n").at(-1) ?? "";
  if (code !== 0) throw new Error(`${argv.join(" ")} failed (${code}): ${stderr.trim().slice(-400)}`);
  const [user, system, maxRssKiB] = last.split(" ").map(Number);
  return { wallMs, cpuMs: ((user ?? 0) + (system ?? 0)) * 1000, maxRssMB: ((maxRssKiB ?? 0) * 1024) / 1e6 };
}

if (import.meta.filename === process.argv[1]) await main();
