/* DEFLATE tiles encoded with libdeflate, byte for byte as libtiff 4.5 encodes them (TIFFWriteEncodedTile).
 *
 * Why: libtiff's whole-tile encode copies the tile into a fresh working buffer (tif_predict.c
 * PredictorEncodeTile), allocates a scratch row for every row of predictor 3 (fpDiff), and then calls
 * libdeflate_zlib_compress (tif_zip.c, libdeflate sub-codec). For a Float32 index tile that was a third of the
 * encode's time besides the compression itself (page faults of the fresh buffers, byte-at-a-time shuffles).
 * Here the same steps run on buffers kept by the encoder: the predictor of tif_predict.c (horDiff8/16/32/64 for
 * predictor 2, fpDiff for predictor 3) applied row by row, then libdeflate_zlib_compress at the level libtiff
 * maps ZIPQUALITY to. The caller keeps libtiff's own path for everything else (rs_deflate_encoder_new returns
 * NULL) and for a tile whose compress bound exceeds the output buffer libtiff would have (its zlib fall-back).
 *
 * Two exceptions, by design: at level 1 (ZIPQUALITY 1, TilePipe's default) with the floating-point predictor, and
 * at level 1 for single-band 8-bit tiles (class maps, quality masks), the predicted tile goes to the run-length
 * encoder of rle_deflate.c instead of libdeflate. Same predictor, same decoded samples, a different (valid,
 * deterministic) DEFLATE stream: about 3 times faster for 1 % more bytes on noisy index tiles, and 2.1-2.4 times
 * faster on class maps for -9 to +5 % bytes (a class map is runs of a few codes, where libdeflate's level 1 finds
 * little more than the runs; docs/performance.md). Float tiles are coded with codes made from samples of the
 * predicted blocks (`sampled`): their byte planes change little within a block, and counting every byte was a
 * quarter of the encoder's time. */
#include "CShims.h"
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

struct rs_deflate_encoder {
    struct libdeflate_compressor *enc;   /* NULL when `runs` is set */
    uint16_t predictor;
    uint32_t bytes_per_sample;
    uint32_t stride;        /* samples per pixel (contiguous) */
    size_t row_bytes;       /* TIFFTileRowSize: tile width x samples per pixel x bytes per sample */
    size_t tile_bytes;      /* TIFFTileSize */
    size_t raw_size;        /* TIFFWriteBufferSetup's buffer: tile size + 10 %, at least 8 KiB */
    uint8_t *work;          /* the predicted tile */
    uint32_t *runs;         /* run-length encoder's scratch (level 1 with predictor 3, or one 8-bit band), else NULL */
};

rs_deflate_encoder *rs_deflate_encoder_new(TIFF *t) {
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    (void)t;
    return NULL; /* the byte planes below assume little-endian native samples */
#else
    uint16_t compression = 0, predictor = PREDICTOR_NONE, bps = 1, spp = 1, planar = PLANARCONFIG_CONTIG;
    uint16_t format = SAMPLEFORMAT_UINT, fill = FILLORDER_MSB2LSB;
    int zipquality = -1;
    if (!t || !TIFFIsTiled(t) || TIFFIsByteSwapped(t)) return NULL;
    if (!TIFFGetField(t, TIFFTAG_COMPRESSION, &compression)) return NULL;
    if (compression != COMPRESSION_ADOBE_DEFLATE && compression != COMPRESSION_DEFLATE) return NULL;
    TIFFGetFieldDefaulted(t, TIFFTAG_FILLORDER, &fill);
    if (fill != FILLORDER_MSB2LSB) return NULL;   /* libtiff reverses the encoded bits */
    TIFFGetField(t, TIFFTAG_PREDICTOR, &predictor);
    TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &format);
    TIFFGetField(t, TIFFTAG_ZIPQUALITY, &zipquality);
    /* tif_zip.c: level 0 (Z_NO_COMPRESSION) never reaches libdeflate. */
    if (zipquality == 0 || zipquality < -1 || zipquality > 12) return NULL;
    if (bps != 8 && bps != 16 && bps != 32 && bps != 64) return NULL;
    if (planar != PLANARCONFIG_CONTIG || spp == 0) return NULL;
    int ok = predictor == PREDICTOR_NONE || predictor == PREDICTOR_HORIZONTAL
        || (predictor == PREDICTOR_FLOATINGPOINT && format == SAMPLEFORMAT_IEEEFP && bps != 8);
    if (!ok) return NULL;
    uint64_t row = TIFFTileRowSize64(t), tile = TIFFTileSize64(t);
    if (row == 0 || tile == 0 || tile % row != 0 || row % ((uint64_t)(bps / 8) * spp) != 0) return NULL;
    rs_deflate_encoder *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->predictor = predictor;
    e->bytes_per_sample = bps / 8;
    e->stride = spp;
    e->row_bytes = (size_t)row;
    e->tile_bytes = (size_t)tile;
    e->raw_size = e->tile_bytes + e->tile_bytes / 10;
    if (e->raw_size < 8 * 1024) e->raw_size = 8 * 1024;
    /* tif_zip.c: "to get results as good as zlib, we asked for an extra level of compression". */
    int level = zipquality == -1 ? 7 : (zipquality >= 6 && zipquality <= 9) ? zipquality + 1 : zipquality;
    e->work = malloc(e->tile_bytes);
    if (level == 1 && (predictor == PREDICTOR_FLOATINGPOINT || (bps == 8 && spp == 1)))
        e->runs = malloc(rs_rle_scratch_bytes());   /* the run-length encoder; no libdeflate state needed */
    else
        e->enc = libdeflate_alloc_compressor(level);
    if (!e->work || !(e->enc || e->runs)) { rs_deflate_encoder_free(e); return NULL; }
    return e;
#endif
}

void rs_deflate_encoder_free(rs_deflate_encoder *e) {
    if (!e) return;
    if (e->enc) libdeflate_free_compressor(e->enc);
    free(e->work);
    free(e->runs);
    free(e);
}

int rs_deflate_encoder_runs(const rs_deflate_encoder *e) { return e && e->runs; }

size_t rs_deflate_encoder_bound(const rs_deflate_encoder *e) {
    if (!e) return 0;
    return e->runs ? rs_rle_zlib_bound(e->tile_bytes) : libdeflate_zlib_compress_bound(e->enc, e->tile_bytes);
}

/* tif_predict.c horDiff8/16/32/64: from the end of the row back, each sample minus the one `stride` before,
 * modulo 2^bits (in place, so every difference uses the original neighbour). */
#define HOR_DIFF(T)                                                            \
    do {                                                                       \
        size_t n = bytes / sizeof(T);                                          \
        for (size_t i = n; i-- > stride;) {                                    \
            T a, b;                                                            \
            memcpy(&a, row + i * sizeof(T), sizeof(T));                        \
            memcpy(&b, row + (i - stride) * sizeof(T), sizeof(T));             \
            a = (T)(a - b);                                                    \
            memcpy(row + i * sizeof(T), &a, sizeof(T));                        \
        }                                                                      \
    } while (0)

static void hor_diff(uint8_t *row, size_t bytes, uint32_t sample_bytes, size_t stride) {
    switch (sample_bytes) {
    case 1: for (size_t i = bytes; i-- > stride;) row[i] = (uint8_t)(row[i] - row[i - stride]); break;
    case 2: HOR_DIFF(uint16_t); break;
    case 4: HOR_DIFF(uint32_t); break;
    case 8: HOR_DIFF(uint64_t); break;
    }
}

/* tif_predict.c fpDiff: the row's samples split into byte planes, most significant first (little-endian host),
 * then every byte minus the byte `stride` before it over the whole row. `src` and `dst` are distinct.
 * Float32 rows (the index COGs) split in one pass of 32-bit loads, and stride 1 differences forward with the
 * previous original byte carried: both loops vectorise, where four strided byte passes and a backward
 * read-modify-write did not (fp_diff was 4 % of the full job's CPU). Same bytes (TileEncoderTests). */
static void fp_diff(const uint8_t *src, uint8_t *dst, size_t bytes, uint32_t sample_bytes, size_t stride) {
    size_t count = bytes / sample_bytes;
    if (sample_bytes == 4) {
        uint8_t *p3 = dst, *p2 = dst + count, *p1 = dst + 2 * count, *p0 = dst + 3 * count;
        for (size_t i = 0; i < count; i++) {
            uint32_t v;
            memcpy(&v, src + 4 * i, 4);
            p0[i] = (uint8_t)v;
            p1[i] = (uint8_t)(v >> 8);
            p2[i] = (uint8_t)(v >> 16);
            p3[i] = (uint8_t)(v >> 24);
        }
    } else {
        for (uint32_t b = 0; b < sample_bytes; b++) {
            uint8_t *plane = dst + (size_t)(sample_bytes - b - 1) * count;
            const uint8_t *s = src + b;
            for (size_t i = 0; i < count; i++) plane[i] = s[i * sample_bytes];
        }
    }
    if (stride == 1 && bytes > 0) {
        uint8_t prev = dst[0];
        for (size_t i = 1; i < bytes; i++) {
            uint8_t cur = dst[i];
            dst[i] = (uint8_t)(cur - prev);
            prev = cur;
        }
    } else {
        for (size_t i = bytes; i-- > stride;) dst[i] = (uint8_t)(dst[i] - dst[i - stride]);
    }
}

int64_t rs_deflate_encode_tile(rs_deflate_encoder *e, const void *tile, size_t tile_bytes, void *out, size_t out_cap) {
    if (!e || !tile || !out || tile_bytes != e->tile_bytes) return RS_DEFLATE_FALLBACK;
    /* tif_zip.c takes libdeflate only when its bound fits libtiff's output buffer (else zlib: fall back). */
    size_t bound = rs_deflate_encoder_bound(e);
    if (bound > e->raw_size || bound > out_cap) return RS_DEFLATE_FALLBACK;
    const uint8_t *in = tile;
    const uint8_t *src = in;
    if (e->predictor == 2) {
        memcpy(e->work, in, e->tile_bytes);
        for (size_t r = 0; r < e->tile_bytes; r += e->row_bytes)
            hor_diff(e->work + r, e->row_bytes, e->bytes_per_sample, e->stride);
        src = e->work;
    } else if (e->predictor == 3) {
        for (size_t r = 0; r < e->tile_bytes; r += e->row_bytes)
            fp_diff(in + r, e->work + r, e->row_bytes, e->bytes_per_sample, e->stride);
        src = e->work;
    }
    size_t n = e->runs ? rs_rle_zlib_compress(src, e->tile_bytes, out, out_cap, e->runs, e->predictor == 3)
                         : libdeflate_zlib_compress(e->enc, src, e->tile_bytes, out, out_cap);
    return n == 0 ? RS_DEFLATE_FALLBACK : (int64_t)n;
}
