// What each registry's users resolve: every bare specifier the published
// sources import is mapped by jsr.json (JSR has no node_modules to fall back
// on: a missing entry fails in Deno with "not a dependency and not in import
// map"), every package the npm build imports is a dependency, and the two
// manifests agree on versions and entry points. All lists are derived from the
// sources and the manifests, so a new entry or dependency is checked as it comes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import ts from "typescript";
import { root } from "./_packed.ts";
import { bareImports, jsrManifest, jsrNpmDependencies, jsrPublishedFiles, npmBuiltSources, npmManifest, packageName } from "./_published_sources.ts";

test("jsr.json's imports are exactly the bare specifiers the published sources import", () => {
  const imported = bareImports(jsrPublishedFiles());
  assert.ok(imported.includes("#runtime"), `the sources' imports were read: ${imported.join(", ")}`);
  assert.deepEqual(Object.keys(jsrManifest().imports).sort(), imported);
});

test("jsr.json's npm: imports ask for the same versions as package.json's dependencies", () => {
  const { dependencies } = npmManifest();
  const jsr = jsrNpmDependencies();
  for (const [name, range] of Object.entries(jsr)) assert.equal(range, dependencies[name], `${name}: jsr.json ${range}, package.json ${dependencies[name]}`);
});

test("package.json's dependencies are exactly the packages the npm build imports", () => {
  const imported = [...new Set(bareImports(npmBuiltSources()).filter((specifier) => !specifier.startsWith("#")).map(packageName))].sort();
  assert.deepEqual(Object.keys(npmManifest().dependencies).sort(), imported);
});

test("jsr.json exports the same entry points as package.json, from the sources dist/ is built from", () => {
  const npm = Object.fromEntries(
    Object.entries(npmManifest().exports).map(([entry, target]) => [entry, target.default.replace(/^\.\/dist\//, "./src/").replace(/\.js$/, ".ts")]),
  );
  assert.deepEqual(jsrManifest().exports, npm);
});

test("every entry point jsr.json exports is a file it publishes", () => {
  const published = jsrPublishedFiles();
  for (const [entry, target] of Object.entries(jsrManifest().exports)) assert.ok(published.includes(target.replace(/^\.\//, "")), `${entry}: ${target}`);
});

/** The relative URLs a module resolves against itself in code: `new URL("./x", import.meta.url)` (not in comments). */
function filesBesideModule(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), "utf8"), ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "URL") {
      const [target, base] = node.arguments ?? [];
      if (target && ts.isStringLiteral(target) && /^\.{1,2}\//.test(target.text) && base?.getText(source) === "import.meta.url") found.push(target.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test("every file the published sources load beside themselves (new URL(…, import.meta.url)) is published to JSR", () => {
  const published = jsrPublishedFiles();
  const missing: string[] = [];
  for (const file of published.filter((path) => path.endsWith(".ts"))) {
    for (const target of filesBesideModule(file)) {
      const path = join(dirname(file), target);
      // A worker written as .js for the built package has its .ts beside it in the sources.
      if (!published.includes(path) && !published.includes(path.replace(/\.js$/, ".ts"))) missing.push(`${file}: ${target}`);
    }
  }
  assert.deepEqual(missing, []);
});
