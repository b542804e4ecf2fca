import type { RuntimeAdapter } from "./_runtime_adapter.ts";

/** Browsers, Workers and any other runtime: the web platform alone. */
export const runtime: RuntimeAdapter = { isNode: false };
