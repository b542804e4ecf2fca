/**
 * What a streaming layer reads: a `ReadableStream` of bytes (the platform's,
 * or Node's from `Readable.toWeb`, whose types differ from the DOM's), or any
 * `AsyncIterable<Uint8Array>`, such as a Node `Readable` or an async generator.
 * Either is read once.
 */
export type LayerSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * The source as a `ReadableStream`: a stream as it is, an iterable behind a
 * stream that asks it for one item per read (so backpressure holds) and
 * returns it (`iterator.return()`) when cancelled. Anything else is handed
 * back for the caller to refuse.
 */
export function layerSourceStream(source: LayerSource): ReadableStream<Uint8Array> {
  if (typeof (source as { getReader?: unknown } | null)?.getReader === "function") return source as ReadableStream<Uint8Array>;
  if (typeof (source as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === "function") return iterableStream(source as AsyncIterable<Uint8Array>);
  return source as ReadableStream<Uint8Array>;
}

function iterableStream(iterable: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= iterable[Symbol.asyncIterator]();
        const { done, value } = await iterator.next();
        if (done) return controller.close();
        if (!(value instanceof Uint8Array)) throw new TypeError(`Invalid source: an iterable source must yield Uint8Array chunks, got ${typeof value}`);
        controller.enqueue(value);
      },
      async cancel(reason) {
        await iterator?.return?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
