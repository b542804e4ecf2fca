// Runs parallel-pako's cases where it stands (Deno from the command line,
// Chromium bundled into a page) and answers one result per case.
import * as lib from "../../src/index.ts";
import { forbiddenWorkersCase, workerCases, type WorkerCase } from "./worker_block_gzip_cases.ts";

export interface WorkerCaseResult {
  name: string;
  error?: string;
}

/** Runs `cases` (parallel-pako's, unless told), one after the other. */
export async function runWorkerCases(cases: readonly WorkerCase[] = workerCases): Promise<WorkerCaseResult[]> {
  const results: WorkerCaseResult[] = [];
  for (const { name, run } of cases) {
    try {
      await run(lib);
      results.push({ name });
    } catch (error) {
      results.push({ name, error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error) });
    }
  }
  return results;
}

/** The case for a page that forbids workers. */
export function runForbiddenWorkersCase(): Promise<WorkerCaseResult[]> {
  return runWorkerCases([forbiddenWorkersCase]);
}
