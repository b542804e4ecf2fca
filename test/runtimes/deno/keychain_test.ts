// streamlayer/keychain in Deno (through its node: compatibility), from the
// sources and from the packed package: the lookup with a namespaced key and a
// real-protocol helper, the keychain as writeImage's auth, and a hanging
// wrapper-script helper killed with its child at the deadline. Started by
// run.ts, apart from the conformance suite: it needs to run programs and
// write files, which the core never does.
import * as sourceRoot from "../../../src/index.ts";
import * as sourceKeychain from "../../../src/keychain/index.ts";
import * as builtRoot from "npm:streamlayer";
import * as builtKeychain from "npm:streamlayer/keychain";

const registry = Deno.env.get("STREAMLAYER_REGISTRY");
if (!registry) throw new Error("STREAMLAYER_REGISTRY is not set: start this suite with `npm run test:deno`");

type KeychainEntry = typeof sourceKeychain;
const entries: [string, KeychainEntry, typeof sourceRoot][] = [
  ["src", sourceKeychain, sourceRoot],
  ["npm", builtKeychain as unknown as KeychainEntry, builtRoot as unknown as typeof sourceRoot],
];

function assertEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function helperScript(bin: string, name: string, body: string): Promise<void> {
  const path = `${bin}/docker-credential-${name}`;
  await Deno.writeTextFile(path, `#!/bin/sh\n${body}`);
  await Deno.chmod(path, 0o755);
}

// Alive: neither gone nor a zombie (dead, waiting to be reaped).
async function alive(pid: string): Promise<boolean> {
  try {
    return !/\) Z /.test(await Deno.readTextFile(`/proc/${pid}/stat`));
  } catch {
    return false;
  }
}

for (const [label, { dockerKeychain, CredentialHelperError }, lib] of entries) {
  Deno.test(`deno (${label}): dockerKeychain finds credentials by host/namespace and through a helper, and is writeImage's auth`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlayer-deno-keychain-" });
    try {
      await Deno.mkdir(`${dir}/bin`);
      await helperScript(`${dir}/bin`, "deno-good", `server=$(cat)\n[ "$1" = get ] && [ "$server" = quay.io ] || { echo "credentials not found in native keychain"; exit 1; }\nprintf '{"Username":"helper-user","Secret":"helper-secret"}'\n`);
      const b64 = (text: string) => btoa(text);
      await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({
        credHelpers: { "quay.io": "deno-good" },
        auths: { [registry]: { auth: b64("everyone:pw") }, [`${registry}/team-a`]: { auth: b64("alice:pw") } },
      }));
      const keychain = dockerKeychain({ env: { DOCKER_CONFIG: dir, PATH: `${dir}/bin:/usr/bin:/bin` } });
      assertEqual(await keychain(registry, "team-a/app"), { username: "alice", password: "pw" }, "the namespaced key");
      assertEqual(await keychain(registry, "team-b/app"), { username: "everyone", password: "pw" }, "the host key");
      assertEqual(await keychain("quay.io", "org/app"), { username: "helper-user", password: "helper-secret" }, "the helper's answer");

      const layer = new lib.StreamLayer(lib.createTarStream([{ path: "deno.txt", data: `keychain ${label}\n` }]));
      const descriptor = await lib.writeImage(`${registry}/deno-keychain/${label}:1`, lib.appendLayers(lib.emptyImage(), layer), { auth: keychain });
      if (!/^sha256:[0-9a-f]{64}$/.test(descriptor.digest)) throw new Error(`pushed: ${descriptor.digest}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`deno (${label}): a hanging wrapper-script helper is killed with its child at the deadline`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlayer-deno-keychain-" });
    try {
      await Deno.mkdir(`${dir}/bin`);
      await helperScript(`${dir}/bin`, "deno-hanging", `cat >/dev/null\necho $$ >> '${dir}/pids'\nsleep 3600 &\necho $! >> '${dir}/pids'\nwait\n`);
      await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ credsStore: "deno-hanging" }));
      const keychain = dockerKeychain({ env: { DOCKER_CONFIG: dir, PATH: `${dir}/bin:/usr/bin:/bin` }, helperTimeout: 500 });
      let message = "";
      try {
        await keychain("ghcr.io", "team/app");
      } catch (error) {
        if (!(error instanceof CredentialHelperError)) throw error;
        message = error.message;
      }
      assertEqual(message, "Credential helper docker-credential-deno-hanging did not answer within 0.5 s", "the error");
      const pids = (await Deno.readTextFile(`${dir}/pids`)).trim().split("\n");
      assertEqual(pids.length, 2, "the script and its child both started");
      let living = pids;
      for (let i = 0; i < 100 && living.length > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        living = (await Promise.all(pids.map(async (pid) => ((await alive(pid)) ? pid : undefined)))).filter((pid) => pid !== undefined);
      }
      assertEqual(living, [], "processes left running");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
