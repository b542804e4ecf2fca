import { readErrorText } from "./_bounded_body.ts";
import { AuthError, RegistryError, type RegistryErrorDetail, TimeoutError } from "./errors.ts";

/**
 * Reads the `errors` array of a registry's error body
 * (`{"errors":[{"code":"DENIED","message":"..."}]}`); empty when the body is
 * something else, or longer than 64 KiB (the rest is cancelled unread).
 * Consumes the body.
 *
 * @throws {TimeoutError} when the body stops moving: a trickled error body must not hold the caller.
 */
export async function readRegistryErrors(response: Response): Promise<RegistryErrorDetail[]> {
  let text: string;
  try {
    text = await readErrorText(response);
  } catch (error) {
    if (error instanceof TimeoutError) throw error;
    return [];
  }
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(body.errors)) return [];
    return body.errors.flatMap((entry: unknown) => {
      if (typeof entry !== "object" || entry === null) return [];
      const { code, message, detail } = entry as { code?: unknown; message?: unknown; detail?: unknown };
      if (typeof code !== "string") return [];
      return [{ code, message: typeof message === "string" ? message : undefined, detail }];
    });
  } catch {
    return [];
  }
}

/**
 * The typed error for an unexpected registry response: {@link AuthError} for
 * 401 and 403, else {@link RegistryError}, naming the URL that answered
 * (`response.url`, else `url`). Consumes the body.
 */
export async function responseError(method: string, url: string, response: Response, detail?: string): Promise<RegistryError> {
  const errors = method === "HEAD" ? [] : await readRegistryErrors(response);
  // The request that answered last: after a redirect, the storage's URL rather than the registry's.
  const init = { method, url: response.url || url, status: response.status, errors, detail };
  return response.status === 401 || response.status === 403 ? new AuthError(init) : new RegistryError(init);
}
