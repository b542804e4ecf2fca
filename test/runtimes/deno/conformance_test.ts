// The conformance suite in Deno, twice: against the TypeScript sources as Deno
// users import them (relative imports carry `.ts`), and against the built
// package through `npm:streamlayer` (run.ts installs the packed tarball into
// ./node_modules). Started by run.ts, which passes the registry's address.
import * as sources from "../../../src/index.ts";
import * as built from "npm:streamlayer";
import { conformanceCases, type StreamLayerLibrary } from "../../conformance/cases.ts";

const registry = Deno.env.get("STREAMLAYER_REGISTRY");
if (!registry) throw new Error("STREAMLAYER_REGISTRY is not set: start this suite with `npm run test:deno`");

// The built package declares the same API from its .d.ts files; its classes
// are other declarations with #private fields, so TypeScript will not equate
// them structurally.
const libraries: [string, StreamLayerLibrary][] = [
  ["src", sources],
  ["npm", built as unknown as StreamLayerLibrary],
];

for (const [label, lib] of libraries) {
  for (const conformance of conformanceCases) {
    Deno.test(`deno (${label}): ${conformance.name}`, () =>
      conformance.run({ lib, runtime: `deno-${label}`, registry, hasZlib: true, streamsRequestBodies: true }));
  }
}
