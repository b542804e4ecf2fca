/** How long a request in flight may go on after the caller aborts, for the registry's answer. */
export const ABORT_GRACE_MS = 5000;

/**
 * A signal that follows `signal` `graceMs` later. An upload request in flight
 * when the caller aborts gets that long to finish, because cutting it loses
 * what the registry answers, the session's newest URL, and docker-registry
 * deletes a session only on its newest URL: cut, the session would stay.
 *
 * @returns The signal, and a function to call once the request is over.
 */
export function lingeringSignal(signal: AbortSignal | undefined, graceMs = ABORT_GRACE_MS): { signal: AbortSignal | undefined; release: () => void } {
  if (signal === undefined) return { signal: undefined, release: () => {} };
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const follow = () => {
    timer = setTimeout(() => controller.abort(signal.reason), graceMs);
  };
  if (signal.aborted) follow();
  else signal.addEventListener("abort", follow, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      signal.removeEventListener("abort", follow);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
