// The API reference: `deno doc` over every entry point jsr.json exports (the
// same list package.json exports, checked by test/package/published_imports),
// as HTML for `npm run docs`, and its lint for the docs test.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const deno = join(root, "node_modules/.bin/deno");
export const API_DOCS_OUTPUT = join(root, "docs/api");

/** The entry points' source files, from jsr.json's exports. */
export function entryPoints(): string[] {
  const { exports } = JSON.parse(readFileSync(join(root, "jsr.json"), "utf8")) as { exports: Record<string, string> };
  return Object.values(exports).map((path) => path.replace(/^\.\//, ""));
}

function denoDoc(args: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(deno, ["doc", ...args, ...entryPoints()], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 300_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** `deno doc --lint`: what it finds (missing docs, missing explicit types, private types in public ones). */
export function lintApiDocs(): { status: number | null; output: string; findings: string[] } {
  const { status, output } = denoDoc(["--lint"]);
  const findings = [...output.matchAll(/^error\[([\w-]+)\]: ([^\n]*)\n\s*--> ([^\n]*)/gm)].map(([, rule, message, where]) => `${where!.replace(`${root}/`, "")}: ${rule}: ${message}`);
  return { status, output, findings };
}

/** `deno doc --html` into docs/api/ (ignored by git), or another directory. */
export function writeApiDocs(output = API_DOCS_OUTPUT): { status: number | null; output: string } {
  return denoDoc(["--html", "--name=streamlayer", `--output=${output}`]);
}
