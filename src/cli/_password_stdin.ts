import { UsageError } from "./_cli_errors.ts";

/** The password given on stdin, without its final newline. */
export async function readPasswordStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (password === "") throw new UsageError("--password-stdin: stdin was empty");
  return password;
}
