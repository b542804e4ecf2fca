// An experiment for workerd (bench/web_runtimes.ts, BENCH_WEB_PULLED=1): its
// CompressionStream driven by pull. Measured faster there than fflate (what
// `auto` takes in Workers) but holding more (workerd resident +107 MiB against
// +46 MiB for 320 MiB with a slow reader), so `auto` keeps fflate.
import type { Compressor } from "../src/compress/compressor.ts";

/**
 * The platform's `CompressionStream("gzip")`, given input only while its
 * output is being asked for: for a runtime whose `CompressionStream` takes
 * all it is given at once (workerd's accepts every write with nobody
 * reading), so that a slow consumer holds back the source instead of the
 * compressor holding the layer.
 *
 * Each read of the returned readable reads the native output; while that read
 * is pending, input is handed to the native compressor one chunk at a time,
 * and after each chunk the event loop gets a turn (a zero timer) so that the
 * native side can answer the read. A chunk written to the returned writable
 * is accepted only when it has been handed on, which is how the writer waits.
 */
export function pulledCompressionStream(): Compressor {
  const native = new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
  const nativeWriter = native.writable.getWriter();
  const nativeReader = native.readable.getReader();
  let input: { chunk: Uint8Array; accepted(): void; refused(error: unknown): void } | undefined;
  let closing: { closed(): void; failed(error: unknown): void } | undefined;
  let inputEnded = false;
  let inputArrived: (() => void) | undefined;
  const nextInput = () => new Promise<void>((resolve) => (inputArrived = resolve));
  const announce = () => {
    const arrived = inputArrived;
    inputArrived = undefined;
    arrived?.();
  };

  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      return new Promise<void>((accepted, refused) => {
        input = { chunk, accepted, refused };
        announce();
      });
    },
    close() {
      return new Promise<void>((closed, failed) => {
        closing = { closed, failed };
        announce();
      });
    },
    async abort(reason) {
      await nativeWriter.abort(reason).catch(() => {});
    },
  });

  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let answered = false;
      const read = nativeReader.read();
      void read.then(() => (answered = true), () => (answered = true));
      while (!answered && !inputEnded) {
        if (!input && !closing) await Promise.race([read, nextInput()]);
        if (answered) break;
        await handOn();
        if (!answered) await Promise.race([read, new Promise((resolve) => setTimeout(resolve, 0))]);
      }
      const { done, value } = await read;
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(reason) {
      input?.refused(reason);
      closing?.failed(reason);
      await Promise.allSettled([nativeReader.cancel(reason), nativeWriter.abort(reason)]);
    },
  }, { highWaterMark: 0 });

  async function handOn(): Promise<void> {
    if (input) {
      const { chunk, accepted, refused } = input;
      input = undefined;
      await nativeWriter.write(chunk).then(accepted, (error: unknown) => (refused(error), Promise.reject(error)));
    } else if (closing) {
      const { closed, failed } = closing;
      closing = undefined;
      inputEnded = true;
      await nativeWriter.close().then(closed, (error: unknown) => (failed(error), Promise.reject(error)));
    }
  }

  return { readable, writable };
}
