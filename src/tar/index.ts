export { createTarStream, type TarEntryInput, type TarStreamOptions } from "./create_tar_stream.ts";
