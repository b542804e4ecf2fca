// A TypeScript project that installs the packed tarball type-checks with every
// module resolution a user may pick (node16, nodenext, bundler: bundler only
// from TypeScript 5.0, which added it) on TypeScript 4.9 and 5.x, with
// skipLibCheck off so that every .d.ts we ship is checked too.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { consumerProject, packPackage, root, type Packed } from "./_packed.ts";

const COMPILERS = {
  "4.9": join(root, "test/package/typescript-4.9/node_modules/typescript/bin/tsc"),
  "5.x": join(root, "node_modules/typescript/bin/tsc"),
};
const RESOLUTIONS = [
  { moduleResolution: "node16", module: "node16", since: "4.9" },
  { moduleResolution: "nodenext", module: "nodenext", since: "4.9" },
  { moduleResolution: "bundler", module: "esnext", since: "5.x" },
] as const;

// What an application writes: values and types from the entry points, an
// error matched by class and by code, the Docker keychain as `auth`.
const APP = `
import {
  appendLayers, emptyImage, formatReference, isStreamLayerError, NotComputedError, parseReference, StreamLayer, writeImage,
  type Descriptor, type Image, type Reference,
} from "streamlayer";
import { writeLayout } from "streamlayer/layout";
import { CredentialHelperError, dockerKeychain, type DockerKeychainOptions } from "streamlayer/keychain";

export async function push(file: Blob, target: string): Promise<string> {
  const reference: Reference = parseReference(target);
  const layer = new StreamLayer(file.stream());
  const image: Image = appendLayers(emptyImage(), layer);
  try {
    layer.computed();
  } catch (error) {
    if (error instanceof NotComputedError || (isStreamLayerError(error) && error.code === "NOT_COMPUTED")) void error.message;
  }
  const options: DockerKeychainOptions = { helperTimeout: 10_000 };
  try {
    const written: Descriptor = await writeImage(formatReference(reference), image, { auth: dockerKeychain(options) });
    return written.digest;
  } catch (error) {
    if (error instanceof CredentialHelperError) return error.helper;
    throw error;
  }
}
export const layoutWriter: typeof writeLayout = writeLayout;
`;

let packed: Packed;
let project: Awaited<ReturnType<typeof consumerProject>>;
before(async () => {
  packed = await packPackage();
  project = await consumerProject(packed.tarball);
  writeFileSync(join(project.path, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  writeFileSync(join(project.path, "app.ts"), APP);
});
after(async () => {
  await project?.remove();
  await packed?.remove();
});

for (const [version, tsc] of Object.entries(COMPILERS)) {
  for (const { moduleResolution, module, since } of RESOLUTIONS) {
    if (since === "5.x" && version === "4.9") continue;
    test(`TypeScript ${version}, moduleResolution ${moduleResolution}, skipLibCheck false: a consumer type-checks`, () => {
      const config = `tsconfig.${version}.${moduleResolution}.json`;
      writeFileSync(join(project.path, config), JSON.stringify({
        compilerOptions: {
          target: "ES2022", lib: ["ES2022", "DOM", "DOM.Iterable"], types: [],
          module, moduleResolution, strict: true, skipLibCheck: false, noEmit: true,
        },
        files: ["app.ts"],
      }));
      const result = spawnSync(process.execPath, [tsc, "-p", config], { cwd: project.path, encoding: "utf8" });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    });
  }
}

test("TypeScript 4.9 is the one under test/package/typescript-4.9", () => {
  const result = spawnSync(process.execPath, [COMPILERS["4.9"], "--version"], { encoding: "utf8" });
  assert.match(result.stdout, /^Version 4\.9\./);
});
