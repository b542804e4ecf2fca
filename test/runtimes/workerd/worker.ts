// A Cloudflare Worker, run in workerd by workerd.test.ts:
//   POST /layer?repository=host/name[&deterministic=1][&compressor=...]  body: an uncompressed tarball
//        makes a StreamLayer of the body and pushes it with writeLayer; answers
//        { descriptor, diffID, digestStreams }
//   POST /case?name=...&registry=host   runs one conformance case; answers { ok, error? }
//   POST /hash                         hashes the body with createSha256; answers
//        { sha256, wasmError, digestStreams }, which shows hash-wasm cannot compile
//        its WebAssembly here and crypto.DigestStream was used instead
import * as lib from "../../../src/index.ts";
import { createSha256 } from "../../../src/hash/_sha256.ts";
import { conformanceCase } from "../../conformance/cases.ts";

// Counts the DigestStreams created, to prove the native fallback is the one hashing.
let digestStreams = 0;
type DigestStreamClass = new (algorithm: string) => WritableStream<ArrayBufferView>;
const cryptoWithDigestStream = crypto as Crypto & { DigestStream?: DigestStreamClass };
const NativeDigestStream = cryptoWithDigestStream.DigestStream;
if (NativeDigestStream) {
  Object.defineProperty(crypto, "DigestStream", {
    configurable: true,
    value: class CountingDigestStream extends NativeDigestStream {
      constructor(algorithm: string) {
        super(algorithm);
        digestStreams++;
      }
    },
  });
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    try {
      switch (url.pathname) {
        case "/layer":
          return Response.json(await pushLayer(request, url));
        case "/case":
          return Response.json(await runCase(url));
        case "/hash":
          return Response.json(await hash(request));
        default:
          return new Response("Not found", { status: 404 });
      }
    } catch (error) {
      return Response.json({ ok: false, error: describe(error) }, { status: 500 });
    }
  },
};

async function pushLayer(request: Request, url: URL) {
  if (!request.body) throw new TypeError("POST /layer needs a tarball as its body");
  const compressor = (url.searchParams.get("compressor") ?? "auto") as lib.CompressorChoice;
  const layer = new lib.StreamLayer(request.body, { deterministic: url.searchParams.get("deterministic") === "1", compressor });
  const descriptor = await lib.writeLayer(url.searchParams.get("repository") ?? "", layer);
  return { descriptor, diffID: await layer.diffID(), digestStreams };
}

async function runCase(url: URL) {
  const conformance = conformanceCase(url.searchParams.get("name") ?? "");
  const registry = url.searchParams.get("registry") ?? "";
  try {
    await conformance.run({ lib, runtime: "workerd", registry, hasZlib: false, streamsRequestBodies: true });
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

async function hash(request: Request) {
  let wasmError = "";
  try {
    await WebAssembly.compile(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  } catch (error) {
    wasmError = String(error);
  }
  const sha256 = await createSha256();
  const reader = request.body!.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) sha256.update(next.value);
  return { sha256: await sha256.digest(), wasmError, digestStreams };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);
}
