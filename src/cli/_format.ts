/** `1.5 MiB`, `512 B`: binary units, one decimal. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(bytes)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Parses `5242880`, `512k`, `5MiB`, `4M` (binary units) into bytes.
 *
 * @throws {RangeError} when the text is not a positive size.
 */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!match?.[1]) throw new RangeError(`Invalid size: ${JSON.stringify(text)}: expected bytes or a number with KiB, MiB or GiB`);
  const scale = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? "").toLowerCase() as "" | "k" | "m" | "g"];
  const bytes = Math.round(Number(match[1]) * scale);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new RangeError(`Invalid size: ${JSON.stringify(text)}: must be positive`);
  return bytes;
}
