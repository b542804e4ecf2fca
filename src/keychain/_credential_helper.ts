import process from "node:process";
import { spawn } from "node:child_process";
import type { Credentials } from "../registry/credentials.ts";
import type { Environment } from "./_auth_file.ts";
import { CredentialHelperError } from "./credential_helper_error.ts";

/** How a helper is run: with which environment (its PATH finds it), and how long it has to answer. */
export interface HelperRun {
  env: Environment;
  /** Milliseconds from the start until the helper's process group is killed. */
  timeout: number;
}

// docker-credential-helpers' ErrCredentialsNotFound: "no entry", not a failure.
const NOT_FOUND = "credentials not found in native keychain";
const MAX_OUTPUT = 1024 * 1024;

/**
 * Asks `docker-credential-<name> get` for the credentials of `server`, as the
 * Docker credential-helper protocol says: the server URL on stdin, a JSON
 * object `{ "Username", "Secret" }` on stdout; `<token>` as the user name
 * marks an identity token.
 *
 * @returns The credentials, or undefined when the helper holds none.
 * @throws {CredentialHelperError} when the helper is missing, fails, hangs or answers other than JSON.
 */
export async function helperGet(name: string, server: string, run: HelperRun): Promise<Credentials | undefined> {
  const helper = executable(name);
  const { code, stdout } = await runHelper(helper, "get", server, run);
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
  if (answer.Secret === "") return undefined;
  return answer.Username === "<token>" ? { identityToken: answer.Secret } : { username: answer.Username, password: answer.Secret };
}

/**
 * `docker-credential-<name> store`: hands the helper `{ ServerURL, Username, Secret }` as JSON on stdin.
 *
 * @throws {CredentialHelperError} when the helper is missing, fails or hangs.
 */
export async function helperStore(name: string, server: string, username: string, secret: string, run: HelperRun): Promise<void> {
  const helper = executable(name);
  const { code } = await runHelper(helper, "store", JSON.stringify({ ServerURL: server, Username: username, Secret: secret }), run);
  if (code !== 0) throw new CredentialHelperError(helper, `failed (exit code ${code}) to store the credentials for ${server}`);
}

/**
 * `docker-credential-<name> erase`: the server URL on stdin.
 *
 * @returns Whether the helper held credentials for `server`.
 * @throws {CredentialHelperError} when the helper is missing, fails or hangs.
 */
export async function helperErase(name: string, server: string, run: HelperRun): Promise<boolean> {
  const helper = executable(name);
  const { code, stdout } = await runHelper(helper, "erase", server, run);
  if (code === 0) return true;
  if (stdout.trim() === NOT_FOUND) return false;
  throw new CredentialHelperError(helper, `failed (exit code ${code}) to erase the credentials for ${server}`);
}

// A name from a config file becomes a program to run: a plain name only, found on the PATH.
function executable(name: string): string {
  const helper = `docker-credential-${name}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new CredentialHelperError(helper, "has a name that is not a plain executable name");
  return helper;
}

/**
 * Runs a helper in a process group of its own, so that whatever it starts
 * (a wrapper script's child) can be killed with it: at the deadline, past
 * 1 MiB of output, and once the helper itself has exited (what it left
 * behind in its group would otherwise hold the pipe open). The pipes are
 * closed and the process unreferenced then, so nothing of the helper keeps
 * the caller's event loop alive.
 */
function runHelper(helper: string, verb: string, input: string, run: HelperRun): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    // stderr is dropped unread: it is the helper's to fill, and may echo secrets.
    const child = spawn(helper, [verb], { env: { ...run.env }, stdio: ["pipe", "pipe", "ignore"], detached: true });
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // ESRCH: the group is gone already.
      }
    };
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killGroup();
      child.stdout.destroy();
      child.stdin.destroy();
      child.unref();
      reject(new CredentialHelperError(helper, reason));
    };
    const timer = setTimeout(() => fail(`did not answer within ${run.timeout / 1000} s`), run.timeout);
    child.stdout.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length <= MAX_OUTPUT) chunks.push(chunk);
      else fail("answered more than 1 MiB");
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      fail(error.code === "ENOENT" ? "was not found on the PATH" : `could not be run (${error.code ?? "error"})`);
    });
    child.once("exit", killGroup);
    child.once("close", (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(chunks).toString("utf8") });
    });
    child.stdin.on("error", () => {}); // a helper may exit without reading its input
    child.stdin.end(input);
  });
}
