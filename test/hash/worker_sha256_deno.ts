// Deno's entry for worker_sha256.test.ts: the cases' results as JSON.
import { runWorkerCases } from "./worker_sha256_cases.ts";

console.log(JSON.stringify(await runWorkerCases()));
