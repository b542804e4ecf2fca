/** The subset of `node:zlib` that streamlayer uses, typed without Node's types. */
export interface ZlibModule {
  createGzip(options: { level?: number; chunkSize?: number }): ZlibGzip;
  deflateRaw(
    data: Uint8Array,
    options: { level?: number; finishFlush?: number; chunkSize?: number; dictionary?: Uint8Array },
    callback: (error: Error | null, output: Uint8Array) => void,
  ): void;
  /** From Node 20.15. */
  crc32?: (data: Uint8Array, value?: number) => number;
  readonly constants: { readonly Z_SYNC_FLUSH: number };
}

/** The subset of a `node:zlib` Gzip stream that streamlayer uses. */
export interface ZlibGzip {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(): void;
  destroy(): void;
  on(event: "data", listener: (chunk: Uint8Array) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  once(event: "end" | "close", listener: () => void): this;
  once(event: "error", listener: (error: Error) => void): this;
}
