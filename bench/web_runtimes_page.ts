// Chromium's part of bench/web_runtimes.ts, bundled by esbuild: fetches the
// tarball from the page's server and exposes the probe's functions.
import { slowConsumerLayer, timeCase, type WebRuntimeCase } from "./web_runtimes_probe.ts";

const bytes = new Uint8Array(await (await fetch("/input")).arrayBuffer());
Object.assign(globalThis, {
  timeCase: (name: WebRuntimeCase, chunkSize: number) => timeCase(name, bytes, chunkSize),
  slowConsumerLayer: (times: number, chunkSize: number, bytesPerSecond: number, zstd?: boolean) => slowConsumerLayer(bytes, times, chunkSize, bytesPerSecond, zstd),
});
