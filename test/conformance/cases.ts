// The conformance suite: every case, in a stable order. Runners in
// test/runtimes/ run these in Chromium, Deno and workerd; node.test.ts here
// runs them in Node.
import { compressedLayerCases } from "./compressed_layer_cases.ts";
import { deterministicCases } from "./deterministic_cases.ts";
import type { ConformanceCase } from "./harness.ts";
import { imageCase } from "./image_cases.ts";
import { inputCheckCases } from "./input_check_cases.ts";
import { layerCases } from "./layer_cases.ts";
import { registryCases } from "./registry_cases.ts";
import { zstdCases } from "./zstd_cases.ts";

export type { ConformanceCase, ConformanceContext, StreamLayerLibrary } from "./harness.ts";

export const conformanceCases: readonly ConformanceCase[] = [...layerCases, ...inputCheckCases, ...compressedLayerCases, ...deterministicCases, ...registryCases, imageCase, ...zstdCases];

/** Finds a case by name. @throws {Error} when there is none. */
export function conformanceCase(name: string): ConformanceCase {
  const found = conformanceCases.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`No conformance case named: ${name}`);
  return found;
}
