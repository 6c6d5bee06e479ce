#!/usr/bin/env bash
# Measures that memory is bounded by max_in_flight, not by the folder size (issue 5 acceptance):
# peak RSS of `tilepipe run` over 64 tiles must be ≤ 1.25 × peak RSS over 8 tiles; a 16-tile run should keep
# both cores busy (CPU ≥ 170 %). Uses /usr/bin/time -v. Tiles (SIZE × SIZE, UInt16) are made by
# `tilepipe simulate` (scene folders with scene.json) when that subcommand exists, else as 6-band GeoTIFFs by GDAL's
# Python bindings (python3-gdal). Tiles are cached in WORKDIR between runs.
#
# Usage: scripts/memory-bound.sh [WORKDIR]   (env: TILEPIPE=path/to/tilepipe, SIZE=1024, JOBS=2, IN_FLIGHT=4)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-$(mktemp -d /tmp/tilepipe-membound.XXXXXX)}
SIZE=${SIZE:-1024}
JOBS=${JOBS:-2}
IN_FLIGHT=${IN_FLIGHT:-4}
TILEPIPE=${TILEPIPE:-$( [ -x .build/release/tilepipe ] && echo .build/release/tilepipe || echo .build/debug/tilepipe )}
[ -x "$TILEPIPE" ] || { echo "build tilepipe first (swift build -c release)"; exit 2; }
TILEPIPE=$(realpath "$TILEPIPE")
mkdir -p "$WORK"
echo "work folder: $WORK; tool: $TILEPIPE; tiles ${SIZE}x${SIZE} UInt16; jobs $JOBS; max in flight $IN_FLIGHT"

SIMULATOR=no
"$TILEPIPE" simulate --help >/dev/null 2>&1 && SIMULATOR=yes
BANDS=""
[ "$SIMULATOR" = yes ] || BANDS="    bands: {blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}"

make_tiles() {  # make_tiles DIR COUNT
    local dir=$1 n=$2
    [ -d "$dir" ] && return
    if [ "$SIMULATOR" = yes ]; then   # scene folders with scene.json (GroundStation's simulator)
        local grid; case $n in 8) grid=2x4 ;; 16) grid=4x4 ;; 64) grid=8x8 ;; *) grid=1x$n ;; esac
        "$TILEPIPE" simulate --output "$dir" --grid "$grid" --size "$SIZE" --seed 7 >/dev/null
        return
    fi
    mkdir -p "$dir"
    /usr/bin/python3 - "$dir" "$n" "$SIZE" <<'PY'
import sys, numpy as np
from osgeo import gdal, osr
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
srs = osr.SpatialReference(); srs.ImportFromEPSG(32650)
yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
for i in range(n):
    rng = np.random.default_rng(i)
    ds = gdal.GetDriverByName("GTiff").Create(f"{d}/T50_r{i // 8}c{i % 8}_20250101.tif", size, size, 6, gdal.GDT_UInt16,
                                              ["TILED=YES", "COMPRESS=DEFLATE"])
    ds.SetGeoTransform([500000 + (i % 8) * size * 10, 10, 0, 2800000 - (i // 8) * size * 10, 0, -10])
    ds.SetProjection(srs.ExportToWkt())
    for b in range(6):
        base = 1000 + 800 * b + 500 * np.sin((xx + 37 * i) / 50.0) * np.cos(yy / 70.0)
        ds.GetRasterBand(b + 1).WriteArray((base + rng.normal(0, 50, (size, size))).clip(0, 65535).astype(np.uint16))
    ds = None
PY
}

measure() {  # measure COUNT -> prints "peak_kib cpu_percent wall"
    local n=$1
    make_tiles "$WORK/tiles$n" "$n"
    cat > "$WORK/p$n.yaml" <<YAML
version: 1
inputs:
  - path: $WORK/tiles$n
$BANDS
indices: [ndvi, ndwi, nbr]
outputs:
  directory: $WORK/out$n
YAML
    /usr/bin/time -v "$TILEPIPE" run "$WORK/p$n.yaml" --fresh --jobs "$JOBS" --max-in-flight "$IN_FLIGHT" --progress never \
        2> "$WORK/time$n.txt" >/dev/null || true
    local rss cpu wall
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time$n.txt")
    cpu=$(awk -F': ' '/Percent of CPU/ {print $2}' "$WORK/time$n.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time$n.txt")
    echo "$rss $cpu $wall"
}

read -r r8 c8 w8 < <(measure 8)
read -r r16 c16 w16 < <(measure 16)
read -r r64 c64 w64 < <(measure 64)
echo "tiles  peak_RSS_MiB  CPU   wall"
printf "%5d  %12.1f  %4s  %s\n" 8 "$(echo "$r8/1024" | bc -l)" "$c8" "$w8"
printf "%5d  %12.1f  %4s  %s\n" 16 "$(echo "$r16/1024" | bc -l)" "$c16" "$w16"
printf "%5d  %12.1f  %4s  %s\n" 64 "$(echo "$r64/1024" | bc -l)" "$c64" "$w64"
ratio=$(echo "$r64/$r8" | bc -l)
printf "ratio peak RSS 64/8 = %.3f (limit 1.25)\n" "$ratio"
ok=$(echo "$ratio <= 1.25" | bc -l)
[ "$ok" = 1 ] && echo "memory bound: OK" || { echo "memory bound: FAILED"; exit 1; }
