export { writeLayout, writeLayoutLayer, type WriteLayoutOptions } from "./write_layout.ts";
export { readLayout, readLayoutImages, type LayoutImage, type ReadLayoutOptions } from "./read_layout.ts";
export { InvalidLayoutError, LayoutImageNotFoundError } from "./errors.ts";
