// Chromium's part of bench/web_workers.ts, bundled by esbuild: fetches the
// tarball from the page's server and exposes a round on `window.webWorkerRound`.
import { webWorkerRound } from "./web_workers_probe.ts";

const bytes = new Uint8Array(await (await fetch("/input")).arrayBuffer());
Object.assign(globalThis, { webWorkerRound: (round: number) => webWorkerRound(bytes, round) });
