// Checks a push with the registry's own answers: HEAD for existence, size and
// digest header; GET for the bytes, hashed with WebCrypto.
import { fetchCheckedBlob as fetchBlob } from "../support/blob_check.ts";
import { assertEqual } from "./harness.ts";

/** Checks the blob with HEAD and GET and returns its bytes. */
export async function fetchCheckedBlob(registry: string, repository: string, digest: string, size: number): Promise<Uint8Array> {
  const { bytes, headers } = await fetchBlob(`http://${registry}`, repository, digest, size);
  assertEqual(headers.get("docker-content-digest"), digest, "HEAD Docker-Content-Digest");
  return bytes;
}

/** GETs a manifest by tag or digest and returns its bytes and media type. */
export async function fetchManifest(registry: string, repository: string, reference: string): Promise<{ bytes: Uint8Array; mediaType: string | null }> {
  const url = `http://${registry}/v2/${repository}/manifests/${reference}`;
  const accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
  const response = await fetch(url, { headers: { accept } });
  assertEqual(response.status, 200, `GET ${url}`);
  return { bytes: new Uint8Array(await response.arrayBuffer()), mediaType: response.headers.get("content-type") };
}
