#!/usr/bin/env node
// The `streamlayer` command. Ctrl-C aborts the push in flight (the upload
// session is deleted, temporary files removed) before exiting with 130.
import { runCli } from "./_main.ts";

// The commands that stream layers, which keep their dead buffers collected
// (see _dead_buffer_collector.ts); help and login start without it.
const MOVES_BYTES = new Set(["push", "copy", "export"]);

const argv = process.argv.slice(2);
const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("Interrupted")));
if (MOVES_BYTES.has(argv[0] ?? "")) (await import("./_dead_buffer_collector.ts")).collectDeadBuffers();
process.exitCode = await runCli(argv, controller.signal);
