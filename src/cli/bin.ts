#!/usr/bin/env node
// The `streamlayer` command. Ctrl-C aborts the push in flight (the upload
// session is deleted, temporary files removed) before exiting with 130.
import { runCli } from "./_main.ts";

// The commands that stream layers, which keep their dead buffers collected
// and fetch's parser unoptimized (see _dead_buffer_collector.ts and
// _wasm_tiering.ts: together about 25 MB less at the peak of a 200 MiB
// push); help and login start without either.
const MOVES_BYTES = new Set(["push", "copy", "export"]);

const argv = process.argv.slice(2);
const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("Interrupted")));
if (MOVES_BYTES.has(argv[0] ?? "")) {
  (await import("./_wasm_tiering.ts")).keepBriefWasmUnoptimized();
  (await import("./_dead_buffer_collector.ts")).collectDeadBuffers();
}
process.exitCode = await runCli(argv, controller.signal);
