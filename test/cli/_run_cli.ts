import { spawn } from "node:child_process";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `streamlayer` (from the sources) with `args`, writing `stdin` to it. */
export function runCli(args: string[], stdin?: Uint8Array | string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/bin.ts", ...args], {
      env: { ...process.env, DOCKER_CONFIG: "/nonexistent-streamlayer-test", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => {}); // the command may exit before reading all of stdin
    child.stdin.end(stdin ?? "");
  });
}

/** The last line of stderr: the command's one-line message. */
export function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}
