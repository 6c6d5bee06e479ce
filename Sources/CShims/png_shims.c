/* Whole libpng sessions. setjmp is called in the same C frame that calls every png_* function;
 * the error callback copies the message and longjmps back within C. */
#include "CShims.h"
#include <libdeflate.h>
#include <pthread.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rs_png_err {
    jmp_buf jump;
    char *buf;
    size_t len;
} rs_png_err;

static void rs_png_error_fn(png_structp p, png_const_charp msg) {
    rs_png_err *e = (rs_png_err *)png_get_error_ptr(p);
    if (e && e->buf && e->len) snprintf(e->buf, e->len, "%s", msg ? msg : "libpng error");
    longjmp(e->jump, 1);
}
static void rs_png_warning_fn(png_structp p, png_const_charp msg) { (void)p; (void)msg; }

static void rs_set_err(char *buf, size_t len, const char *msg) {
    if (buf && len) snprintf(buf, len, "%s", msg);
}

void rs_png_free(rs_png_image *img) {
    if (!img) return;
    free(img->pixels);
    img->pixels = NULL;
    for (uint32_t i = 0; i < img->text_count; i++) {
        if (img->text_keys) free(img->text_keys[i]);
        if (img->text_values) free(img->text_values[i]);
    }
    free(img->text_keys);
    free(img->text_values);
    img->text_keys = NULL;
    img->text_values = NULL;
    img->text_count = 0;
}

/* Walks the chunk table before libpng sees the file: every chunk must end inside the file, and a
 * non-IDAT chunk may declare at most max_ancillary bytes. libpng 1.6.39 allocates a tEXt chunk's declared
 * length before reading it, whatever png_set_chunk_malloc_max says, so a 775-byte file declaring a
 * 1.85 GB tEXt took 1.85 GB (found by FuzzPNG). Returns 0, or -1 with a message. Leaves fp at byte 8. */
static int rs_png_check_chunks(FILE *fp, uint32_t max_ancillary, char *errbuf, size_t errbuf_len) {
    if (fseek(fp, 0, SEEK_END) != 0) return 0;
    long size = ftell(fp);
    long pos = 8;
    while (size >= 0 && pos + 8 <= size) {
        unsigned char h[8];
        if (fseek(fp, pos, SEEK_SET) != 0 || fread(h, 1, 8, fp) != 8) break;
        uint32_t n = ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) | ((uint32_t)h[2] << 8) | h[3];
        char name[5] = {(char)h[4], (char)h[5], (char)h[6], (char)h[7], 0};
        for (int i = 0; i < 4; i++) if (!((name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= 'a' && name[i] <= 'z'))) name[i] = '?';
        if ((long long)pos + 12 + (long long)n > (long long)size) {
            if (errbuf && errbuf_len) snprintf(errbuf, errbuf_len, "chunk %s at byte %ld declares %u bytes, past the end of the file (truncated or corrupt)", name, pos, n);
            return -1;
        }
        if (memcmp(h + 4, "IDAT", 4) != 0 && n > max_ancillary) {
            if (errbuf && errbuf_len) snprintf(errbuf, errbuf_len, "chunk %s at byte %ld declares %u bytes, over the limit of %u", name, pos, n, max_ancillary);
            return -1;
        }
        if (memcmp(h + 4, "IEND", 4) == 0) break;
        pos += 12 + (long)n;
    }
    return fseek(fp, 8, SEEK_SET) == 0 ? 0 : -1;
}

int rs_png_read(const char *path, uint64_t max_bytes, rs_png_image *out, char *errbuf, size_t errbuf_len) {
    memset(out, 0, sizeof *out);
    FILE *volatile fp = fopen(path, "rb");
    if (!fp) { rs_set_err(errbuf, errbuf_len, "cannot open file"); return -1; }
    unsigned char sig[8];
    if (fread(sig, 1, 8, fp) != 8 || png_sig_cmp(sig, 0, 8) != 0) {
        fclose(fp);
        rs_set_err(errbuf, errbuf_len, "not a PNG file (bad signature)");
        return -1;
    }
    if (rs_png_check_chunks(fp, 1u << 20, errbuf, errbuf_len) != 0) {
        fclose(fp);
        return -1;
    }
    rs_png_err err = {.buf = errbuf, .len = errbuf_len};
    png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, &err, rs_png_error_fn, rs_png_warning_fn);
    png_infop info = p ? png_create_info_struct(p) : NULL;
    if (!p || !info) {
        if (p) png_destroy_read_struct(&p, NULL, NULL);
        fclose(fp);
        rs_set_err(errbuf, errbuf_len, "out of memory creating libpng reader");
        return -1;
    }
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(err.jump)) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&p, &info, NULL);
        fclose(fp);
        rs_png_free(out);
        return -1;
    }
    png_init_io(p, fp);
    png_set_sig_bytes(p, 8);
    /* Decode limits before anything is allocated: dimensions, chunk cache and chunk size. */
    png_set_user_limits(p, 1u << 20, 1u << 20);
    /* libpng keeps every decoded text chunk until the read ends, so 1000 chunks of 8 MiB could hold 8 GB.
       At most 128 ancillary chunks of 1 MiB each. */
    png_set_chunk_cache_max(p, 128);
    png_set_chunk_malloc_max(p, 1u << 20);
    png_read_info(p, info);

    png_uint_32 w = 0, h = 0;
    int depth = 0, ctype = 0, interlace = 0;
    png_get_IHDR(p, info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
    out->color_type = ctype;
    if (ctype == PNG_COLOR_TYPE_PALETTE) {
        png_colorp pal = NULL; int npal = 0;
        if (png_get_PLTE(p, info, &pal, &npal) && pal) {
            png_bytep trans = NULL; int ntrans = 0;
            png_get_tRNS(p, info, &trans, &ntrans, NULL);
            for (int i = 0; i < npal && i < 256; i++) {
                out->palette_rgba[4 * i] = pal[i].red;
                out->palette_rgba[4 * i + 1] = pal[i].green;
                out->palette_rgba[4 * i + 2] = pal[i].blue;
                out->palette_rgba[4 * i + 3] = (trans && i < ntrans) ? trans[i] : 255;
            }
            out->palette_count = (uint32_t)(npal > 256 ? 256 : npal);
        }
        if (depth < 8) png_set_packing(p);
    } else {
        png_color_16p tv = NULL;
        if (png_get_valid(p, info, PNG_INFO_tRNS) && png_get_tRNS(p, info, NULL, NULL, &tv) && tv) {
            out->has_trns_value = 1;
            if (ctype == PNG_COLOR_TYPE_GRAY) out->trns_value[0] = tv->gray;
            else { out->trns_value[0] = tv->red; out->trns_value[1] = tv->green; out->trns_value[2] = tv->blue; }
        }
        /* 1/2/4-bit gray: one byte per sample, values kept (0..2^depth-1), as GDAL reads them. */
        if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_packing(p);
    }
    if (depth == 16) png_set_swap(p); /* host (little-endian) order */
    if (interlace != PNG_INTERLACE_NONE) png_set_interlace_handling(p);
    png_read_update_info(p, info);

    uint32_t channels = png_get_channels(p, info);
    uint32_t bit_depth = png_get_bit_depth(p, info);
    size_t rowbytes = png_get_rowbytes(p, info);
    uint64_t total = (uint64_t)rowbytes * (uint64_t)h;
    if (h == 0 || rowbytes == 0 || (max_bytes && total > max_bytes)) {
        rs_set_err(errbuf, errbuf_len, "decoded size exceeds the configured limit");
        longjmp(err.jump, 1);
    }
    pixels = (uint8_t *)malloc((size_t)total);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * h);
    if (!pixels || !rows) { rs_set_err(errbuf, errbuf_len, "out of memory"); longjmp(err.jump, 1); }
    for (png_uint_32 y = 0; y < h; y++) rows[y] = pixels + (size_t)y * rowbytes;
    png_read_image(p, rows);
    png_read_end(p, info);

    png_textp texts = NULL; int ntext = 0;
    png_get_text(p, info, &texts, &ntext);
    if (ntext > 0 && texts) {
        out->text_keys = (char **)calloc((size_t)ntext, sizeof(char *));
        out->text_values = (char **)calloc((size_t)ntext, sizeof(char *));
        if (out->text_keys && out->text_values) {
            for (int i = 0; i < ntext; i++) {
                out->text_keys[i] = strdup(texts[i].key ? texts[i].key : "");
                out->text_values[i] = strdup(texts[i].text ? texts[i].text : "");
                out->text_count = (uint32_t)(i + 1);
            }
        }
    }
    free(rows);
    out->width = w;
    out->height = h;
    out->channels = channels;
    out->bit_depth = bit_depth;
    out->pixels = pixels;
    png_destroy_read_struct(&p, &info, NULL);
    fclose(fp);
    return 0;
}

/* The quicklook path's scratch: the filtered rows, the deflated stream and the libdeflate compressor. A 1024 x 1184
 * RGBA quicklook needs 4.8 MB of rows and up to as much for the stream; allocated per PNG, those were fresh pages
 * every time (a fault and a zeroed page each, about 1,600 per quicklook, a tenth of the full bench job's page
 * faults), where kept they are written in place. Kept in a small process-wide pool rather than per thread: a run's
 * PNGs are written by whichever Dispatch threads run its pieces (a dozen in a bench run), so a scratch per thread
 * was still fresh for half of them. Nothing in a scratch survives into the next PNG's bytes: every byte used is
 * written first. */
typedef struct rs_png_scratch {
    uint8_t *rows, *z;
    size_t rows_cap, z_cap;
    struct libdeflate_compressor *zc;
    int level;
} rs_png_scratch;

/* Free scratches kept at most (one per PNG written at once on a small machine; more are freed after use). */
#define RS_PNG_POOL 4
static pthread_mutex_t rs_png_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static rs_png_scratch *rs_png_pool[RS_PNG_POOL];
static int rs_png_pool_count;

static void rs_png_scratch_free(rs_png_scratch *s) {
    if (!s) return;
    free(s->rows);
    free(s->z);
    if (s->zc) libdeflate_free_compressor(s->zc);
    free(s);
}

/* Returns a scratch taken with rs_png_scratch_take to the pool, or frees it when the pool is full. */
static void rs_png_scratch_give(rs_png_scratch *s) {
    if (!s) return;
    pthread_mutex_lock(&rs_png_pool_lock);
    if (rs_png_pool_count < RS_PNG_POOL) { rs_png_pool[rs_png_pool_count++] = s; s = NULL; }
    pthread_mutex_unlock(&rs_png_pool_lock);
    rs_png_scratch_free(s);
}

/* A scratch from the pool (or new) with at least `rows` and `z` bytes and a compressor at `level`, or NULL (out of
 * memory). The caller gives it back with rs_png_scratch_give. */
static rs_png_scratch *rs_png_scratch_take(size_t rows, size_t z, int level) {
    pthread_mutex_lock(&rs_png_pool_lock);
    rs_png_scratch *s = rs_png_pool_count > 0 ? rs_png_pool[--rs_png_pool_count] : NULL;
    pthread_mutex_unlock(&rs_png_pool_lock);
    if (!s && !(s = calloc(1, sizeof *s))) return NULL;
    if (s->rows_cap < rows) {
        free(s->rows);
        s->rows = malloc(rows);
        s->rows_cap = s->rows ? rows : 0;
    }
    if (s->z_cap < z) {
        free(s->z);
        s->z = malloc(z);
        s->z_cap = s->z ? z : 0;
    }
    if (!s->zc || s->level != level) {
        if (s->zc) libdeflate_free_compressor(s->zc);
        s->zc = libdeflate_alloc_compressor(level);
        s->level = level;
    }
    if (s->rows && s->z && s->zc) return s;
    rs_png_scratch_free(s);
    return NULL;
}

/* libpng's write callback onto a caller's sink; a failing sink aborts the write through png_error. */
typedef struct rs_png_sink { rs_png_sink_fn fn; void *ctx; } rs_png_sink;

static void rs_png_sink_write(png_structp p, png_bytep bytes, png_size_t n) {
    rs_png_sink *s = (rs_png_sink *)png_get_io_ptr(p);
    if (s->fn(s->ctx, bytes, n) != 0) png_error(p, "write failed (disk full?)");
}
static void rs_png_sink_flush(png_structp p) { (void)p; }

int rs_png_write_to(rs_png_sink_fn sink, void *ctx, const uint8_t *pixels, uint32_t width, uint32_t height,
                    uint32_t channels, uint32_t bit_depth, const uint8_t *palette_rgba, uint32_t palette_count,
                    const char *const *text_keys, const char *const *text_values, uint32_t text_count,
                    int zlib_level, int filter, char *errbuf, size_t errbuf_len) {
    if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16) || width == 0 || height == 0) {
        rs_set_err(errbuf, errbuf_len, "unsupported PNG shape (channels 1-4, 8 or 16 bit, non-empty)");
        return -1;
    }
    int palette = palette_rgba && palette_count > 0;
    if (palette && (channels != 1 || bit_depth != 8 || palette_count > 256)) {
        rs_set_err(errbuf, errbuf_len, "a palette PNG needs 1 channel, 8 bits and at most 256 entries");
        return -1;
    }
    rs_png_sink out = {.fn = sink, .ctx = ctx};
    rs_png_err err = {.buf = errbuf, .len = errbuf_len};
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, rs_png_error_fn, rs_png_warning_fn);
    png_infop info = p ? png_create_info_struct(p) : NULL;
    png_textp volatile texts = NULL;
    rs_png_scratch *volatile scratch = NULL;
    if (!p || !info) {
        if (p) png_destroy_write_struct(&p, NULL);
        rs_set_err(errbuf, errbuf_len, "out of memory creating libpng writer");
        return -1;
    }
    if (setjmp(err.jump)) {
        free(texts);
        rs_png_scratch_give(scratch);
        png_destroy_write_struct(&p, &info);
        return -1;
    }
    png_set_write_fn(p, &out, rs_png_sink_write, rs_png_sink_flush);
    png_set_compression_level(p, zlib_level < 0 ? 1 : (zlib_level > 9 ? 9 : zlib_level));
    if (filter >= 0) png_set_filter(p, PNG_FILTER_TYPE_BASE, filter);
    int ctype = palette ? PNG_COLOR_TYPE_PALETTE
                : channels == 1 ? PNG_COLOR_TYPE_GRAY
                : channels == 2 ? PNG_COLOR_TYPE_GRAY_ALPHA
                : channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA;
    png_set_IHDR(p, info, width, height, (int)bit_depth, ctype, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (palette) {
        png_color pal[256];
        png_byte trans[256];
        int ntrans = 0;
        for (uint32_t i = 0; i < palette_count; i++) {
            pal[i].red = palette_rgba[4 * i];
            pal[i].green = palette_rgba[4 * i + 1];
            pal[i].blue = palette_rgba[4 * i + 2];
            trans[i] = palette_rgba[4 * i + 3];
            if (trans[i] != 255) ntrans = (int)i + 1;
        }
        png_set_PLTE(p, info, pal, (int)palette_count);
        if (ntrans > 0) png_set_tRNS(p, info, trans, ntrans, NULL);
    }
    if (text_count > 0) {
        texts = (png_textp)calloc(text_count, sizeof(png_text));
        if (!texts) { rs_set_err(errbuf, errbuf_len, "out of memory"); longjmp(err.jump, 1); }
        for (uint32_t i = 0; i < text_count; i++) {
            texts[i].compression = PNG_TEXT_COMPRESSION_NONE;
            texts[i].key = (png_charp)text_keys[i];
            texts[i].text = (png_charp)text_values[i];
        }
        png_set_text(p, info, texts, (int)text_count);
    }
    png_write_info(p, info);
    size_t stride = (size_t)width * channels * (bit_depth / 8);
    int level = zlib_level < 0 ? 1 : zlib_level;
    if (filter == PNG_FILTER_NONE && bit_depth == 8 && level >= 1 && level <= 9) {
        /* Unfiltered 8-bit rows (the quicklooks): the image data is the rows, each behind filter byte 0, as one zlib
         * stream deflated by libdeflate at the same level (2-3x zlib's speed; the same decoded pixels), written as
         * IDAT chunks of at most 1 MiB and then IEND with png_write_chunk. libpng writes every chunk before it
         * (signature, IHDR, PLTE, tRNS, tEXt) and the CRCs. */
        size_t raw = (stride + 1) * height;
        /* libdeflate's bound with no compressor holds for any compressor. */
        scratch = rs_png_scratch_take(raw, libdeflate_zlib_compress_bound(NULL, raw), level);
        if (!scratch) png_error(p, "out of memory");
        uint8_t *rows = scratch->rows, *zdata = scratch->z;
        for (uint32_t y = 0; y < height; y++) {
            rows[(size_t)y * (stride + 1)] = 0;
            memcpy(rows + (size_t)y * (stride + 1) + 1, pixels + (size_t)y * stride, stride);
        }
        size_t n = libdeflate_zlib_compress(scratch->zc, rows, raw, zdata, scratch->z_cap);
        if (n == 0) png_error(p, "cannot deflate the image data");
        for (size_t off = 0; off < n; off += (size_t)1 << 20) {
            size_t len = n - off < ((size_t)1 << 20) ? n - off : ((size_t)1 << 20);
            png_write_chunk(p, (png_const_bytep)"IDAT", zdata + off, len);
        }
        png_write_chunk(p, (png_const_bytep)"IEND", NULL, 0);
    } else {
        if (bit_depth == 16) png_set_swap(p);
        for (uint32_t y = 0; y < height; y++) png_write_row(p, (png_const_bytep)(pixels + (size_t)y * stride));
        png_write_end(p, info);
    }
    free(texts);
    rs_png_scratch_give(scratch);
    png_destroy_write_struct(&p, &info);
    return 0;
}

/* In-memory PNG encoding for servers (tiles): libpng writes through png_set_write_fn into a growing
 * malloc'd buffer; on error the buffer is freed and -1 returned with a message. */
typedef struct rs_png_membuf { uint8_t *data; size_t len, cap; int failed; } rs_png_membuf;

static void rs_png_mem_write(png_structp p, png_bytep bytes, png_size_t n) {
    rs_png_membuf *m = (rs_png_membuf *)png_get_io_ptr(p);
    if (m->failed) return;
    if (m->len + n > m->cap) {
        size_t cap = m->cap ? m->cap : 8192;
        while (cap < m->len + n) cap *= 2;
        uint8_t *grown = (uint8_t *)realloc(m->data, cap);
        if (!grown) { m->failed = 1; png_error(p, "out of memory encoding PNG"); }
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->len, bytes, n);
    m->len += n;
}
static void rs_png_mem_flush(png_structp p) { (void)p; }

int rs_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels, int zlib_level,
                  uint8_t **out, size_t *out_len, char *errbuf, size_t errbuf_len) {
    *out = NULL;
    *out_len = 0;
    if (channels < 1 || channels > 4 || width == 0 || height == 0) {
        rs_set_err(errbuf, errbuf_len, "unsupported PNG shape (channels 1-4, non-empty)");
        return -1;
    }
    rs_png_membuf *volatile m = (rs_png_membuf *)calloc(1, sizeof(rs_png_membuf));
    if (!m) { rs_set_err(errbuf, errbuf_len, "out of memory"); return -1; }
    rs_png_err err = {.buf = errbuf, .len = errbuf_len};
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, rs_png_error_fn, rs_png_warning_fn);
    png_infop info = p ? png_create_info_struct(p) : NULL;
    if (!p || !info) {
        if (p) png_destroy_write_struct(&p, NULL);
        free(m);
        rs_set_err(errbuf, errbuf_len, "out of memory creating libpng writer");
        return -1;
    }
    if (setjmp(err.jump)) {
        png_destroy_write_struct(&p, &info);
        free(m->data);
        free(m);
        return -1;
    }
    png_set_write_fn(p, m, rs_png_mem_write, rs_png_mem_flush);
    png_set_compression_level(p, zlib_level < 0 ? 1 : (zlib_level > 9 ? 9 : zlib_level));
    int ctype = channels == 1 ? PNG_COLOR_TYPE_GRAY : channels == 2 ? PNG_COLOR_TYPE_GRAY_ALPHA
                : channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA;
    png_set_IHDR(p, info, width, height, 8, ctype, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(p, info);
    size_t stride = (size_t)width * channels;
    for (uint32_t y = 0; y < height; y++) png_write_row(p, (png_const_bytep)(pixels + (size_t)y * stride));
    png_write_end(p, info);
    png_destroy_write_struct(&p, &info);
    *out = m->data;
    *out_len = m->len;
    free(m);
    return 0;
}
