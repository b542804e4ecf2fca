// The CLI reference of docs/cli.md: each command's own --help, as the command
// prints it now. scripts/docs.ts writes it between the markers; the docs test
// checks that what is there is what the command prints.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
export const CLI_DOC = join(root, "docs/cli.md");
const BEGIN = "<!-- cli-help:begin -->";
const END = "<!-- cli-help:end -->";
const COMMANDS = [[], ["push"], ["copy"], ["export"], ["login"], ["logout"]] as const;

function help(command: readonly string[]): string {
  return execFileSync(process.execPath, ["--import", "tsx", join(root, "src/cli/bin.ts"), ...command, "--help"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", COLUMNS: "80" },
  }).trimEnd();
}

/** The commands `streamlayer --help` lists under "Commands:" (but `help`), each as its argument list. */
function commands(): string[][] {
  const [, listed = ""] = /\nCommands:\n([\s\S]*?)\n\n/.exec(help([])) ?? [];
  const names = listed.split("\n").map((line) => line.trim().split(/\s+/)[0]!).filter((name) => name && name !== "help");
  return [[], ...names.map((name) => [name])];
}

/** The generated section: one block per distinct help text, titled by the commands that print it. */
export function cliReference(): string {
  const blocks = new Map<string, string[]>();
  for (const command of commands()) {
    const text = help(command);
    blocks.set(text, [...(blocks.get(text) ?? []), ["streamlayer", ...command, "--help"].join(" ")]);
  }
  const sections = [...blocks].map(([text, commands]) => [`### ${commands.map((c) => `\`${c}\``).join(", ")}`, "", "```text", text, "```"].join("\n"));
  return [BEGIN, "", ...sections.flatMap((section) => [section, ""]), END].join("\n");
}

/** What is between the markers of a document, markers included. */
export function generatedPart(document: string): string {
  const begin = document.indexOf(BEGIN);
  const end = document.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/cli.md has no ${BEGIN} … ${END} section`);
  return document.slice(begin, end + END.length);
}

/** The document with its generated part replaced. */
export function withReference(document: string, reference: string): string {
  return document.replace(generatedPart(document), reference);
}
