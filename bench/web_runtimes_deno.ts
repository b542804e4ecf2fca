// Deno's part of bench/web_runtimes.ts: reads the tarball named by the first
// argument, then answers each command line read from stdin with one JSON line:
//   case <name> <chunkSize>                    the milliseconds of one case (name with _ for spaces)
//   memory <times> <chunkSize> <bytesPerSecond> [1] the slow consumer's run (1: a zstd layer)
import { slowConsumerLayer, timeCase, type WebRuntimeCase } from "./web_runtimes_probe.ts";

interface DenoGlobal {
  args: string[];
  readFile(path: string): Promise<Uint8Array>;
  stdin: { readable: ReadableStream<Uint8Array> & AsyncIterable<Uint8Array> };
}
const deno = (globalThis as unknown as { Deno: DenoGlobal }).Deno;
const bytes = await deno.readFile(deno.args[0]!);
console.log(JSON.stringify({ loaded: bytes.length }));
const decoder = new TextDecoder();
let pending = "";
for await (const chunk of deno.stdin.readable) {
  pending += decoder.decode(chunk, { stream: true });
  let newline: number;
  while ((newline = pending.indexOf("\n")) >= 0) {
    const [command, first, ...numbers] = pending.slice(0, newline).split(" ");
    pending = pending.slice(newline + 1);
    const [a, b, zstd] = numbers.map(Number) as [number, number, number | undefined];
    console.log(JSON.stringify(command === "case" ? await timeCase(first!.replaceAll("_", " ") as WebRuntimeCase, bytes, a) : await slowConsumerLayer(bytes, Number(first), a, b, zstd === 1)));
  }
}
