// Docs that stay true, in their links: every relative link in the README and
// docs/ reaches a file of the repository, and every #anchor a heading of the
// page it names (as GitHub makes anchors from headings). The README stays a
// guide: what does not fit in about 250 lines goes to docs/.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";

const root = join(import.meta.dirname, "../..");
const pages = ["README.md", ...readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];

/** The page's text without its code blocks, where a `[x](y)` is code, not a link. */
function prose(path: string): string {
  return readFileSync(join(root, path), "utf8").replace(/^```[\s\S]*?^```/gm, "");
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

function anchors(path: string): Set<string> {
  return new Set([...prose(path).matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => anchorOf(heading!)));
}

test("the README stays a guide of about 250 lines at most", () => {
  const lines = readFileSync(join(root, "README.md"), "utf8").split("\n").length;
  assert.ok(lines <= 260, `README.md has ${lines} lines`);
});

test("the README's documentation table links every page of docs/", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  assert.deepEqual(pages.filter((page) => page !== "README.md" && !readme.includes(`](${page})`)), []);
});

for (const page of pages) {
  test(`${page}: every relative link reaches a file, and every anchor a heading`, () => {
    const broken: string[] = [];
    for (const [, target] of prose(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue;
      const [path, anchor] = target!.split("#") as [string, string | undefined];
      const file = path === "" ? join(root, page) : join(root, dirname(page), path);
      if (!existsSync(file)) broken.push(`${target}: no file ${relative(root, file)}`);
      else if (anchor !== undefined && file.endsWith(".md") && !anchors(relative(root, file)).has(anchor)) broken.push(`${target}: no heading for #${anchor}`);
    }
    assert.deepEqual(broken, []);
  });
}
