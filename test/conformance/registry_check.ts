// Checks a push with the registry's own answers: HEAD for existence, size and
// digest header; GET for the bytes, hashed with WebCrypto.
import { assertEqual, webCryptoDigest } from "./harness.ts";

/** Checks the blob with HEAD and GET and returns its bytes. */
export async function fetchCheckedBlob(registry: string, repository: string, digest: string, size: number): Promise<Uint8Array> {
  const url = `http://${registry}/v2/${repository}/blobs/${digest}`;
  const head = await fetch(url, { method: "HEAD" });
  assertEqual(head.status, 200, `HEAD ${url}`);
  assertEqual(head.headers.get("docker-content-digest"), digest, "HEAD Docker-Content-Digest");
  assertEqual(head.headers.get("content-length"), String(size), "HEAD Content-Length");
  const get = await fetch(url);
  assertEqual(get.status, 200, `GET ${url}`);
  const bytes = new Uint8Array(await get.arrayBuffer());
  assertEqual(bytes.length, size, "GET length");
  assertEqual(await webCryptoDigest(bytes), digest, "SHA-256 of the GET body");
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
