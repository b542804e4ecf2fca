/** A promise with its resolve and reject at hand: how a layer hands out values it learns later. */
export interface Settlement<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function settlement<T>(): Settlement<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = quiet(new Promise<T>((res, rej) => ((resolve = res), (reject = rej))));
  return { promise, resolve, reject };
}

// A rejection that nobody awaits must not end the process (Deno ends it on
// one): mark each promise handled. Whoever awaits it still sees the rejection.
export function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
