#!/usr/bin/env node
// The `streamlayer` command. Ctrl-C aborts the push in flight (the upload
// session is deleted, temporary files removed) before exiting with 130.
import { runCli } from "./_main.ts";

const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("Interrupted")));
process.exitCode = await runCli(process.argv.slice(2), controller.signal);
