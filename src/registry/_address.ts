import { RegistryError, UnsafeRedirectError } from "./errors.ts";

/**
 * Whether a host name is this machine's loopback: `localhost`, `127.0.0.0/8`
 * or `::1`. Only these get plain HTTP without `insecure`.
 */
export function isLocalHost(hostname: string): boolean {
  const host = canonicalHost(hostname);
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const v6 = ipv6(host);
  const v4 = ipv4(host) ?? (v6 && isMapped(v6) ? v4Of(v6, 6) : undefined);
  if (v4) return v4[0] === 127;
  return v6 !== undefined && v6.slice(0, 7).every((group) => group === 0) && v6[7] === 1;
}

/**
 * Whether a host name is an address a public registry should never send a
 * client to: loopback, private, link-local, shared, benchmarking, documentation,
 * multicast, reserved or broadcast IPv4; in IPv6 the same through every
 * spelling that embeds an IPv4 address (mapped, compatible, SIIT, NAT64, 6to4),
 * and unique-local, link-local, site-local and multicast; and the names
 * `localhost`, `*.localhost`, `*.local`, `*.internal`, `*.home.arpa`, with or
 * without a final dot.
 *
 * Only the spelling is judged: a public name that DNS resolves to a private
 * address cannot be seen by a client that only has `fetch`.
 */
export function isPrivateAddress(hostname: string): boolean {
  const host = canonicalHost(hostname);
  if (PRIVATE_NAME.test(host)) return true;
  const v4 = ipv4(host);
  if (v4) return isPrivateIpv4(v4);
  const v6 = ipv6(host);
  return v6 !== undefined && isPrivateIpv6(v6);
}

/**
 * Refuses to go from the registry to `to` when `to` is not HTTP(S), or is
 * another host with a private address while the registry itself is not on
 * one, like go-containerregistry does for a `Location` or a token realm.
 *
 * @throws {UnsafeRedirectError} when the target must not be reached.
 */
export function assertSafeTarget(registry: URL, to: URL): void {
  if (to.protocol !== "http:" && to.protocol !== "https:") throw new UnsafeRedirectError(registry.href, to.href, "a scheme other than HTTP(S)");
  if (registry.hostname === to.hostname) return;
  if (isPrivateAddress(to.hostname) && !isPrivateAddress(registry.hostname)) throw new UnsafeRedirectError(registry.href, to.href);
}

/** Where a `Location` came from, for {@link followLocation}. */
export interface LocationSource {
  /** The registry's base URL: the private-address rule is judged from it. */
  readonly registry: URL;
  /** The URL that answered with the `Location`: it is resolved against it, and never left for plain HTTP. */
  readonly from: URL;
  readonly method: string;
  readonly status: number;
}

/**
 * The URL a `Location` header (of a redirect or an upload session) sends the
 * client to, once it has been checked.
 *
 * @throws {RegistryError} when the header is not a URL (`http://[::1`, `https://a b/`, an IPv6 zone id).
 * @throws {UnsafeRedirectError} when it leaves HTTPS for plain HTTP, or fails {@link assertSafeTarget}.
 */
export function followLocation(location: string, source: LocationSource): URL {
  let next: URL;
  try {
    next = new URL(location, source.from);
  } catch (cause) {
    // The header itself stays out of the message: it may carry a storage signature.
    throw new RegistryError({ method: source.method, url: source.from.href, status: source.status, cause, detail: "the Location header is not a valid URL" });
  }
  if (source.from.protocol === "https:" && next.protocol === "http:") {
    throw new UnsafeRedirectError(source.from.href, next.href, "plain HTTP from HTTPS");
  }
  assertSafeTarget(source.registry, next);
  return next;
}

const PRIVATE_NAME = /(?:^|\.)(?:localhost|local|internal|home\.arpa)$/;

// URL's own reading of the host: `127.1`, `0x7f.1` and `2130706433` are all
// 127.0.0.1 to fetch, and IPv6 comes out compressed, in lowercase hex. A
// final dot names the same host, so it is dropped.
function canonicalHost(hostname: string): string {
  const host = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  let canonical = host.toLowerCase();
  try {
    canonical = new URL(`http://${host.includes(":") ? `[${host}]` : host}/`).hostname;
  } catch {
    // Not a host URL accepts: judged as written.
  }
  if (canonical.startsWith("[")) canonical = canonical.slice(1, -1);
  return canonical.replace(/\.+$/, "");
}

function ipv4(host: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!match) return undefined;
  const parts = match.slice(1).map(Number);
  return parts.every((part) => part <= 255) ? parts : undefined;
}

function isPrivateIpv4([a = 0, b = 0, c = 0]: number[]): boolean {
  return (
    a === 0 || a === 10 || a === 127 || a >= 224 || // this network, private, loopback; multicast, reserved, broadcast
    (a === 100 && b >= 64 && b <= 127) || // shared address space (carrier-grade NAT)
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 192 && b === 88 && c === 99) || // 6to4 relay anycast
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113) // TEST-NET-2, TEST-NET-3
  );
}

// Eight 16-bit groups, or undefined when the text is not an IPv6 address.
function ipv6(host: string): number[] | undefined {
  if (!host.includes(":")) return undefined;
  let text = host;
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4(dotted[2] ?? "");
    if (!v4) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? parseInt(group, 16) : NaN)));
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.some(Number.isNaN) ? undefined : all;
}

const zero = (groups: number[], from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
const isMapped = (g: number[]) => zero(g, 0, 5) && g[5] === 0xffff;
const v4Of = (g: number[], at: number) => [(g[at] ?? 0) >> 8, (g[at] ?? 0) & 255, (g[at + 1] ?? 0) >> 8, (g[at + 1] ?? 0) & 255];

// The IPv4 address that an IPv6 one reaches by a standard translation, if any.
function embeddedIpv4(g: number[]): number[] | undefined {
  if (isMapped(g)) return v4Of(g, 6); // ::ffff:a.b.c.d
  if (zero(g, 0, 4) && g[4] === 0xffff && g[5] === 0) return v4Of(g, 6); // SIIT ::ffff:0:a.b.c.d
  if (zero(g, 0, 6) && !zero(g, 6, 8) && !(g[6] === 0 && g[7] === 1)) return v4Of(g, 6); // compatible ::a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(g, 2, 6)) return v4Of(g, 6); // NAT64 64:ff9b::a.b.c.d
  if (g[0] === 0x2002) return v4Of(g, 1); // 6to4 2002:aabb:ccdd::
  return undefined;
}

function isPrivateIpv6(g: number[]): boolean {
  const v4 = embeddedIpv4(g);
  if (v4) return isPrivateIpv4(v4);
  const [first = 0, second = 0] = g;
  return (
    first === 0 || // unspecified, loopback and the rest of ::/16 that no translation above covers
    (first === 0x64 && second === 0xff9b) || // local-use NAT64 64:ff9b:1::/48
    (first === 0x100 && zero(g, 1, 4)) || // discard-only 100::/64
    (first === 0x2001 && second < 0x200) || // IETF protocol assignments 2001::/23, Teredo among them
    (first === 0x2001 && second === 0xdb8) || // documentation
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xff80) === 0xfe80 || // link-local fe80::/10 and site-local fec0::/10
    (first & 0xff00) === 0xff00 // multicast
  );
}
