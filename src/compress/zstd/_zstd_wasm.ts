import { compileZstdWasm } from "#zstd-wasm";
import { CompressorUnavailableError } from "../errors.ts";

/** What zstd_entry.c exports (see there for the protocol). */
interface ZstdExports {
  readonly memory: WebAssembly.Memory;
  sl_input_buffer(): number;
  sl_output_buffer(): number;
  sl_io_size(): number;
  sl_output_size(): number;
  sl_input_left(): number;
  sl_is_error(code: number): number;
  sl_error_name(code: number): number;
  sl_compress_begin(level: number): number;
  sl_set_input(size: number): void;
  sl_compress(end: number): number;
  sl_decompress_begin(): number;
  sl_decompress(): number;
}

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * zstd's module, compiled once per realm (a page, a worker) and loaded the
 * way this runtime allows: see `#zstd-wasm` in package.json's imports.
 *
 * @throws {CompressorUnavailableError} when zstd.wasm cannot be loaded or compiled.
 */
export function zstdModule(): Promise<WebAssembly.Module> {
  compiled ??= compileZstdWasm().catch((error: unknown) => {
    compiled = undefined; // a later layer may try again (the file may have been built since)
    throw new CompressorUnavailableError(`Cannot load zstd: zstd.wasm did not load or compile: ${String(error)}`, { cause: error });
  });
  return compiled;
}

/** Where a step's output goes: a view into the module's memory, valid until the next step. */
export type Emit = (bytes: Uint8Array) => void;

/**
 * One instance of zstd in WebAssembly: one compression or decompression at a
 * time, on the calling thread. Pieces of input of any size are copied in at
 * most 128 KiB at a time; what comes out is handed to `emit` as views that the
 * caller must copy before the next call.
 */
export class ZstdWasm {
  readonly #exports: ZstdExports;
  readonly #input: number;
  readonly #output: number;
  readonly #ioSize: number;

  private constructor(instance: WebAssembly.Instance) {
    this.#exports = instance.exports as unknown as ZstdExports;
    this.#input = this.#exports.sl_input_buffer();
    this.#output = this.#exports.sl_output_buffer();
    this.#ioSize = this.#exports.sl_io_size();
    if (this.#input === 0 || this.#output === 0) throw new RangeError("Cannot start zstd: out of memory");
  }

  /** A fresh instance, with its own memory. */
  static async create(): Promise<ZstdWasm> {
    return ZstdWasm.instantiate(await zstdModule());
  }

  /** A fresh instance of `module`: zstd.wasm compiled once and handed to each thread, which then compiles nothing. */
  static async instantiate(module: WebAssembly.Module): Promise<ZstdWasm> {
    return new ZstdWasm(await WebAssembly.instantiate(module, {}));
  }

  /** Begins a zstd frame at `level` (zstd's other parameters at their defaults). */
  beginCompress(level: number): void {
    this.#check(this.#exports.sl_compress_begin(level), "compress");
  }

  /** Compresses `bytes` (ZSTD_e_continue: nothing is flushed that zstd would not flush on its own). */
  compress(bytes: Uint8Array, emit: Emit): void {
    this.#feed(bytes, () => {
      do {
        this.#check(this.#exports.sl_compress(0), "compress");
        this.#emitOutput(emit);
      } while (this.#exports.sl_input_left() > 0);
    });
  }

  /** Ends the frame: writes what zstd holds, and the frame's end. */
  endCompress(emit: Emit): void {
    this.#exports.sl_set_input(0);
    let left: number;
    do {
      left = this.#check(this.#exports.sl_compress(1), "compress");
      this.#emitOutput(emit);
    } while (left !== 0);
  }

  /** Begins decompressing a stream of zstd frames. */
  beginDecompress(): void {
    this.#check(this.#exports.sl_decompress_begin(), "decompress");
  }

  /**
   * Decompresses `bytes`. Returns whether the last frame seen has ended
   * (true at a frame boundary): at the end of the input, anything else means
   * the stream was cut short.
   */
  decompress(bytes: Uint8Array, emit: Emit): boolean {
    let frameEnded = false;
    this.#feed(bytes, () => {
      let full: boolean;
      do {
        const inputLeft = this.#exports.sl_input_left();
        const result = this.#check(this.#exports.sl_decompress(), "decompress");
        // A call that took and gave nothing (after a frame ended with the output
        // exactly full) answers for the next frame's header: it ends no frame.
        const moved = this.#exports.sl_output_size() > 0 || this.#exports.sl_input_left() !== inputLeft;
        if (result === 0 || moved) frameEnded = result === 0;
        full = this.#exports.sl_output_size() === this.#ioSize;
        this.#emitOutput(emit);
      } while (this.#exports.sl_input_left() > 0 || full);
    });
    return frameEnded;
  }

  #feed(bytes: Uint8Array, consume: () => void): void {
    for (let offset = 0; offset < bytes.byteLength; offset += this.#ioSize) {
      const piece = bytes.subarray(offset, offset + this.#ioSize);
      new Uint8Array(this.#exports.memory.buffer, this.#input, piece.byteLength).set(piece);
      this.#exports.sl_set_input(piece.byteLength);
      consume();
    }
  }

  #emitOutput(emit: Emit): void {
    const size = this.#exports.sl_output_size();
    if (size > 0) emit(new Uint8Array(this.#exports.memory.buffer, this.#output, size));
  }

  // size_t results are unsigned 32-bit in wasm32, but arrive in JavaScript as
  // signed numbers: zstd's error codes (the top of the range) are negative.
  #check(result: number, what: string): number {
    if (this.#exports.sl_is_error(result) === 0) return result >>> 0;
    const name = this.#exports.sl_error_name(result);
    const bytes = new Uint8Array(this.#exports.memory.buffer, name);
    const message = new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0)));
    // Not a StreamLayerError: each caller says what it means (a source that is
    // not zstd, for a decompression).
    throw new Error(`Cannot ${what} with zstd: ${message}`);
  }
}

