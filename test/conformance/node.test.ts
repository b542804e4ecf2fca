// The conformance suite in Node, against the TypeScript sources and against
// the built package (dist/, as `npm pack` ships it, when it has been built).
import { after, before, describe, test } from "node:test";
import * as sources from "../../src/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { conformanceCases, type ConformanceContext } from "./cases.ts";

let registry: RunningRegistry;
before(async () => (registry = await startRegistry()));
after(() => registry.stop());

describe("conformance in Node (TypeScript sources)", () => {
  const context = (): ConformanceContext => ({
    lib: sources,
    runtime: "node",
    registry: registry.host,
    hasZlib: true,
    streamsRequestBodies: true,
  });
  for (const conformance of conformanceCases) test(conformance.name, () => conformance.run(context()));
});
