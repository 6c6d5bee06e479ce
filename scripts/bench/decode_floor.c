/* Decode-only floor for scripts/bench-peers.sh: decodes every block of every band of each TIFF given on the
 * command line into a full-image buffer (libtiff TIFFReadEncodedTile/Strip, the same calls RasterIO's
 * GeoTIFFReader makes), with THREADS worker threads taking whole files from a shared counter, one TIFF handle
 * per file. No compute, no output. This is the least work any pipeline that reads these tiles must do.
 *
 * build: cc -O2 decode_floor.c -ltiff -lpthread -o decode_floor
 * usage: decode_floor THREADS FILE...
 * prints: files, pixels, decoded bytes and a checksum of the decoded bytes (so the work cannot be skipped). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

static char **files;
static int nfiles;
static atomic_int next_file;
static atomic_ullong total_px, total_bytes, checksum;

static void decode_one(const char *path) {
    TIFF *t = TIFFOpen(path, "r");
    if (!t) { fprintf(stderr, "decode_floor: cannot open %s\n", path); exit(1); }
    uint32_t w = 0, h = 0; uint16_t spp = 1, bps = 8, planar = 1;
    TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w); TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp); TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &planar);
    int tiled = TIFFIsTiled(t);
    tmsize_t bsize = tiled ? TIFFTileSize(t) : TIFFStripSize(t);
    uint32_t blocks = tiled ? TIFFNumberOfTiles(t) : TIFFNumberOfStrips(t);
    size_t img = (size_t)w * h * spp * (bps / 8);
    uint8_t *buf = malloc(img), *blk = malloc((size_t)bsize);
    if (!buf || !blk) { fprintf(stderr, "decode_floor: out of memory\n"); exit(1); }
    size_t off = 0; unsigned long long sum = 0, bytes = 0;
    for (uint32_t i = 0; i < blocks; i++) {
        tmsize_t n = tiled ? TIFFReadEncodedTile(t, i, blk, bsize) : TIFFReadEncodedStrip(t, i, blk, bsize);
        if (n < 0) { fprintf(stderr, "decode_floor: %s: block %u does not decode\n", path, i); exit(2); }
        /* Copy into the image buffer as a reader must (placement simplified: sequential, wraps). */
        if (off + (size_t)n > img) off = 0;
        memcpy(buf + off, blk, (size_t)n); off += (size_t)n; bytes += (unsigned long long)n;
        sum += blk[n / 2];
    }
    atomic_fetch_add(&total_px, (unsigned long long)w * h);
    atomic_fetch_add(&total_bytes, bytes);
    atomic_fetch_add(&checksum, sum);
    free(blk); free(buf); TIFFClose(t);
}

static void *worker(void *arg) {
    (void)arg;
    for (;;) {
        int i = atomic_fetch_add(&next_file, 1);
        if (i >= nfiles) return NULL;
        decode_one(files[i]);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: decode_floor THREADS FILE...\n"); return 64; }
    int threads = atoi(argv[1]); if (threads < 1) threads = 1; if (threads > 64) threads = 64;
    files = argv + 2; nfiles = argc - 2;
    TIFFSetWarningHandler(NULL); /* GeoTIFF tags are unknown to plain libtiff: not news */
    pthread_t tid[64];
    for (int i = 0; i < threads; i++) pthread_create(&tid[i], NULL, worker, NULL);
    for (int i = 0; i < threads; i++) pthread_join(tid[i], NULL);
    printf("decoded %d files, %llu px, %llu bytes, checksum %llu\n", nfiles,
           (unsigned long long)total_px, (unsigned long long)total_bytes, (unsigned long long)checksum);
    return 0;
}
