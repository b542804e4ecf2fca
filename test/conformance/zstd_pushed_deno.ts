// Deno's part of zstd_pushed.test.ts: pushes the zstd image with the
// TypeScript sources to the registry given as the first argument, and prints
// what it pushed as JSON.
import * as lib from "../../src/index.ts";
import { pushZstdImage } from "./zstd_pushed_probe.ts";

declare const Deno: { readonly args: readonly string[] }; // type-checked by Node's tsc too

console.log(JSON.stringify(await pushZstdImage(lib, Deno.args[0]!, "deno")));
