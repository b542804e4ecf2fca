// Deno's entry for worker_block_gzip.test.ts: the cases' results as JSON.
import { runWorkerCases } from "./worker_block_gzip_run.ts";

console.log(JSON.stringify(await runWorkerCases()));
