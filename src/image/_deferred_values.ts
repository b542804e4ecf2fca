import { NotComputedError } from "../layer/errors.ts";
import type { ImageValues } from "./image.ts";

/**
 * An image's config and manifest, computed as soon as they can be: started at
 * once, so that `settled()` turns true soon after the last stream ends without
 * anyone having to ask; a failure is not kept, because a layer may reject its
 * values until its stream has ended, and the writer asks again after that.
 */
export class DeferredImageValues {
  readonly #compute: () => Promise<ImageValues>;
  readonly #notYet: string;
  readonly #failed: string;
  #values: Promise<ImageValues> | undefined;
  #settled: ImageValues | undefined;
  #failure: unknown;

  /** `notYet` and `failed` finish "Image config and manifest not computed: …". */
  constructor(compute: () => Promise<ImageValues>, reasons: { notYet: string; failed: string }) {
    this.#compute = compute;
    this.#notYet = reasons.notYet;
    this.#failed = reasons.failed;
    this.get().then(
      (values) => (this.#settled = values),
      (error: unknown) => (this.#failure = error),
    );
  }

  /** The values, computed once; after a failure, computed again. */
  get(): Promise<ImageValues> {
    this.#values ??= this.#compute().catch((error: unknown) => {
      this.#values = undefined;
      throw error;
    });
    return this.#values;
  }

  /** The values if they are known, else a {@link NotComputedError} saying why not. */
  settled(): ImageValues {
    if (this.#settled) return this.#settled;
    if (this.#failure !== undefined) this.get().then((values) => (this.#settled = values), () => {});
    const reason = this.#failure === undefined ? this.#notYet : this.#failed;
    throw new NotComputedError(`Image config and manifest not computed: ${reason}`, { cause: this.#failure });
  }
}
