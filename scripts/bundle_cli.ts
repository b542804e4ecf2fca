// `npm run build`'s last step: the `streamlayer` command as one file,
// dist/cli/streamlayer.js (package.json's "bin"), bundled by esbuild from the
// JavaScript tsc wrote to dist/. Started from tsc's ~150 files, Node spent
// most of `streamlayer --help` finding, reading and linking modules, and
// loading built-ins (crypto, zlib, worker_threads, child_process) that help
// never uses. One file, with each command's code initialised only when that
// command runs (src/cli/_main.ts imports them lazily), takes 20 to 36 ms more
// than `node -e 0` for --help here, most of it V8 compiling the file
// (`BENCH_ONLY=cli npm run bench`, docs/performance.md).
//
// Two things keep the bundle behaving as the files it was made from:
// - Each module keeps its own `import.meta.url`: the URL its file has in dist/
//   (which ships beside the bundle). The workers (`new URL("./_block_deflate_worker.js",
//   import.meta.url)`), zstd.wasm and package.json (for --version) are found
//   where they always were, and each worker runs as its own file.
// - Node's built-ins are required when the module that imports them is first
//   initialised, instead of imported by the bundle (an ESM bundle's imports are
//   all loaded before any of its code runs, whichever module they belong to).
//
// Usage: node --import tsx scripts/bundle_cli.ts [dist folder]
import { readFile, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { isBuiltin } from "node:module";
import { build, type Plugin } from "esbuild";

/** The command's file in dist/, as package.json's "bin" names it. */
export const BUNDLE = "cli/streamlayer.js";
const ENTRY = "cli/bin.js";
const DEPENDENCIES_REQUIRED = ["hash-wasm", "pako", "fflate"];

export async function bundleCli(dist: string): Promise<{ bytes: number }> {
  const outfile = join(dist, BUNDLE);
  const { metafile } = await build({
    entryPoints: [join(dist, ENTRY)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // The built package as it is published: `#runtime` and `#zstd-wasm` through package.json's
    // imports (the node condition), not through the checkout's tsconfig.json paths to the sources.
    tsconfigRaw: {},
    // `require` for lazyRequires, which an ES module has only when given one.
    banner: { js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);' },
    // The dependencies that have a CommonJS build stay in node_modules, required when first
    // used: in Node, SHA-256 is node:crypto's and gzip node:zlib's, so hash-wasm (260 KiB),
    // pako and fflate are seldom needed, and parsing them at each start would cost more than
    // all of --help. modern-tar (ES modules only) is bundled.
    plugins: [moduleUrls(outfile), lazyRequires(DEPENDENCIES_REQUIRED)],
    metafile: true,
    logLevel: "warning",
  });
  const strays = Object.keys(metafile.inputs).filter((input) => !isBundled(resolve(input), resolve(dist)));
  if (strays.length > 0) throw new Error(`The bundle took files from outside ${dist} and node_modules: ${strays.join(", ")}`);
  return { bytes: (await stat(outfile)).size };
}

/** Whether an input of the bundle is what it should be: dist's JavaScript, a dependency, or a required name. */
function isBundled(input: string, dist: string): boolean {
  return input.includes(`${sep}node_modules${sep}`) || input.startsWith(`${dist}${sep}`) || /^\S*lazy-require:/.test(input);
}

/** Gives every module of dist/ the `import.meta.url` of its own file, reached from the bundle's. */
function moduleUrls(outfile: string): Plugin {
  const bundleFolder = dirname(resolve(outfile));
  return {
    name: "module-urls",
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, async ({ path }) => {
        if (path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = await readFile(path, "utf8");
        if (!source.includes("import.meta.url")) return undefined;
        const fromBundle = relative(bundleFolder, path).split(sep).join("/");
        const url = `new URL(${JSON.stringify(fromBundle.startsWith(".") ? fromBundle : `./${fromBundle}`)}, import.meta.url).href`;
        return { contents: source.replaceAll("import.meta.url", url), loader: "js" };
      });
    },
  };
}

/**
 * Turns `import … from "x"` into a `require("x")` run where the importing
 * module initialises, for Node's built-ins (`node:zlib`, and fflate's `module`)
 * and for the packages in `packages`, which are left out of the bundle.
 */
function lazyRequires(packages: readonly string[]): Plugin {
  const required = (path: string): boolean => isBuiltin(path) || packages.includes(path);
  return {
    name: "lazy-requires",
    setup(build) {
      build.onResolve({ filter: /^[@a-z]/ }, ({ path, namespace }) => {
        if (!required(path)) return undefined;
        return namespace === "lazy-require" ? { path, external: true } : { path, namespace: "lazy-require" };
      });
      build.onLoad({ filter: /.*/, namespace: "lazy-require" }, ({ path }) => ({ contents: `module.exports = require(${JSON.stringify(path)});`, loader: "js" }));
    },
  };
}

if (import.meta.filename === process.argv[1]) {
  const dist = process.argv[2] ?? "dist";
  const { bytes } = await bundleCli(dist);
  console.log(`${join(dist, BUNDLE)}: ${Math.round(bytes / 1024)} KiB`);
}
