export { writeLayout, writeLayoutLayer, type WriteLayoutOptions } from "./write_layout.ts";
export { parseOciTarget, type OciTarget } from "./oci_target.ts";
export { InvalidLayoutError } from "./errors.ts";
