// A ReadableStream handed to a worker where the runtime cannot transfer
// streams (postMessage with the stream in its transfer list throws a
// DataCloneError): its chunks go over a MessagePort, one per request from the
// receiving side, so no more than one chunk is ever in flight and a slow
// upload slows the reading of the source, as it would on one thread.
import { toTransferredError, fromTransferredError, type TransferredError } from "./_error_transfer.ts";

/** From the receiver: the next chunk, please; or stop. */
type Request = { readonly type: "pull" } | { readonly type: "cancel"; readonly reason: string };

/** From the sender: a chunk, the end, or the source's failure. */
type Answer = { readonly type: "chunk"; readonly chunk: Uint8Array } | { readonly type: "end" } | { readonly type: "error"; readonly error: TransferredError };

/**
 * Serves `stream`'s chunks on `port` as the other end asks for them. Each
 * chunk is copied into a buffer of its own, which is transferred: the
 * caller's chunk may be a view of a buffer it still uses.
 */
export function serveStream(stream: ReadableStream<Uint8Array>, port: MessagePort): void {
  const reader = stream.getReader();
  const send = (answer: Answer, transfer: Transferable[] = []) => port.postMessage(answer, transfer);
  port.onmessage = async (event: MessageEvent<Request>) => {
    if (event.data.type === "cancel") {
      port.close();
      await reader.cancel(event.data.reason).catch(() => {});
      return;
    }
    try {
      const next = await reader.read();
      if (next.done) {
        send({ type: "end" });
        port.close();
        return;
      }
      const chunk = next.value.slice();
      send({ type: "chunk", chunk }, [chunk.buffer]);
    } catch (error) {
      send({ type: "error", error: toTransferredError(error) });
      port.close();
    }
  };
  port.start();
}

/** The stream that {@link serveStream} serves on the other end of `port`. */
export function receiveStream(port: MessagePort): ReadableStream<Uint8Array> {
  let waiting: ((answer: Answer) => void) | undefined;
  port.onmessage = (event: MessageEvent<Answer>) => waiting?.(event.data);
  port.start();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const answer = await new Promise<Answer>((resolve) => {
          waiting = resolve;
          port.postMessage({ type: "pull" } satisfies Request);
        });
        waiting = undefined;
        if (answer.type === "chunk") controller.enqueue(answer.chunk);
        else if (answer.type === "end") {
          port.close();
          controller.close();
        } else {
          port.close();
          controller.error(fromTransferredError(answer.error));
        }
      },
      cancel(reason) {
        port.postMessage({ type: "cancel", reason: String(reason) } satisfies Request);
        port.close();
      },
    },
    { highWaterMark: 0 },
  );
}
