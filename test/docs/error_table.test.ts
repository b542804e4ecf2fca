// docs/pushing.md's table of errors names every error class the entry points
// export, with its code, so a new error cannot go undocumented there.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { entryPoints } from "../../scripts/_api_docs.ts";

const root = join(import.meta.dirname, "../..");

test("docs/pushing.md lists every exported error class with its code", async () => {
  const page = readFileSync(join(root, "docs/pushing.md"), "utf8");
  const missing: string[] = [];
  for (const entry of entryPoints()) {
    const module = (await import(join(root, entry))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== "function" || !(value.prototype instanceof Error) || name === "StreamLayerError") continue;
      const row = page.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
      const code = /^\| `\w+` \| `(\w+)` \|/.exec(row ?? "")?.[1];
      if (!row) missing.push(`${entry}: ${name} has no row`);
      else if (code === undefined) missing.push(`${name}: its row gives no code`);
    }
  }
  assert.deepEqual(missing, []);
});
