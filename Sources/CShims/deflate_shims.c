/* DEFLATE tiles and strips decoded with libdeflate, bit for bit as libtiff's zlib path decodes them.
 *
 * Why: inflate + adler32 through zlib was 45 % of the NDVI job's CPU; libdeflate inflates about twice as fast.
 * libtiff 4.5's own libdeflate path cannot be used: for a stream that inflates past its block it reports success
 * with the block partly undecoded. Here the whole stream must fit the caller's block buffer (else: fall back),
 * and every other doubt is a fall back too, so the caller decodes that block through libtiff's zlib path,
 * whose results, errors and messages stay the reference.
 *
 * One known difference, on invalid streams only: libdeflate decodes a few that zlib refuses (the reserved length
 * symbols 286/287, for one), so such a block decodes here where zlib says "invalid literal/length code" — as
 * libtiff's own libdeflate path and GDAL decode it. No conforming encoder writes them; the Adler-32 is checked. */
#include "CShims.h"
#include <libdeflate.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct rs_deflate {
    struct libdeflate_decompressor *dec; /* allocated at the first block */
    uint8_t *raw;                        /* compressed bytes of one block, reused */
    size_t raw_cap;
    uint8_t *planes;                     /* one row for predictor 3's byte-plane reassembly, reused */
    size_t planes_cap;
    int tiled;
    uint16_t predictor;
    uint32_t bytes_per_sample;
    uint32_t stride;                     /* samples per pixel (contiguous) or 1 (separate), as tif_predict.c */
    uint64_t row_bytes;                  /* libtiff's predictor row: TIFFTileRowSize or TIFFScanlineSize */
    uint32_t blocks;
    uint32_t height, rows_per_strip;     /* strips: to size each strip as TIFFReadEncodedStrip does */
    uint64_t file_size;                  /* at open: a block's raw bytes must lie inside it */
};

rs_deflate *rs_deflate_new(TIFF *t) {
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    (void)t;
    return NULL; /* the predictors below assume little-endian native samples */
#else
    uint16_t compression = 0, fill = FILLORDER_MSB2LSB, photometric = 0, predictor = PREDICTOR_NONE;
    uint16_t bps = 1, spp = 1, planar = PLANARCONFIG_CONTIG, format = SAMPLEFORMAT_UINT;
    if (!t || !TIFFGetField(t, TIFFTAG_COMPRESSION, &compression)) return NULL;
    if (compression != COMPRESSION_ADOBE_DEFLATE && compression != COMPRESSION_DEFLATE) return NULL;
    if (TIFFIsByteSwapped(t)) return NULL;
    TIFFGetFieldDefaulted(t, TIFFTAG_FILLORDER, &fill);
    if (fill != FILLORDER_MSB2LSB) return NULL; /* libtiff reverses the raw bits first */
    if (TIFFGetField(t, TIFFTAG_PHOTOMETRIC, &photometric) && photometric == PHOTOMETRIC_YCBCR) return NULL;
    TIFFGetField(t, TIFFTAG_PREDICTOR, &predictor);
    TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &format);
    int whole = bps == 8 || bps == 16 || bps == 32 || bps == 64;
    int ok = predictor == PREDICTOR_NONE
        || (predictor == PREDICTOR_HORIZONTAL && whole)
        || (predictor == PREDICTOR_FLOATINGPOINT && format == SAMPLEFORMAT_IEEEFP && bps != 8 && whole);
    if (!ok || spp == 0) return NULL;

    rs_deflate *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->tiled = TIFFIsTiled(t) != 0;
    d->predictor = predictor;
    d->bytes_per_sample = bps / 8;
    d->stride = planar == PLANARCONFIG_CONTIG ? spp : 1;
    d->row_bytes = d->tiled ? TIFFTileRowSize64(t) : TIFFScanlineSize64(t);
    d->blocks = d->tiled ? TIFFNumberOfTiles(t) : TIFFNumberOfStrips(t);
    uint32_t h = 0, rps = 0;
    TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetFieldDefaulted(t, TIFFTAG_ROWSPERSTRIP, &rps);
    d->height = h;
    d->rows_per_strip = rps > h ? h : rps;
    /* libtiff refuses a predictor row that is not whole pixels (tif_predict.c "cc%(bps*stride)!=0"). */
    int bad_rows = d->row_bytes == 0 || d->blocks == 0
        || (predictor != PREDICTOR_NONE && d->row_bytes % ((uint64_t)d->bytes_per_sample * d->stride) != 0)
        || (!d->tiled && d->rows_per_strip == 0);
    struct stat st;
    if (bad_rows || fstat(TIFFFileno(t), &st) != 0 || st.st_size < 0) { free(d); return NULL; }
    d->file_size = (uint64_t)st.st_size;
    return d;
#endif
}

void rs_deflate_free(rs_deflate *d) {
    if (!d) return;
    if (d->dec) libdeflate_free_decompressor(d->dec);
    free(d->raw);
    free(d->planes);
    free(d);
}

/* Grows *buf to at least n bytes; 0 on failure (the old buffer stays valid). */
static int reserve(uint8_t **buf, size_t *cap, size_t n) {
    if (n <= *cap) return 1;
    uint8_t *p = realloc(*buf, n);
    if (!p) return 0;
    *buf = p; *cap = n;
    return 1;
}

/* tif_predict.c horAcc8/16/32/64: each sample adds the one `stride` samples before it, modulo 2^bits.
 * memcpy keeps unaligned buffers well-defined; compilers turn it into plain loads. */
#define HOR_ACC(T)                                                             \
    do {                                                                       \
        size_t n = bytes / sizeof(T);                                          \
        for (size_t i = stride; i < n; i++) {                                  \
            T a, b;                                                            \
            memcpy(&a, row + i * sizeof(T), sizeof(T));                        \
            memcpy(&b, row + (i - stride) * sizeof(T), sizeof(T));             \
            a = (T)(a + b);                                                    \
            memcpy(row + i * sizeof(T), &a, sizeof(T));                        \
        }                                                                      \
    } while (0)

/* horAcc16 for a fixed pixel width S (the interleaved UInt16 inputs: 1-8 bands): with S known, the S running sums
 * live in registers, where the generic loop loads each sample's left neighbour back from the store just made
 * (a store-to-load wait per sample; 3.7 % of an NDVI job's CPU on 6-band tiles). Whole pixels only. */
#define HOR_ACC16_FIXED(S)                                                     \
    case S: {                                                                  \
        uint16_t acc[S];                                                       \
        memcpy(acc, row, S * 2);                                               \
        for (size_t i = S; i < n; i += S) {                                    \
            for (size_t k = 0; k < S; k++) {                                   \
                uint16_t v;                                                    \
                memcpy(&v, row + (i + k) * 2, 2);                              \
                acc[k] = (uint16_t)(acc[k] + v);                               \
                memcpy(row + (i + k) * 2, &acc[k], 2);                         \
            }                                                                  \
        }                                                                      \
        return;                                                                \
    }

static void hor_acc16(uint8_t *row, size_t bytes, size_t stride) {
    size_t n = bytes / 2;
    if (stride >= 1 && stride <= 8 && n >= stride && n % stride == 0) {
        switch (stride) {
        HOR_ACC16_FIXED(1) HOR_ACC16_FIXED(2) HOR_ACC16_FIXED(3) HOR_ACC16_FIXED(4)
        HOR_ACC16_FIXED(5) HOR_ACC16_FIXED(6) HOR_ACC16_FIXED(7) HOR_ACC16_FIXED(8)
        }
    }
    HOR_ACC(uint16_t);
}

static void hor_acc(uint8_t *row, size_t bytes, uint32_t sample_bytes, size_t stride) {
    switch (sample_bytes) {
    case 1: for (size_t i = stride; i < bytes; i++) row[i] = (uint8_t)(row[i] + row[i - stride]); break;
    case 2: hor_acc16(row, bytes, stride); break;
    case 4: HOR_ACC(uint32_t); break;
    case 8: HOR_ACC(uint64_t); break;
    }
}

/* tif_predict.c fpAcc: byte-wise accumulation with the stride over the whole row, then the row holds byte
 * planes (most significant first), reassembled into little-endian samples. */
static void fp_acc(uint8_t *row, size_t bytes, uint32_t sample_bytes, size_t stride, uint8_t *tmp) {
    for (size_t i = stride; i < bytes; i++) row[i] = (uint8_t)(row[i] + row[i - stride]);
    memcpy(tmp, row, bytes);
    size_t count = bytes / sample_bytes;
    for (size_t s = 0; s < count; s++)
        for (uint32_t b = 0; b < sample_bytes; b++)
            row[s * sample_bytes + b] = tmp[(sample_bytes - b - 1) * count + s];
}

static int64_t read_block(rs_deflate *d, TIFF *t, uint32_t index, uint8_t *out, size_t out_size, size_t need) {
    if (!d || !t || !out || need == 0 || need > out_size || index >= d->blocks) return RS_DEFLATE_FALLBACK;
    /* libtiff decodes min(need, this block's size): that size must cover need. */
    uint64_t block_size;
    if (d->tiled) {
        block_size = TIFFTileSize64(t);
    } else {
        uint64_t rps = d->rows_per_strip;
        uint64_t per_plane = (d->height + rps - 1) / rps;
        uint64_t rows = d->height - (index % per_plane) * rps;
        block_size = TIFFVStripSize64(t, (uint32_t)(rows < rps ? rows : rps));
    }
    if (block_size < need) return RS_DEFLATE_FALLBACK;
    if (d->predictor != PREDICTOR_NONE && need % d->row_bytes != 0) return RS_DEFLATE_FALLBACK;

    /* The raw bytes must lie inside the file (so the raw read cannot fail and log an error) and be a
     * plausible size for the block (a hostile count falls back to libtiff's own handling). */
    uint64_t offset = TIFFGetStrileOffset(t, index), count = TIFFGetStrileByteCount(t, index);
    if (offset == 0 || count == 0 || count > (uint64_t)out_size + out_size / 8 + 65536) return RS_DEFLATE_FALLBACK;
    if (offset > d->file_size || count > d->file_size - offset) return RS_DEFLATE_FALLBACK;
    if (!reserve(&d->raw, &d->raw_cap, (size_t)count)) return RS_DEFLATE_FALLBACK;
    tmsize_t got = d->tiled ? TIFFReadRawTile(t, index, d->raw, (tmsize_t)count)
                            : TIFFReadRawStrip(t, index, d->raw, (tmsize_t)count);
    if (got != (tmsize_t)count) return RS_DEFLATE_FALLBACK;

    /* The whole stream must fit the block buffer: an over-long stream (INSUFFICIENT_SPACE), bad data, or too
     * few bytes all go back to zlib, which decodes exactly `need` bytes or reports the error. */
    if (!d->dec && !(d->dec = libdeflate_alloc_decompressor())) return RS_DEFLATE_FALLBACK;
    size_t actual = 0;
    enum libdeflate_result res = libdeflate_zlib_decompress(d->dec, d->raw, (size_t)count, out, out_size, &actual);
    if (res != LIBDEFLATE_SUCCESS || actual < need) return RS_DEFLATE_FALLBACK;

    if (d->predictor == PREDICTOR_HORIZONTAL) {
        for (size_t r = 0; r < need; r += d->row_bytes)
            hor_acc(out + r, (size_t)d->row_bytes, d->bytes_per_sample, d->stride);
    } else if (d->predictor == PREDICTOR_FLOATINGPOINT) {
        if (!reserve(&d->planes, &d->planes_cap, (size_t)d->row_bytes)) return RS_DEFLATE_FALLBACK;
        for (size_t r = 0; r < need; r += d->row_bytes)
            fp_acc(out + r, (size_t)d->row_bytes, d->bytes_per_sample, d->stride, d->planes);
    }
    return (int64_t)need;
}

int64_t rs_deflate_read_block(rs_deflate *d, TIFF *t, uint32_t index, void *out, size_t out_size, size_t need) {
    int saved = errno; /* a fall back must leave errno as the caller set it for libtiff's read */
    int64_t n = read_block(d, t, index, (uint8_t *)out, out_size, need);
    if (n == RS_DEFLATE_FALLBACK) errno = saved;
    return n;
}
