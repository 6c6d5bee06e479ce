/* C reference kernels, copied from ../shared/bench/c/ndvi_ref.c (TilePipe bench kit, see
 * ../shared/docs/performance.md): NDVI planar over uint16 and the 5-index + class bundle.
 * Semantics kept verbatim: nodata 0 in either input -> -9999. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/** out[i] = (red[i]==0 | nir[i]==0) ? -9999 : (nir-red)/(nir+red), in float. */
void ref_ndvi_planar(const uint16_t *red, const uint16_t *nir, float *out, size_t n);

/** NDVI, NDWI, MNDWI, NBR, NDBI + threshold class from 6 planar uint16 bands (B,G,R,NIR,SWIR1,SWIR2). */
void ref_bundle5(const uint16_t *B, const uint16_t *G, const uint16_t *R, const uint16_t *N,
                 const uint16_t *S1, const uint16_t *S2, float *o0, float *o1, float *o2, float *o3,
                 float *o4, uint8_t *cls, size_t n);
