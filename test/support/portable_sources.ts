// Bundling the sources for a browser or a Worker: esbuild follows the nearest
// tsconfig's "paths", and tsconfig.json's send `#runtime` to Node's adapter.
// tsconfig.core.json's send it to the portable one, as package.json's
// "imports" do for the published package outside Node and Deno.
import { join } from "node:path";

/** esbuild's `tsconfig` option for a browser or Worker bundle of the sources. */
export const PORTABLE_TSCONFIG = join(import.meta.dirname, "../../tsconfig.core.json");
