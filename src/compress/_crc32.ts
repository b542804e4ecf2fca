import type { Crc32 } from "./_block_gzip_stream.ts";

// gzip's CRC-32 (the reflected polynomial 0xEDB88320), eight tables of 256 so
// that eight bytes are folded per step ("slicing by 8").
const TABLES = makeTables();

function makeTables(): Uint32Array {
  const tables = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) tables[t * 256 + n] = (tables[(t - 1) * 256 + n]! >>> 8) ^ tables[tables[(t - 1) * 256 + n]! & 0xff]!;
  }
  return tables;
}

/**
 * gzip's CRC-32 in plain JavaScript, for where the runtime's zlib has none
 * (Node before 20.15): no WebAssembly, so no second module in a bundle, and
 * it runs where WebAssembly may not be compiled (Cloudflare Workers).
 */
export function javascriptCrc32(): Crc32 {
  let crc = 0xffffffff;
  const t = TABLES;
  return {
    update(data) {
      let i = 0;
      const end8 = data.length - (data.length % 8);
      for (; i < end8; i += 8) {
        const a = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) ^ crc;
        crc =
          t[7 * 256 + (a & 0xff)]! ^
          t[6 * 256 + ((a >>> 8) & 0xff)]! ^
          t[5 * 256 + ((a >>> 16) & 0xff)]! ^
          t[4 * 256 + (a >>> 24)]! ^
          t[3 * 256 + data[i + 4]!]! ^
          t[2 * 256 + data[i + 5]!]! ^
          t[256 + data[i + 6]!]! ^
          t[data[i + 7]!]!;
      }
      for (; i < data.length; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
    },
    value: () => (crc ^ 0xffffffff) >>> 0,
  };
}
