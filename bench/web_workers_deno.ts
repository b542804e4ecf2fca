// Deno's part of bench/web_workers.ts: reads the tarball named by the first
// argument and prints one JSON line of times per round.
import { webWorkerRound } from "./web_workers_probe.ts";

const deno = (globalThis as unknown as { Deno: { args: string[]; readFile(path: string): Promise<Uint8Array> } }).Deno;
const bytes = await deno.readFile(deno.args[0]!);
for (let round = 0; round < Number(deno.args[1]); round++) console.log(JSON.stringify(await webWorkerRound(bytes, round)));
