import { closestOption } from "./_closest_option.ts";
import { UsageError } from "./_cli_errors.ts";

/**
 * Refuses an option `options` does not know before parseArgs does, so that
 * the message can name the closest valid one: `--labels` gets `--label`.
 *
 * @throws {UsageError} for the first unknown option.
 */
export function checkOptions(argv: readonly string[], options: Record<string, { short?: string; type: string }>, command: string): void {
  const long = Object.keys(options);
  const short = new Map(Object.entries(options).flatMap(([name, option]) => (option.short ? [[option.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") return;
    if (arg.startsWith("--")) {
      const name = arg.slice(2).split("=")[0] ?? "";
      if (!Object.hasOwn(options, name)) throw unknown(`--${name}`, closestOption(name, long), command);
      if (options[name]?.type === "string" && !arg.includes("=")) i++;
    } else if (arg.startsWith("-") && arg.length > 1) {
      const letter = arg[1] ?? "";
      const name = short.get(letter);
      if (name === undefined) throw unknown(`-${letter}`, undefined, command);
      if (options[name]?.type === "string" && arg.length === 2) i++;
    }
  }
}

function unknown(option: string, closest: string | undefined, command: string): UsageError {
  const hint = closest === undefined ? `see streamlayer ${command} --help` : `did you mean --${closest}?`;
  return new UsageError(`Unknown option ${option}: ${hint}`);
}
