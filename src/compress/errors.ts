import { StreamLayerError } from "../errors.ts";

/** The compressor asked for cannot run in this runtime. */
export class CompressorUnavailableError extends StreamLayerError {
  /** Always `"CompressorUnavailableError"`. */
  override readonly name = "CompressorUnavailableError";
  /** Makes the error from a message that names the compressor and why it cannot run. */
  constructor(message: string, options?: ErrorOptions) {
    super("COMPRESSOR_UNAVAILABLE", message, options);
  }
}
