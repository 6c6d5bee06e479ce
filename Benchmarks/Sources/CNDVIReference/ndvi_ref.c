/* C reference kernels, copied unchanged in their loops from ../shared/bench/c/ndvi_ref.c (TilePipe bench
 * kit, credited there as the project's C baseline; built with clang -O3 -march=native, as in
 * ../shared/docs/performance.md). Only the globals were turned into parameters. */
#include "CNDVIReference.h"

#define NODATA (-9999.0f)

void ref_ndvi_planar(const uint16_t *restrict red, const uint16_t *restrict nir, float *restrict out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float r = red[i], v = nir[i];
        float q = (v - r) / (v + r);
        out[i] = ((red[i] == 0) | (nir[i] == 0)) ? NODATA : q;
    }
}

static inline float nd(float a, float b) { return (a - b) / (a + b); }

void ref_bundle5(const uint16_t *restrict B, const uint16_t *restrict G, const uint16_t *restrict R,
                 const uint16_t *restrict N, const uint16_t *restrict S1, const uint16_t *restrict S2,
                 float *restrict o0, float *restrict o1, float *restrict o2, float *restrict o3,
                 float *restrict o4, uint8_t *restrict C, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float g = G[i], r = R[i], v = N[i], s1 = S1[i], s2 = S2[i];
        int nod = (B[i] == 0) | (G[i] == 0) | (R[i] == 0) | (N[i] == 0) | (S1[i] == 0) | (S2[i] == 0);
        float ndvi = nd(v, r), ndwi = nd(g, v), mndwi = nd(g, s1), nbr = nd(v, s2), ndbi = nd(s1, v);
        uint8_t c = 0;
        c = (ndvi > 0.5f) ? 2 : c;
        c = ((ndvi > 0.2f) & (ndvi <= 0.5f)) ? 3 : c;
        c = ((ndbi > 0.0f) & (ndvi <= 0.2f)) ? 4 : c;
        c = ((mndwi > 0.0f) | (ndwi > 0.0f)) ? 1 : c;
        C[i] = nod ? 255 : c;
        o0[i] = nod ? NODATA : ndvi; o1[i] = nod ? NODATA : ndwi; o2[i] = nod ? NODATA : mndwi;
        o3[i] = nod ? NODATA : nbr;  o4[i] = nod ? NODATA : ndbi;
    }
}
