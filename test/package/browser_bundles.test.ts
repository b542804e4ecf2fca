// A browser app that installs the packed tarball, bundled for
// production by webpack 5 and by Vite: no warning to act on from either, and the
// minified bundle's errors keep their names (`error.name` checks and logs).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ERROR_FACTORIES, errorNamesOf, isMinified, viteBundle, warningsToActOn, webpackBundle, writeApp, type Bundle } from "./_browser_bundles.ts";
import { consumerProject, packPackage, root, type Packed } from "./_packed.ts";

let packed: Packed;
let project: Awaited<ReturnType<typeof consumerProject>>;
before(async () => {
  packed = await packPackage();
  project = await consumerProject(packed.tarball);
  writeApp(project.path);
});
after(async () => {
  await project?.remove();
  await packed?.remove();
});

test("the bundled app makes every error class the package exports", async () => {
  const exported = (await import(`${root}/src/index.ts`)) as Record<string, unknown>;
  const base = exported.StreamLayerError as abstract new (...args: never[]) => Error;
  const classes = Object.entries(exported)
    .filter(([, value]) => typeof value === "function" && (value === base || value.prototype instanceof base))
    .map(([name]) => name);
  assert.deepEqual(classes.sort(), Object.keys(ERROR_FACTORIES).sort());
});

for (const [bundler, bundle] of [["webpack 5", webpackBundle], ["Vite", viteBundle]] as const) {
  describe(`${bundler}, production build`, () => {
    let built: Bundle;
    before(async () => {
      built = await bundle(project.path);
    });

    test("no warning, but webpack's size hint about zstd's WebAssembly", () => {
      assert.deepEqual(warningsToActOn(built.warnings), []);
    });

    test("minified, every error keeps its name", () => {
      assert.ok(isMinified(built), "the bundle is minified, so that class names are mangled");
      const names = errorNamesOf(built);
      assert.deepEqual(names, Object.fromEntries(Object.keys(ERROR_FACTORIES).map((name) => [name, name])));
    });
  });
}
