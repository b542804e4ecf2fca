// Sizes and speeds in decimal units (1 MB = 1,000,000 bytes), as network speeds are given.

const MB = 1_000_000;

/** `67.1 MB`, `812 kB`, `96 B`. */
export function formatSize(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (bytes >= 1000) return `${Math.round(bytes / 1000)} kB`;
  return `${bytes} B`;
}

/** `67,108,864 bytes`. */
export function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString("en-US")} bytes`;
}

/** `45.2 MB/s`, or `–` before a rate can be told. */
export function formatRate(bytes: number, milliseconds: number): string {
  if (milliseconds < 50 || bytes === 0) return "–";
  return `${(bytes / MB / (milliseconds / 1000)).toFixed(1)} MB/s`;
}

/** `2.4 s`. */
export function formatDuration(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}
