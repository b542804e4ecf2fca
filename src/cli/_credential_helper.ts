import { spawn } from "node:child_process";
import { CredentialHelperError } from "./_cli_errors.ts";

/** What a helper holds for a server: `<token>` as the user name marks an identity token. */
export interface HelperCredentials {
  username: string;
  secret: string;
}

// docker-credential-helpers' ErrCredentialsNotFound: "no entry", not a failure.
const NOT_FOUND = "credentials not found in native keychain";
const TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 1024 * 1024;

/**
 * Asks `docker-credential-<name> get` for the credentials of `server`, as the
 * Docker credential-helper protocol says: the server URL on stdin, a JSON
 * object `{ "Username", "Secret" }` on stdout.
 *
 * @returns The credentials, or undefined when the helper holds none.
 * @throws {CredentialHelperError} when the helper is missing, fails, hangs or answers other than JSON.
 */
export async function credentialHelperGet(name: string, server: string, env: NodeJS.ProcessEnv = process.env): Promise<HelperCredentials | undefined> {
  const helper = `docker-credential-${name}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new CredentialHelperError(helper, "has a name that is not a plain executable name");
  const { code, stdout } = await run(helper, server, env);
  if (code !== 0) {
    if (stdout.trim() === NOT_FOUND) return undefined;
    throw new CredentialHelperError(helper, `failed (exit code ${code}) for ${server}`);
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
  } catch {
    throw new CredentialHelperError(helper, `answered something that is not JSON for ${server}`);
  }
  if (typeof answer.Username !== "string" || typeof answer.Secret !== "string") {
    throw new CredentialHelperError(helper, `answered without a Username and Secret for ${server}`);
  }
  return answer.Secret === "" ? undefined : { username: answer.Username, secret: answer.Secret };
}

function run(helper: string, server: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    // stderr is dropped unread: it is the helper's to fill, and may echo secrets.
    const child = spawn(helper, ["get"], { env, stdio: ["pipe", "pipe", "ignore"] });
    const chunks: Buffer[] = [];
    let length = 0;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new CredentialHelperError(helper, `did not answer within ${TIMEOUT_MS / 1000} s`));
    }, TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length <= MAX_OUTPUT) chunks.push(chunk);
      else child.kill("SIGKILL");
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reason = error.code === "ENOENT" ? "was not found on the PATH" : `could not be run (${error.code ?? "error"})`;
      reject(new CredentialHelperError(helper, reason));
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      if (length > MAX_OUTPUT) reject(new CredentialHelperError(helper, "answered more than 1 MiB"));
      else resolve({ code, stdout: Buffer.concat(chunks).toString("utf8") });
    });
    child.stdin.on("error", () => {}); // a helper may exit without reading its input
    child.stdin.end(server);
  });
}
