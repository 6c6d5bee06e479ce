#!/usr/bin/env python3
"""One large synthetic scene for the whole-scene benchmark (scripts/bench-scene.sh), deterministic.

A SIZE x SIZE 6-band UInt16 GeoTIFF (blue, green, red, nir, swir1, swir2; reflectance x 10000) in EPSG:32650,
10 m pixels, DEFLATE + predictor 2, pixel-interleaved, 512x512 internal tiles, nodata 0 in a corner wedge:
the spectra of the shared kit's gen_tiles.py (water / forest / cropland / bare / urban / cloud on smooth
fields, smooth illumination, 6 % noise), generated and written in strips of 512 rows so memory stays small
whatever SIZE is, with GDAL compressing on every core.

Usage: gen_scene.py OUT.tif SIZE [--seed 42]
"""
import argparse
import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()
MEANS = np.array([
    [600, 700, 450, 250, 120, 80],        # water
    [300, 600, 350, 3800, 1700, 750],     # forest / tea
    [450, 800, 700, 2900, 2100, 1200],    # cropland
    [1200, 1500, 1900, 2400, 3100, 2600], # bare
    [1100, 1250, 1400, 1800, 2300, 2100], # urban
    [7800, 7900, 8100, 8300, 6000, 4500], # cloud
], dtype=np.float32)
# Class thresholds on the smooth field (roughly the kit's class fractions).
EDGES = np.array([0.30, 0.55, 0.64, 0.69, 0.76], dtype=np.float32)


class Field:
    """A smooth field in [0, 1) over the whole scene: bilinear interpolation of a coarse random grid."""
    def __init__(self, rng, size, scale):
        self.scale = scale
        self.grid = rng.random((size // scale + 2, size // scale + 2), dtype=np.float32)

    def rows(self, r0, r1, size):
        ys = np.arange(r0, r1, dtype=np.float32) / self.scale
        xs = np.arange(size, dtype=np.float32) / self.scale
        y0 = ys.astype(np.int32); x0 = xs.astype(np.int32)
        fy = (ys - y0)[:, None]; fx = (xs - x0)[None, :]
        g = self.grid
        a = g[y0][:, x0]; b = g[y0][:, x0 + 1]; c = g[y0 + 1][:, x0]; d = g[y0 + 1][:, x0 + 1]
        return a * (1 - fy) * (1 - fx) + b * (1 - fy) * fx + c * fy * (1 - fx) + d * fy * fx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out"); ap.add_argument("size", type=int); ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    n = a.size
    rng = np.random.default_rng(a.seed)
    coarse, fine, light = Field(rng, n, 128), Field(rng, n, 24), Field(rng, n, 64)
    drv = gdal.GetDriverByName("GTiff")
    ds = drv.Create(a.out, n, n, 6, gdal.GDT_UInt16,
                    ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=DEFLATE", "PREDICTOR=2",
                     "INTERLEAVE=PIXEL", "NUM_THREADS=ALL_CPUS", "BIGTIFF=IF_SAFER"])
    ds.SetGeoTransform([600000.0, 10.0, 0.0, 2800000.0, 0.0, -10.0])
    srs = osr.SpatialReference(); srs.ImportFromEPSG(32650)
    ds.SetProjection(srs.ExportToWkt())
    names = ["blue", "green", "red", "nir", "swir16", "swir22"]
    for b in range(6):
        ds.GetRasterBand(b + 1).SetNoDataValue(0)
        ds.GetRasterBand(b + 1).SetDescription(names[b])
    strip = 512
    for r0 in range(0, n, strip):
        r1 = min(n, r0 + strip)
        f = 0.6 * coarse.rows(r0, r1, n) + 0.4 * fine.rows(r0, r1, n)
        cls = np.searchsorted(EDGES, f, side="right")
        bright = 0.85 + 0.3 * light.rows(r0, r1, n)
        srng = np.random.default_rng([a.seed, r0])
        yy, xx = np.mgrid[r0:r1, 0:n]
        wedge = (xx + yy) < n // 40     # nodata corner wedge (about 0.03 % of the scene)
        for b in range(6):
            base = MEANS[cls, b] * bright
            v = base + srng.standard_normal(base.shape, dtype=np.float32) * (0.06 * base + 30)
            v = np.clip(v, 1, 10000).astype(np.uint16)
            v[wedge] = 0
            ds.GetRasterBand(b + 1).WriteArray(v, 0, r0)
    ds.FlushCache()
    ds = None


if __name__ == "__main__":
    main()
