// Docs that run: every titled @example in src/, and every TypeScript example
// (a ```ts block) in the README and in docs/*.md, is extracted and run as a
// program against the real registry (its 127.0.0.1:5000 becomes the test
// registry's address), importing the package by its published names: every
// entry point of package.json's exports, mapped to its source.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { StreamLayer, appendLayers, createTarStream, emptyImage, writeImage } from "../../src/index.ts";
import { startRegistry, type RunningRegistry } from "../support/registry.ts";
import { temporaryDirectory } from "../support/tools.ts";

const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
// The examples run from a temporary directory, outside this package's node_modules.
const TSX = import.meta.resolve("tsx");
const EXAMPLE = /@example ([^\n]*)\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g;

interface Example {
  file: string;
  title: string;
  code: string;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function examples(): Example[] {
  return sourceFiles(join(ROOT, "src")).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(EXAMPLE)].map(([, title, body]) => ({
      file: relative(ROOT, file),
      title: title!.trim(),
      code: body!
        .split("\n")
        .map((line) => line.replace(/^\s*\* ?/, ""))
        .join("\n"),
    })),
  );
}

// The Markdown pages whose ```ts blocks run: the README and docs/.
const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).sort().map((name) => `docs/${name}`)];

// A page's examples, each titled by the heading above it.
function markdownExamples(file: string): Example[] {
  const found: Example[] = [];
  let heading = file;
  let block: string[] | undefined;
  for (const line of readFileSync(join(ROOT, file), "utf8").split("\n")) {
    if (block === undefined && line.startsWith("#")) heading = line.replace(/^#+\s*/, "");
    if (block === undefined && line === "```ts") block = [];
    else if (block !== undefined && line === "```") {
      found.push({ file, title: `${heading} (example ${found.length + 1})`, code: block.join("\n") });
      block = undefined;
    } else block?.push(line);
  }
  return found;
}

// "streamlayer", "streamlayer/registry", …: each entry of package.json's exports, as its source file.
const ENTRY_POINTS = Object.entries(
  (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, { default: string }> }).exports,
)
  .map(([entry, target]) => [`streamlayer${entry.slice(1)}`, join(ROOT, target.default.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"))] as const)
  .sort(([a], [b]) => b.length - a.length);

function asProgram(example: Example, registryHost: string): string {
  const directory = join(ROOT, example.file, "..");
  let code = example.code.replace(/from "(\.{1,2}\/[^"]+)"/g, (_, path: string) => `from ${JSON.stringify(join(directory, path))}`);
  for (const [name, source] of ENTRY_POINTS) code = code.replaceAll(`from "${name}"`, `from ${JSON.stringify(source)}`);
  // The address as a regular expression spells it too (127\.0\.0\.1:5000).
  return code.replaceAll("127\\.0\\.0\\.1:5000", registryHost.replaceAll(".", "\\.")).replaceAll("127.0.0.1:5000", registryHost);
}

// The images the examples build on, as a reader's registry would have them.
async function seedImages(host: string): Promise<void> {
  const seeds = [
    { reference: `${host}/base:1`, architecture: "arm64" },
    { reference: `${host}/alpine:3`, architecture: "amd64" },
    { reference: `${host}/demo:latest`, architecture: "amd64" },
  ];
  for (const { reference, architecture } of seeds) {
    const layer = new StreamLayer(createTarStream([{ path: "etc/motd", data: `${reference}\n` }]));
    await writeImage(reference, appendLayers(emptyImage({ architecture }), layer));
  }
}

describe("the examples in the API documentation run", () => {
  let registry: RunningRegistry;
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
  before(async () => {
    registry = await startRegistry();
    directory = await temporaryDirectory();
    await seedImages(registry.host);
  });
  after(async () => {
    await registry?.stop();
    await directory?.remove();
  });

  const found = [...examples(), ...PAGES.flatMap(markdownExamples)];
  test("there are examples to run", () => assert.ok(found.length >= 30, `found ${found.length}`));
  // An example that only runs proves it does not throw; one that asserts proves what it shows.
  test("every @example in src asserts what it shows, and prints nothing", () => {
    const unchecked = examples()
      .filter(({ code }) => !/\bassert(\.\w+)?\(/.test(code) || /\bconsole\.\w+\(/.test(code))
      .map(({ file, title }) => `${file}: ${title}`);
    assert.deepEqual(unchecked, []);
  });

  for (const [index, example] of found.entries()) {
    test(`${example.file}: ${example.title}`, async () => {
      const program = join(directory.path, `example-${index}.mts`);
      writeFileSync(program, asProgram(example, registry.host));
      // tsx reads the tsconfig of its working directory: the repository's gives the sources their `#runtime`.
      await run(process.execPath, ["--import", TSX, program], { cwd: directory.path, timeout: 60_000, env: { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, "tsconfig.json") } });
    });
  }
});
