import { UnsafeRedirectError } from "./errors.ts";

/**
 * Whether a host name is this machine's loopback: `localhost`, `127.0.0.0/8`
 * or `::1`. Only these get plain HTTP without `insecure`.
 */
export function isLocalHost(hostname: string): boolean {
  const host = unbracket(hostname).toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const v4 = ipv4(host) ?? mappedIpv4(host);
  if (v4) return v4[0] === 127;
  return ipv6IsLoopback(host);
}

/**
 * Whether a host name is a loopback, private, link-local or unspecified
 * address (or `localhost`): addresses that a public registry should never
 * send a client to.
 */
export function isPrivateAddress(hostname: string): boolean {
  const host = unbracket(hostname).toLowerCase();
  if (isLocalHost(host)) return true;
  const v4 = ipv4(host) ?? mappedIpv4(host);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return a === 0 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (!host.includes(":")) return false;
  return host === "::" || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
}

/**
 * Refuses to go from the registry at `from` to `to` when `to` is another host
 * with a private address while the registry itself is not on one, like
 * go-containerregistry does for a `Location` or a token realm.
 *
 * @throws {UnsafeRedirectError} when the target must not be reached.
 */
export function assertSafeTarget(from: URL, to: URL): void {
  if (from.hostname === to.hostname) return;
  if (isPrivateAddress(to.hostname) && !isPrivateAddress(from.hostname)) {
    throw new UnsafeRedirectError(from.href, to.href);
  }
}

function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function ipv4(host: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!match) return undefined;
  const parts = match.slice(1).map(Number);
  return parts.every((part) => part <= 255) ? parts : undefined;
}

// An IPv4-mapped IPv6 address reaches the IPv4 host. URL spells it in hex
// (`[::ffff:10.0.0.1]` becomes `[::ffff:a00:1]`), so both spellings are read.
function mappedIpv4(host: string): number[] | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (dotted) return ipv4(dotted[1] ?? "");
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!hex) return undefined;
  const high = parseInt(hex[1] ?? "", 16);
  const low = parseInt(hex[2] ?? "", 16);
  return [high >> 8, high & 255, low >> 8, low & 255];
}

function ipv6IsLoopback(host: string): boolean {
  if (!host.includes(":")) return false;
  // ::1 in any spelling: every group zero but a final 1.
  const groups = host.split("::");
  if (groups.length > 2) return false;
  const all = host.replace("::", ":0:").split(":").filter((group) => group !== "");
  return all.length > 0 && all.slice(0, -1).every((group) => /^0+$/.test(group)) && /^0*1$/.test(all[all.length - 1] ?? "");
}
