// Pushing an image whose layer is a streaming one, checked with the registry's
// own manifest and blob answers.
import { chunkedStream, tarLikeBytes, withTarHeader } from "../support/bytes.ts";
import { assertEqual, webCryptoDigest, type ConformanceCase } from "./harness.ts";
import { fetchCheckedBlob, fetchManifest } from "./registry_check.ts";

export const imageCase: ConformanceCase = {
  name: "push an image with a streaming layer; manifest and config name its digest and DiffID",
  async run(context) {
    const { lib, registry } = context;
    const repo = `conformance/${context.runtime}-image`;
    const bytes = withTarHeader(tarLikeBytes(150_000, 24));
    const layer = new lib.StreamLayer(chunkedStream(bytes, { chunkSizes: [30_000] }).stream);
    const image = lib.appendLayers(lib.emptyImage({ config: { Cmd: ["/hello"] } }), layer);
    const descriptor = await lib.writeImage(`${registry}/${repo}:v1`, image, { chunkSize: 64 * 1024 });
    const manifest = await fetchManifest(registry, repo, "v1");
    assertEqual(await webCryptoDigest(manifest.bytes), descriptor.digest, "manifest digest");
    const parsed = JSON.parse(new TextDecoder().decode(manifest.bytes)) as {
      config: { digest: string; size: number };
      layers: { digest: string; size: number; mediaType: string }[];
    };
    assertEqual(parsed.layers.length, 1, "layers in the manifest");
    assertEqual(parsed.layers[0]!.digest, await layer.digest(), "layer digest in the manifest");
    await fetchCheckedBlob(registry, repo, parsed.layers[0]!.digest, parsed.layers[0]!.size);
    const configBytes = await fetchCheckedBlob(registry, repo, parsed.config.digest, parsed.config.size);
    const config = JSON.parse(new TextDecoder().decode(configBytes)) as { rootfs: { diff_ids: string[] }; config: { Cmd?: string[] } };
    assertEqual(config.rootfs.diff_ids.join(), await webCryptoDigest(bytes), "rootfs.diff_ids");
    assertEqual(config.config.Cmd?.join(" "), "/hello", "Cmd");
  },
};

