// Turns a failed push into what the user needs: what went wrong, and how to
// fix it. A browser reports both "nothing listens there" and "the registry
// did not allow this page (CORS)" as the same bare network error; a
// `no-cors` request tells them apart, since it needs no CORS headers to
// succeed: it resolves when a server answers, and rejects when none does.
import { isStreamLayerError, type StreamLayerError } from "streamlayer";

export interface Diagnosis {
  readonly kind: "cors" | "unreachable" | "mixed-content" | "auth" | "not-a-tar" | "reference" | "timeout" | "registry" | "other";
  readonly title: string;
  readonly explanation: string;
  readonly fixes: readonly string[];
  /** A configuration to paste, when one fixes it. */
  readonly config?: string;
}

const ALLOWED_HEADERS = ["Authorization", "Accept", "Content-Type", "Content-Range", "Content-Length"];
const EXPOSED_HEADERS = ["Location", "Range", "Docker-Upload-UUID", "Docker-Content-Digest", "OCI-Chunk-Min-Length", "OCI-Chunk-Max-Length", "WWW-Authenticate", "Content-Length"];

/**
 * @param error What the push threw.
 * @param registry The registry's origin from the reference (`http://127.0.0.1:5000`), when it parsed.
 */
export async function diagnose(error: unknown, registry: string | undefined): Promise<Diagnosis> {
  if (isStreamLayerError(error)) return diagnoseLibraryError(error, registry);
  if (error instanceof TypeError && registry !== undefined) return diagnoseNetworkFailure(registry);
  return { kind: "other", title: "The push failed", explanation: "An unexpected error; its text is below.", fixes: ["Read the error below; the browser's console may say more."] };
}

function diagnoseLibraryError(error: StreamLayerError, registry: string | undefined): Promise<Diagnosis> | Diagnosis {
  const status = "status" in error ? (error.status as number | undefined) : undefined;
  const url = "url" in error && typeof error.url === "string" ? error.url : undefined;
  switch (error.code) {
    case "AUTH":
      return {
        kind: "auth",
        title: "The registry refused the credentials",
        explanation: `It answered ${status ?? "with an error"}: the user and password (or token) are wrong, missing, or not allowed to push to this repository.`,
        fixes: ["Check the user and the password or token.", "Make sure the account may push (write) to this repository.", "Leave both empty for a registry that takes anonymous pushes."],
      };
    case "INVALID_LAYER_SOURCE":
      return notATar(error);
    case "INVALID_REFERENCE":
      return { kind: "reference", title: "The image reference is not valid", explanation: error.message, fixes: ["Write it as host[:port]/repository[:tag], in lowercase, such as 127.0.0.1:5000/team/app:v1."] };
    case "TIMEOUT":
      return { kind: "timeout", title: "The registry stopped answering", explanation: "No bytes moved for the time allowed; the upload was stopped.", fixes: ["Check that the registry (and any proxy in front of it) is healthy, then push again."] };
    case "REGISTRY_ERROR":
      if (status === undefined) return diagnoseNetworkFailure(url ? new URL(url).origin : registry);
      // An answer came, but without a header the protocol needs, as the library words it.
      if (/header visible: the answer crossed origins/.test(error.message)) return cors(true);
      return { kind: "registry", title: `The registry refused the push (HTTP ${status})`, explanation: "Its answer is below, with the registry's own error codes.", fixes: ["Read the registry's error codes below (NAME_UNKNOWN, DENIED, …) and its logs."] };
    default:
      return { kind: "other", title: "The push failed", explanation: `${error.name} (${error.code}).`, fixes: ["Read the error below."] };
  }
}

async function diagnoseNetworkFailure(origin: string | undefined): Promise<Diagnosis> {
  if (origin === undefined) return cors(false);
  if (location.protocol === "https:" && origin.startsWith("http:")) {
    return {
      kind: "mixed-content",
      title: `An https page cannot reach ${origin}`,
      explanation: "Browsers block plain http requests from a page served over https (mixed content).",
      fixes: ["Serve the registry over https (a TLS proxy in front of it), or serve this page over http for local tests."],
    };
  }
  const answered = await answers(origin);
  if (answered) return cors(false);
  return {
    kind: "unreachable",
    title: `The registry at ${origin} is unreachable`,
    explanation: answered === false
      ? `Nothing answered at ${origin}, even to a request that needs no CORS: this is not a CORS problem.`
      : `${origin} did not answer within 5 seconds, even to a request that needs no CORS.`,
    fixes: [
      "Start the registry, or wait until it is up.",
      `Check the address in the image reference: the host and the port (${new URL(origin).host}).`,
      "Check the scheme: plain http is used only for localhost and 127.0.0.1, https for every other host.",
    ],
  };
}

/** Whether a server answers at `origin`: true, false when none does, undefined after 5 s. */
async function answers(origin: string): Promise<boolean | undefined> {
  try {
    await fetch(`${origin}/v2/`, { mode: "no-cors", cache: "no-store", credentials: "omit", signal: AbortSignal.timeout(5000) });
    return true;
  } catch (error) {
    return error instanceof DOMException && error.name === "TimeoutError" ? undefined : false;
  }
}

function cors(headersHidden: boolean): Diagnosis {
  const page = location.origin;
  return {
    kind: "cors",
    title: headersHidden ? "The registry hides headers this page needs (CORS)" : "The registry answered, but did not allow this page (CORS)",
    explanation: headersHidden
      ? `The registry answers ${page}, but keeps headers of its answers from it: they must be listed in Access-Control-Expose-Headers.`
      : `The registry is up, but the browser refused its answer to ${page}: its CORS headers are missing, or its OPTIONS preflight failed.`,
    fixes: [
      `Answer this page's origin, ${page}, with Access-Control-Allow-Origin.`,
      "Answer the OPTIONS preflight with a 2xx without asking for credentials (docker-registry with auth asks for them: answer OPTIONS in a proxy in front of it).",
      `Allow the methods HEAD GET POST PUT PATCH DELETE (Access-Control-Allow-Methods) and the headers ${ALLOWED_HEADERS.join(", ")} (Access-Control-Allow-Headers).`,
      `Expose ${EXPOSED_HEADERS.join(", ")} (Access-Control-Expose-Headers).`,
      "Or serve this page from the registry's own origin through a proxy.",
    ],
    config: dockerRegistryHeaders(page),
  };
}

function dockerRegistryHeaders(origin: string): string {
  const list = (values: readonly string[]) => `[${values.join(", ")}]`;
  return [
    "# docker-registry's config.yml",
    "http:",
    "  headers:",
    `    Access-Control-Allow-Origin: ["${origin}"]`,
    `    Access-Control-Allow-Methods: ${list(["HEAD", "GET", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])}`,
    `    Access-Control-Allow-Headers: ${list(ALLOWED_HEADERS)}`,
    `    Access-Control-Expose-Headers: ${list(EXPOSED_HEADERS)}`,
  ].join("\n");
}

function notATar(error: StreamLayerError): Diagnosis {
  const found = "found" in error ? String(error.found) : "not-tar";
  const what: Record<string, string> = {
    zstd: "It is zstd-compressed: decompress it first (zstd -d), or push the .tar.",
    "image-tarball": "It is a whole image (docker save), not one layer: push it with skopeo copy docker-archive:… or docker load, or push one of its layers.",
    "corrupt-gzip": "It starts as gzip but is damaged.",
    "not-gzip": "It is not gzip, although gzip was expected.",
  };
  return {
    kind: "not-a-tar",
    title: "This is not a tar",
    explanation: what[found] ?? "Its first block is not a tar header.",
    fixes: ["Choose a .tar or a .tar.gz.", "Or drop the files and folders themselves: the page packs them into a tar."],
  };
}
