/* CShims: the C that Swift cannot call directly.
 * - fixed-signature wrappers for libtiff's variadic TIFFGetField/TIFFSetField (one per value shape);
 * - registration of the GeoTIFF and GDAL private tags (so they can be written);
 * - per-handle libtiff diagnostics (no global handlers, thread-safe);
 * - DEFLATE tiles and strips inflated with libdeflate, falling back to libtiff when in doubt;
 * - whole libpng read/write sessions, so setjmp/longjmp never cross a Swift frame. */
#ifndef TILEPIPE_CSHIMS_H
#define TILEPIPE_CSHIMS_H
#include <stdint.h>
#include <stddef.h>
#include <tiffio.h>

/* ---- libtiff ---- */

/* Collects the first error and counts warnings for one TIFF handle. */
typedef struct rs_tiff_diag {
    char first_error[512];
    char last_error[512];
    int error_count;
    int warning_count;
} rs_tiff_diag;

/* Registers GeoTIFF (33550, 33922, 34264, 34735-34737) and GDAL (42112, 42113) tags once per process. */
void rs_tiff_register_tags(void);
/* Opens with per-handle error/warning handlers writing into diag, and a per-allocation cap (0 = libtiff default). */
TIFF *rs_tiff_open(const char *path, const char *mode, rs_tiff_diag *diag, int64_t max_single_alloc);

/* Like rs_tiff_open over caller-supplied I/O procedures on `handle` (no memory mapping): an in-memory or
 * virtual file. */
TIFF *rs_tiff_client_open(const char *name, const char *mode, rs_tiff_diag *diag, void *handle,
                          TIFFReadWriteProc read_proc, TIFFReadWriteProc write_proc, TIFFSeekProc seek_proc,
                          TIFFCloseProc close_proc, TIFFSizeProc size_proc);

int rs_tiff_get_u16(TIFF *t, uint32_t tag, uint16_t *out);
int rs_tiff_get_u32(TIFF *t, uint32_t tag, uint32_t *out);
int rs_tiff_get_u64(TIFF *t, uint32_t tag, uint64_t *out);
int rs_tiff_get_double(TIFF *t, uint32_t tag, double *out);
int rs_tiff_get_ascii(TIFF *t, uint32_t tag, const char **out);
/* Variable-count arrays of registered custom tags (TIFF_VARIABLE2: uint32 count). */
int rs_tiff_get_doubles(TIFF *t, uint32_t tag, uint32_t *count, const double **values);
int rs_tiff_get_shorts(TIFF *t, uint32_t tag, uint32_t *count, const uint16_t **values);
/* TIFFTAG_COLORMAP: three arrays of 2^bitspersample entries. */
int rs_tiff_get_colormap(TIFF *t, const uint16_t **r, const uint16_t **g, const uint16_t **b);
/* TIFFTAG_EXTRASAMPLES: uint16 count + array. */
int rs_tiff_get_extrasamples(TIFF *t, uint16_t *count, const uint16_t **values);

int rs_tiff_set_u16(TIFF *t, uint32_t tag, uint16_t value);
int rs_tiff_set_u32(TIFF *t, uint32_t tag, uint32_t value);
int rs_tiff_set_int(TIFF *t, uint32_t tag, int value);
int rs_tiff_set_double(TIFF *t, uint32_t tag, double value);
int rs_tiff_set_ascii(TIFF *t, uint32_t tag, const char *value);
int rs_tiff_set_doubles(TIFF *t, uint32_t tag, uint32_t count, const double *values);
int rs_tiff_set_shorts(TIFF *t, uint32_t tag, uint32_t count, const uint16_t *values);
int rs_tiff_set_colormap(TIFF *t, const uint16_t *r, const uint16_t *g, const uint16_t *b);
int rs_tiff_set_extrasamples(TIFF *t, uint16_t count, const uint16_t *values);
/* 1 when libtiff was built with this codec. */
int rs_tiff_codec_configured(uint16_t compression);

/* ---- DEFLATE blocks through libdeflate (deflate_shims.c) ---- */

/* One reader's libdeflate state: decompressor (allocated at the first block) and reused scratch buffers.
 * Used by one thread at a time, like the TIFF handle it belongs to. */
typedef struct rs_deflate rs_deflate;

/* rs_deflate_read_block's answer when the block must be decoded through libtiff instead. */
#define RS_DEFLATE_FALLBACK 0

/* State for the current IFD of t when its blocks can be decoded exactly as libtiff's zlib path does:
 * compression DEFLATE (8 or 32946), not byte-swapped, FillOrder 1, not YCbCr, and predictor 1, predictor 2 with
 * 8/16/32/64-bit samples, or predictor 3 with IEEE float 16/32/64-bit samples. NULL otherwise. */
rs_deflate *rs_deflate_new(TIFF *t);
void rs_deflate_free(rs_deflate *d);

/* Decodes tile or strip `index` of t (the IFD rs_deflate_new saw) into out[0, out_size): raw bytes read with
 * TIFFReadRawTile/Strip, inflated by libdeflate, the predictor undone on the first `need` bytes (whole rows).
 * Returns need, or RS_DEFLATE_FALLBACK (errno untouched) when the block is not certainly decoded as
 * TIFFReadEncodedTile/Strip(t, index, out, need) would decode it: a raw size that is absurd or past the end of
 * the file, a stream that does not fit out_size (over-long), bad data, or fewer than `need` bytes. */
int64_t rs_deflate_read_block(rs_deflate *d, TIFF *t, uint32_t index, void *out, size_t out_size, size_t need);

/* ---- DEFLATE tiles encoded through libdeflate (deflate_encode.c) ---- */

/* One tile encoder: libdeflate compressor and the predicted tile's buffers, reused. One thread at a time. */
typedef struct rs_deflate_encoder rs_deflate_encoder;

/* An encoder for the tiles of t's current IFD (set up for writing, codec level set), giving the bytes libtiff 4.5's
 * TIFFWriteEncodedTile gives for one whole tile with its libdeflate sub-codec: COMPRESSION_ADOBE_DEFLATE or
 * DEFLATE, tiled, contiguous 8/16/32/64-bit samples, predictor 1, 2, or 3 for IEEE floats, native byte order on a
 * little-endian host, FillOrder 1. NULL otherwise (and for ZIPQUALITY 0, which libtiff gives to zlib).
 * Except ZIPQUALITY 1 with predictor 3: the same predicted bytes, compressed by rs_rle_zlib_compress. */
rs_deflate_encoder *rs_deflate_encoder_new(TIFF *t);
void rs_deflate_encoder_free(rs_deflate_encoder *e);
/* 1 when e compresses with rs_rle_zlib_compress (ZIPQUALITY 1, predictor 3), 0 when with libdeflate. */
int rs_deflate_encoder_runs(const rs_deflate_encoder *e);
/* The largest encoded size of one tile (the output capacity rs_deflate_encode_tile needs). */
size_t rs_deflate_encoder_bound(const rs_deflate_encoder *e);
/* Encodes one whole tile (tile_bytes must be the tile's size; `tile` is not modified) into out[0, out_cap).
 * Returns the encoded size, or RS_DEFLATE_FALLBACK when libtiff would encode it otherwise (its zlib path). */
int64_t rs_deflate_encode_tile(rs_deflate_encoder *e, const void *tile, size_t tile_bytes, void *out, size_t out_cap);

/* ---- DEFLATE by byte runs and Huffman codes only (rle_deflate.c) ---- */

/* The zlib stream of in[0, n): dynamic-Huffman blocks of literals and runs (matches at distance 1), or stored
 * blocks where smaller; the same bytes for the same input on any thread. `sampled` (non-zero): each block over
 * 64 KiB is coded with a code made from a sample of it (an eighth, in 4 KiB pieces) instead of its own counts:
 * faster, a little larger. `scratch` holds rs_rle_scratch_bytes() bytes, aligned for uint32_t (a block's runs,
 * room for one coded block). Returns the stream's size, or 0 when cap < rs_rle_zlib_bound(n) or a pointer is NULL
 * (in may be NULL when n is 0). */
size_t rs_rle_zlib_compress(const void *in, size_t n, void *out, size_t cap, uint32_t *scratch, int sampled);
/* The output capacity rs_rle_zlib_compress needs for n input bytes (n plus a few bytes per 128 KiB). */
size_t rs_rle_zlib_bound(size_t n);
size_t rs_rle_scratch_bytes(void);

/* ---- write-back (writeback_shims.c) ---- */

/* Starts writing bytes [offset, offset + length) of fd to storage without waiting (Linux sync_file_range with
 * SYNC_FILE_RANGE_WRITE; a no-op elsewhere). Durability still comes from fsync. 0 on success. */
int rs_start_writeback(int fd, int64_t offset, int64_t length);

/* Turns direct I/O (Linux O_DIRECT: writes go from the caller's buffer to the device, not through the page cache)
 * on (on != 0) or off for fd. 0 on success; -1 with errno set where the file system or the system has none. Direct
 * writes need a buffer, length and file offset aligned to the device's logical block size. */
int rs_set_direct_io(int fd, int on);

/* ---- libpng ---- */

typedef struct rs_png_image {
    uint32_t width, height;
    uint32_t channels;        /* 1 gray/palette index, 2 gray+alpha, 3 RGB, 4 RGBA */
    uint32_t bit_depth;       /* 8 or 16 (smaller depths are unpacked to 8) */
    int color_type;           /* PNG_COLOR_TYPE_* */
    uint32_t palette_count;   /* entries of palette_rgba when color_type is palette */
    uint8_t palette_rgba[256 * 4];
    int has_trns_value;       /* gray/RGB tRNS: a transparent colour (GDAL reads it as nodata) */
    uint16_t trns_value[3];
    uint8_t *pixels;          /* malloc'd, row-major interleaved; 16-bit samples in host order; free with rs_png_free */
    uint32_t text_count;
    char **text_keys;         /* malloc'd */
    char **text_values;
} rs_png_image;

/* Reads a whole PNG. max_bytes caps the decoded size; chunk cache and chunk malloc are capped too.
 * Returns 0, or -1 with a message in errbuf (nothing allocated). */
int rs_png_read(const char *path, uint64_t max_bytes, rs_png_image *out, char *errbuf, size_t errbuf_len);
void rs_png_free(rs_png_image *img);

/* Receives the bytes of a PNG as libpng produces them; returns 0, or non-zero to abort the write. */
typedef int (*rs_png_sink_fn)(void *ctx, const uint8_t *bytes, size_t n);

/* Writes a PNG through `sink(ctx, ...)` (the caller stores the bytes and hashes them as they come).
 * channels 1..4; bit_depth 8 or 16 (host-order samples); palette_rgba non-NULL with palette_count > 0 writes a
 * palette image (channels must be 1, bit_depth 8; alpha < 255 goes to tRNS). zlib_level 0..9; filter: -1 = libpng
 * default (adaptive), otherwise a PNG_FILTER_* mask. 8-bit images with PNG_FILTER_NONE at levels 1..9 are deflated
 * by libdeflate (IDAT written with png_write_chunk), everything else by libpng's zlib. On failure (bad shape, a sink
 * that returned non-zero) returns -1 with a message in errbuf; what the sink received is then incomplete. */
int rs_png_write_to(rs_png_sink_fn sink, void *ctx, const uint8_t *pixels, uint32_t width, uint32_t height,
                    uint32_t channels, uint32_t bit_depth, const uint8_t *palette_rgba, uint32_t palette_count,
                    const char *const *text_keys, const char *const *text_values, uint32_t text_count,
                    int zlib_level, int filter, char *errbuf, size_t errbuf_len);

/* Encodes 8-bit pixels (channels 1..4: gray, gray+alpha, RGB, RGBA) as a PNG in memory. On success *out is a
 * malloc'd buffer of *out_len bytes (free it with free()); on failure returns -1 with a message in errbuf. */
int rs_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels, int zlib_level,
                  uint8_t **out, size_t *out_len, char *errbuf, size_t errbuf_len);

#endif
