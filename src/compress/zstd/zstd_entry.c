/*
 * streamlayer's entry into zstd, compiled with zstd's own sources (1.5.7, from
 * the npm package zstd-napi) to wasm32 by scripts/build_zstd_wasm.sh.
 *
 * One instance holds one compression and one decompression at a time: the
 * JavaScript side makes an instance per stream. It copies a piece of input
 * into the buffer that sl_input_buffer returns, calls sl_compress (or
 * sl_decompress) until the piece is consumed, and copies what sl_output_buffer
 * holds after each call (sl_output_size bytes). Nothing here flushes on its
 * own: the bytes depend on the input and the level alone, not on how the input
 * was cut into pieces.
 */
#include <stdlib.h>
#define ZSTD_STATIC_LINKING_ONLY
#include "zstd.h"

#define IO_SIZE (128 * 1024)

static ZSTD_CCtx *cctx;
static ZSTD_DCtx *dctx;
static unsigned char *input_buffer;
static unsigned char *output_buffer;
static ZSTD_inBuffer input;
static ZSTD_outBuffer output;

/* The buffers both sides share: 0 when memory cannot be had. */
static int ensure_buffers(void) {
  if (!input_buffer) input_buffer = malloc(IO_SIZE);
  if (!output_buffer) output_buffer = malloc(IO_SIZE);
  return input_buffer && output_buffer;
}

unsigned char *sl_input_buffer(void) { return ensure_buffers() ? input_buffer : 0; }
unsigned char *sl_output_buffer(void) { return ensure_buffers() ? output_buffer : 0; }
size_t sl_io_size(void) { return IO_SIZE; }
size_t sl_output_size(void) { return output.pos; }
size_t sl_input_left(void) { return input.size - input.pos; }
int sl_is_error(size_t code) { return ZSTD_isError(code); }
const char *sl_error_name(size_t code) { return ZSTD_getErrorName(code); }
int sl_min_level(void) { return ZSTD_minCLevel(); }
int sl_max_level(void) { return ZSTD_maxCLevel(); }

/* Begins a frame at `level`, with zstd's other parameters at their defaults (those of node:zlib). */
size_t sl_compress_begin(int level) {
  if (!ensure_buffers()) return (size_t)-ZSTD_error_memory_allocation;
  if (!cctx) cctx = ZSTD_createCCtx();
  if (!cctx) return (size_t)-ZSTD_error_memory_allocation;
  size_t result = ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  if (ZSTD_isError(result)) return result;
  return ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
}

/* Takes the next `size` bytes of input, which the caller put in the input buffer. */
void sl_set_input(size_t size) {
  input.src = input_buffer;
  input.size = size;
  input.pos = 0;
}

/*
 * One step of compression into the output buffer (emptied first): with
 * `end` 0, ZSTD_e_continue (call again while sl_input_left is not 0); with
 * `end` 1, ZSTD_e_end (call again until it returns 0). Returns zstd's
 * result: an error code, or how much is left to flush.
 */
size_t sl_compress(int end) {
  output.dst = output_buffer;
  output.size = IO_SIZE;
  output.pos = 0;
  return ZSTD_compressStream2(cctx, &output, &input, end ? ZSTD_e_end : ZSTD_e_continue);
}

/* Begins decompressing a stream of one or more frames. */
size_t sl_decompress_begin(void) {
  if (!ensure_buffers()) return (size_t)-ZSTD_error_memory_allocation;
  if (!dctx) dctx = ZSTD_createDCtx();
  if (!dctx) return (size_t)-ZSTD_error_memory_allocation;
  return ZSTD_DCtx_reset(dctx, ZSTD_reset_session_and_parameters);
}

/*
 * One step of decompression into the output buffer (emptied first). Returns
 * an error code, 0 when a frame has just ended, or a hint of the input the
 * frame still needs. Call again while sl_input_left is not 0, or while the
 * output buffer came back full.
 */
size_t sl_decompress(void) {
  output.dst = output_buffer;
  output.size = IO_SIZE;
  output.pos = 0;
  return ZSTD_decompressStream(dctx, &output, &input);
}
