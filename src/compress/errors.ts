import { StreamLayerError } from "../errors.ts";

/** The compressor asked for cannot run in this runtime. */
export class CompressorUnavailableError extends StreamLayerError {
  override readonly name = "CompressorUnavailableError";
  constructor(message: string, options?: ErrorOptions) {
    super("COMPRESSOR_UNAVAILABLE", message, options);
  }
}
