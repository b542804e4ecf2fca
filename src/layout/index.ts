export { writeLayout, writeLayoutLayer, type WriteLayoutOptions } from "./write_layout.ts";
export { InvalidLayoutError } from "./errors.ts";
