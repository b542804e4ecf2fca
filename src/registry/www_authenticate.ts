/** One challenge of a `WWW-Authenticate` header. */
export interface Challenge {
  /** The scheme in lowercase: `basic`, `bearer`. */
  readonly scheme: string;
  /** The parameters, names in lowercase: `realm`, `service`, `scope`, `error`. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses a `WWW-Authenticate` header into its challenges (RFC 7235): schemes
 * followed by comma-separated `name=value` or `name="quoted, value"` pairs.
 *
 * @param header The header's value, possibly holding several challenges.
 * @returns The challenges, in order; empty when there are none.
 *
 * @example A registry's Bearer challenge
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWwwAuthenticate } from "streamlayer/registry";
 *
 * const [challenge] = parseWwwAuthenticate('Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"');
 * assert.equal(challenge?.scheme, "bearer");
 * assert.equal(challenge?.params.service, "registry");
 * ```
 */
export function parseWwwAuthenticate(header: string | null | undefined): Challenge[] {
  const challenges: Array<{ scheme: string; params: Record<string, string> }> = [];
  if (!header) return challenges;
  let index = 0;
  const skip = (pattern: RegExp) => {
    while (index < header.length && pattern.test(header[index] ?? "")) index++;
  };
  while (index < header.length) {
    skip(/[\s,]/);
    const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(header.slice(index))?.[0];
    if (!token) break;
    index += token.length;
    skip(/[ \t]/);
    if (header[index] === "=" && challenges.length > 0) {
      index++;
      skip(/[ \t]/);
      const value = readValue();
      (challenges[challenges.length - 1] as { params: Record<string, string> }).params[token.toLowerCase()] = value;
    } else {
      challenges.push({ scheme: token.toLowerCase(), params: {} });
    }
  }
  return challenges;

  function readValue(): string {
    if (header![index] !== '"') {
      const value = /^[^,\s]*/.exec(header!.slice(index))?.[0] ?? "";
      index += value.length;
      return value;
    }
    let value = "";
    index++;
    while (index < header!.length && header![index] !== '"') {
      if (header![index] === "\\") index++;
      value += header![index] ?? "";
      index++;
    }
    index++;
    return value;
  }
}
