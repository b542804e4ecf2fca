/** What to add to the error of a request that got no answer, and whether trying again can help. */
export interface NetworkFailureHint {
  readonly detail?: string;
  /** False when asking again cannot succeed (a missing permission). */
  readonly temporary?: boolean;
}

/**
 * Explains a fetch that threw without an answer where the runtime knows more
 * than its message says: Deno refusing network access for want of a flag (not
 * worth retrying), or a browser hiding a cross-origin refusal. The browser's
 * wording is loaded only then: it would be dead weight in every page bundle.
 */
export async function networkFailureHint(cause: unknown, url: URL): Promise<NetworkFailureHint> {
  if (isPermissionError(cause)) {
    return {
      temporary: false,
      detail: `Deno was not given network access to ${url.host}: run with --allow-net=${url.host} (and the token server's host, if the registry names one), or list it under "permissions" in deno.json`,
    };
  }
  const detail = await import("./_cors_hints.ts").then(({ crossOriginFailureDetail }) => crossOriginFailureDetail(url), () => undefined);
  return { detail };
}

// Deno 2 throws Deno.errors.NotCapable, Deno 1 PermissionDenied; both say "Requires net access".
function isPermissionError(cause: unknown): boolean {
  const name = (cause as { name?: unknown } | null)?.name;
  const message = (cause as { message?: unknown } | null)?.message;
  return name === "NotCapable" || name === "PermissionDenied" || (typeof message === "string" && /Requires net access/.test(message));
}
