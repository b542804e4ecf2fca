// Runs parallel-pako's cases where it stands (Deno from the command line,
// Chromium bundled into a page) and answers one result per case.
import * as lib from "../../src/index.ts";
import { workerCases } from "./worker_block_gzip_cases.ts";

export interface WorkerCaseResult {
  name: string;
  error?: string;
}

export async function runWorkerCases(): Promise<WorkerCaseResult[]> {
  const results: WorkerCaseResult[] = [];
  for (const { name, run } of workerCases) {
    try {
      await run(lib);
      results.push({ name });
    } catch (error) {
      results.push({ name, error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error) });
    }
  }
  return results;
}
