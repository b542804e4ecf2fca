// Deno's part of test/conformance/deterministic_live.test.ts: the deterministic
// layers of the TypeScript sources, as Deno users import them, printed as JSON.
import * as lib from "../../../src/index.ts";
import { deterministicLayers } from "../../conformance/deterministic_live_probe.ts";

console.log(JSON.stringify(await deterministicLayers(lib, 2)));
