#!/usr/bin/env python3
"""Compares the raster outputs of two `tilepipe run` folders (scripts/bench-scene.sh --reference).

For every GeoTIFF under A/tiles (index COGs, class maps, quality masks): the same file exists under B, every
band of the full-resolution image and of every overview is equal bit for bit (Float32 compared as its bit
pattern, so NaN == NaN), and the STATISTICS_* items agree within 1e-9 relative (they are merged per window).
Prints one line per file and exits 1 on any difference.

Usage: compare_runs.py A B
"""
import os
import sys
import numpy as np
from osgeo import gdal

gdal.UseExceptions()


def same_bits(a, b):
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        return np.array_equal(a.view(np.uint32 if a.dtype.itemsize == 4 else np.uint64),
                              b.view(np.uint32 if b.dtype.itemsize == 4 else np.uint64))
    return np.array_equal(a, b)


def compare(pa, pb):
    da, db = gdal.Open(pa), gdal.Open(pb)
    problems = []
    if (da.RasterXSize, da.RasterYSize, da.RasterCount) != (db.RasterXSize, db.RasterYSize, db.RasterCount):
        return ["size or band count differs"]
    for i in range(1, da.RasterCount + 1):
        ba, bb = da.GetRasterBand(i), db.GetRasterBand(i)
        levels = [(ba, bb)] + [(ba.GetOverview(k), bb.GetOverview(k)) for k in range(ba.GetOverviewCount())]
        if ba.GetOverviewCount() != bb.GetOverviewCount():
            problems.append(f"band {i}: {ba.GetOverviewCount()} vs {bb.GetOverviewCount()} overviews")
            continue
        for level, (xa, xb) in enumerate(levels):
            # Row blocks keep memory small on a 16384² file.
            step = 1024
            for y in range(0, xa.YSize, step):
                h = min(step, xa.YSize - y)
                if not same_bits(xa.ReadAsArray(0, y, xa.XSize, h), xb.ReadAsArray(0, y, xb.XSize, h)):
                    problems.append(f"band {i} level {level}: samples differ (rows {y}..{y + h})")
                    break
        ma, mb = ba.GetMetadata(), bb.GetMetadata()
        for k in sorted(set(ma) | set(mb)):
            va, vb = ma.get(k), mb.get(k)
            if va == vb:
                continue
            try:
                fa, fb = float(va), float(vb)
                if abs(fa - fb) <= 1e-9 * max(1.0, abs(fa)):
                    continue
            except (TypeError, ValueError):
                pass
            problems.append(f"band {i} {k}: {va} vs {vb}")
    return problems


def main():
    a, b = sys.argv[1], sys.argv[2]
    bad = 0
    n = 0
    for dirpath, _, files in os.walk(os.path.join(a, "tiles")):
        for f in sorted(files):
            if not f.endswith(".tif"):
                continue
            pa = os.path.join(dirpath, f)
            rel = os.path.relpath(pa, a)
            pb = os.path.join(b, rel)
            n += 1
            if not os.path.exists(pb):
                print(f"{rel}: missing in {b}")
                bad += 1
                continue
            problems = compare(pa, pb)
            print(f"{rel}: {'equal bit for bit (statistics within 1e-9)' if not problems else '; '.join(problems)}")
            bad += bool(problems)
    if n == 0:
        print(f"no GeoTIFF under {a}/tiles")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
