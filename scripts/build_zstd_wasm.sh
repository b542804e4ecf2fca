#!/usr/bin/env bash
# Builds src/compress/zstd/zstd.wasm: zstd's streaming encoder and decoder
# (zstd 1.5.7's C sources, from the zstd-napi devDependency in node_modules,
# never copied into the repository) with our entry (zstd_entry.c), compiled to
# wasm32 with Debian's clang, lld and wasi-libc (malloc only: the module
# imports nothing). The output is gitignored; `npm run build` copies it to
# dist/ beside the module that loads it.
#
# Reproducible: the same compiler gives the same bytes on any machine and in
# any directory (no debug information, no paths, a fixed file order);
# test/compress/zstd_wasm_build.test.ts rebuilds it and compares the SHA-256.
#
# Usage: scripts/build_zstd_wasm.sh [output file]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/src/compress/zstd/zstd.wasm}"
lib="$root/node_modules/zstd-napi/deps/zstd/lib"

if [ ! -f "$lib/zstd.h" ]; then
  echo "build_zstd_wasm: zstd's sources are missing ($lib): run npm ci" >&2
  exit 1
fi
version="$(sed -n 's/^#define ZSTD_VERSION_\(MAJOR\|MINOR\|RELEASE\) *\([0-9]*\).*/\2/p' "$lib/zstd.h" | paste -sd.)"
if [ "$version" != "1.5.7" ]; then
  echo "build_zstd_wasm: expected zstd 1.5.7's sources, found $version" >&2
  exit 1
fi
for tool in clang wasm-ld; do
  command -v "$tool" >/dev/null || { echo "build_zstd_wasm: $tool is missing (Debian: apt-get install clang lld wasi-libc)" >&2; exit 1; }
done

# Up to date when the inputs are those of the last build into this file (the
# stamp beside it): `npm run build` and the tests then cost nothing.
inputs="$( (cat "$0" "$root/src/compress/zstd/zstd_entry.c"; clang --version; find "$lib" -type f | LC_ALL=C sort | xargs cat) | sha256sum | cut -d' ' -f1)"
if [ -f "$out" ] && [ "$(cat "$out.inputs" 2>/dev/null)" = "$inputs" ]; then
  echo "build_zstd_wasm: $out is up to date"
  exit 0
fi

sources=(
  common/entropy_common.c common/error_private.c common/fse_decompress.c common/xxhash.c common/zstd_common.c
  compress/fse_compress.c compress/hist.c compress/huf_compress.c compress/zstd_compress.c
  compress/zstd_compress_literals.c compress/zstd_compress_sequences.c compress/zstd_compress_superblock.c
  compress/zstd_double_fast.c compress/zstd_fast.c compress/zstd_lazy.c compress/zstd_ldm.c compress/zstd_opt.c
  compress/zstd_preSplit.c
  decompress/huf_decompress.c decompress/zstd_ddict.c decompress/zstd_decompress.c decompress/zstd_decompress_block.c
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Compile from a copy under a fixed name, so that no path of this machine can
# reach the output.
mkdir -p "$work/src"
cp -r "$lib/." "$work/src/zstd"
cp "$root/src/compress/zstd/zstd_entry.c" "$work/src/zstd_entry.c"
cd "$work/src"

flags=(--target=wasm32-wasi -O3 -flto -ffile-prefix-map="$work/src"=. -Izstd -Izstd/common
  -DNDEBUG -DZSTD_TRACE=0 -DZSTD_DISABLE_ASM -DZSTD_LEGACY_SUPPORT=0 -DDEBUGLEVEL=0
  -DZSTD_NO_INTRINSICS=0 -DXXH_NAMESPACE=ZSTD_ -mbulk-memory -mmutable-globals -msign-ext -mnontrapping-fptoint)
exports=(sl_input_buffer sl_output_buffer sl_io_size sl_output_size sl_input_left sl_is_error sl_error_name
  sl_min_level sl_max_level sl_compress_begin sl_set_input sl_compress sl_decompress_begin sl_decompress)
link=(-nostartfiles -nodefaultlibs -lc -Wl,--no-entry -Wl,--strip-all -Wl,--gc-sections -Wl,-z,stack-size=131072
  -Wl,--initial-memory=2097152 -Wl,--max-memory=2147483648)
for name in "${exports[@]}"; do link+=("-Wl,--export=$name"); done

objects=()
pids=()
for file in zstd_entry.c "${sources[@]/#/zstd/}"; do
  object="obj/${file//\//_}.o"
  mkdir -p obj
  clang "${flags[@]}" -c "$file" -o "$object" &
  pids+=($!)
  objects+=("$object")
done
for pid in "${pids[@]}"; do wait "$pid"; done
clang "${flags[@]}" "${link[@]}" "${objects[@]}" -o zstd.wasm

imports="$(node -e 'const m = new WebAssembly.Module(require("fs").readFileSync("zstd.wasm")); console.log(WebAssembly.Module.imports(m).map((i) => i.module + "." + i.name).join(" "))')"
if [ -n "$imports" ]; then
  echo "build_zstd_wasm: the module must import nothing, but imports: $imports" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
cp zstd.wasm "$out"
echo "$inputs" >"$out.inputs"
echo "build_zstd_wasm: $out ($(wc -c <zstd.wasm) bytes, sha256 $(sha256sum zstd.wasm | cut -d' ' -f1))"
