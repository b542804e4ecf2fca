// A fetch that plays registries on hosts loopback cannot have (public names,
// other hosts' private addresses), so the transport's rules for them can be
// tested. Real registries are exercised everywhere else.

/** One request the fake fetch was given. */
export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | null;
  body: string;
}

/** Answers a request, or passes it on to the next handler with `undefined`. */
export type FakeHandler = (request: Request, body: string) => Response | Promise<Response> | undefined;

/** A fetch that records every request and answers with the first handler that answers, else 404. */
export function fakeFetch(...handlers: FakeHandler[]): { fetch: typeof fetch; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  const fake = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const body = await request.clone().text();
    seen.push({ method: request.method, url: request.url, authorization: request.headers.get("authorization"), body });
    for (const handler of handlers) {
      const response = await handler(request, body);
      if (response) return response;
    }
    return new Response("{}", { status: 404 });
  };
  return { fetch: fake as typeof fetch, seen };
}

/** A registry's `/v2/` that asks anonymous callers for a Bearer token from `realm`. */
export const bearerPing = (realm: string): FakeHandler => (request) =>
  new URL(request.url).pathname === "/v2/" && !request.headers.has("authorization")
    ? new Response(null, { status: 401, headers: { "www-authenticate": `Bearer realm="${realm}",service="reg"` } })
    : undefined;
