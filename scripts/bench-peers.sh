#!/usr/bin/env bash
# Side-by-side benchmark of `tilepipe run` against its peers on the same tiles, in ONE hyperfine run (issue 9).
#
# usage: scripts/bench-peers.sh [--runs N] [--warmup N] [--tiles N] [--variant NAME] [--no-build] [--no-check]
#                               [--no-rss] [--one-core]
#   --variant   workload folder of gen_tiles.py (default 1024_pixel_deflate: 1024² 6-band UInt16 DEFLATE+pred2,
#               pixel-interleaved, 256² internal tiles)
#   --one-core  also time the NDVI job pinned to one core (taskset -c 0, --jobs 1)
# Environment: BENCH_WORK (default <repo>/bench-work, git-ignored), BENCH_KIT (default /work/shared/bench).
#
# Timed commands (labels):
#   decode-floor        scripts/bench/decode_floor.c: libtiff decode of every band of every tile, 2 threads
#                       (one TIFF handle per file), no compute, no output — the floor
#   tilepipe-ndvi       `tilepipe run` NDVI only (classification.scheme: none, no quicklooks), Float32 DEFLATE plain
#                       tiled GeoTIFF (overviews: false), like the peers
#   tilepipe-ndvi-cog   the same as Cloud-Optimized GeoTIFF (overviews, statistics, provenance)
#   tilepipe-full       `tilepipe run` with the default job: every index the bands allow, default classification,
#                       quicklooks, STAC and reports (whatever the default job does at the time)
#   rasterio[deflate]   ../shared/bench/peers/ndvi_rasterio.py, float32 DEFLATE out (1 thread)
#   gdal_calc[deflate]  ../shared/bench/peers/ndvi_gdal_calc.sh, float32 DEFLATE out (1 thread, process per tile)
# Prints a table (median/min/max, Mpx/s, CPU), ratios against the targets, /proc/loadavg before and after, the
# NDVI check against rasterio (valid pixels within 1e-6) and the peak RSS of the full job at N and 2N tiles.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-$REPO/bench-work}
KIT_SRC=${BENCH_KIT:-/work/shared/bench}
RUNS=5 WARMUP=1 TILES=8 VARIANT=1024_pixel_deflate BUILD=1 CHECK=1 RSS=1 ONECORE=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --tiles) TILES=$2; shift 2 ;;
    --variant) VARIANT=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-check) CHECK=0; shift ;;
    --no-rss) RSS=0; shift ;;
    --one-core) ONECORE=1; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "bench-peers: unknown option $1" >&2; exit 64 ;;
  esac
done
command -v hyperfine >/dev/null || { echo "bench-peers: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }
mkdir -p "$WORK"
cd "$WORK"

# 1. The kit (copied: it writes next to itself) and the workload.
[[ -d kit ]] || cp -r "$KIT_SRC" kit
DATA_ROOT=$WORK/data
if [[ ! -d $DATA_ROOT/$VARIANT ]] || [[ $(ls "$DATA_ROOT/$VARIANT"/*.tif 2>/dev/null | wc -l) -lt $TILES ]]; then
  echo "== generating $TILES tiles of 1024² (gen_tiles.py, seed 42) into $DATA_ROOT"
  /usr/bin/python3 kit/gen_tiles.py --out "$DATA_ROOT" --n1024 "$TILES" --n2048 0 --seed 42
fi
DATA=$WORK/tiles-$VARIANT-$TILES
rm -rf "$DATA"; mkdir -p "$DATA"
ls "$DATA_ROOT/$VARIANT"/*.tif | sort | head -n "$TILES" | while read -r f; do ln -s "$f" "$DATA/"; done
PIXELS=$(/usr/bin/python3 -c "
from osgeo import gdal; import glob
print(sum(gdal.Open(f).RasterXSize * gdal.Open(f).RasterYSize for f in glob.glob('$DATA/*.tif')))")

# 2. Peers' Python: rasterio from PyPI (the kit's peer, a wheel with its own GDAL 3.10) in a venv, also where the
#    system has Debian's python3-rasterio (1.3, GDAL 3.6; `make test` installs it), so the peer stays the same.
[[ -x venv/bin/python ]] || python3 -m venv --system-site-packages venv
venv/bin/python -c 'import rasterio, sys; sys.exit(tuple(map(int, rasterio.__version__.split(".")[:2])) < (1, 4))' 2>/dev/null \
  || venv/bin/pip install -q 'rasterio>=1.4'
PY=$WORK/venv/bin/python
command -v gdal_calc.py >/dev/null || { echo "bench-peers: gdal_calc.py missing (apt-get install gdal-bin python3-gdal)" >&2; exit 2; }

# 3. tilepipe (release) and the decode floor.
if [[ $BUILD == 1 ]]; then (cd "$REPO" && swift build -c release --product tilepipe --static-swift-stdlib >&2); fi
TP=$(cd "$REPO" && swift build -c release --show-bin-path)/tilepipe
[[ -x $TP ]] || { echo "bench-peers: $TP missing (run without --no-build)" >&2; exit 2; }
mkdir -p build
CC=${CC:-cc}
"$CC" -O2 "$REPO/scripts/bench/decode_floor.c" -ltiff -lpthread -o build/decode_floor

# 4. Pipelines.
cat > ndvi.yaml <<YAML
version: 1
name: bench-ndvi
inputs:
  - path: $DATA
    bands: {blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}
indices: [ndvi]
classification: {scheme: none}
outputs:
  directory: $WORK/out/tp-ndvi
  cog: {compression: deflate, overviews: false}
  quicklooks: {indices: []}
YAML
sed -e "s#out/tp-ndvi#out/tp-ndvi-cog#" -e "s#overviews: false#overviews: true#" ndvi.yaml > ndvi-cog.yaml
cat > full.yaml <<YAML
version: 1
name: bench-full
inputs:
  - path: $DATA
    bands: {blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}
calibration: {mode: scale, scale: 0.0001}   # gen_tiles.py stores reflectance x 10000; the land-use rules need reflectance
indices: [ndvi, ndwi, mndwi, ndbi, nbr, ndmi]
outputs:
  directory: $WORK/out/tp-full
YAML

# 5. One hyperfine run.
STAMP=$(date -u +%Y%m%d-%H%M%S)
RES=$WORK/results/peers-$STAMP
mkdir -p "$RES" out
cp ndvi.yaml ndvi-cog.yaml full.yaml "$RES/"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "host: $(uname -srm); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(nproc) cores; $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "tilepipe: $TP ($(cd "$REPO" && git rev-parse --short HEAD))"
  echo "gdal: $(gdal-config --version 2>/dev/null || gdalinfo --version); rasterio: $($PY -c 'import rasterio; print(rasterio.__version__, rasterio.__gdal_version__)')"
  echo "workload: $DATA ($TILES tiles, $VARIANT), runs $RUNS, warmup $WARMUP"
} | tee "$RES/env.txt"
LOAD_BEFORE=$(cat /proc/loadavg)
CMDS=(
  -n decode-floor "build/decode_floor 2 $DATA/*.tif"
  -n tilepipe-ndvi "$TP run ndvi.yaml --fresh --progress never"
  -n tilepipe-ndvi-cog "$TP run ndvi-cog.yaml --fresh --progress never"
  -n tilepipe-full "$TP run full.yaml --fresh --progress never"
  -n 'rasterio[deflate]' "$PY kit/peers/ndvi_rasterio.py $DATA out/rasterio deflate"
  -n 'gdal_calc[deflate]' "bash kit/peers/ndvi_gdal_calc.sh $DATA out/gdal_calc deflate"
)
[[ $ONECORE == 1 ]] && CMDS+=(-n tilepipe-ndvi-1core "taskset -c 0 $TP run ndvi.yaml --fresh --progress never --jobs 1")
hyperfine --runs "$RUNS" --warmup "$WARMUP" --style basic --export-json "$RES/hyperfine.json" \
  --prepare "rm -rf out/tp-ndvi out/tp-ndvi-cog out/tp-full out/rasterio out/gdal_calc" "${CMDS[@]}" | tee "$RES/hyperfine.txt"
LOAD_AFTER=$(cat /proc/loadavg)
/usr/bin/python3 "$REPO/scripts/bench/summarize.py" "$RES/hyperfine.json" "$PIXELS" "$LOAD_BEFORE" "$LOAD_AFTER" | tee "$RES/summary.md"

# 6. Output check: our NDVI equals rasterio's at every valid pixel (rasterio writes -9999 at nodata, we write NaN).
if [[ $CHECK == 1 ]]; then
  rm -rf out/check && mkdir -p out/check/tilepipe
  $PY kit/peers/ndvi_rasterio.py "$DATA" out/check/rasterio deflate
  "$TP" run ndvi.yaml --fresh --progress never --output out/check/tp >/dev/null
  for f in out/check/tp/tiles/*/*_ndvi.tif; do ln -s "$WORK/$f" out/check/tilepipe/; done
  $PY kit/tools/check_ndvi.py out/check/rasterio out/check/tilepipe | tee "$RES/check.txt"
fi

# 7. Peak RSS of the full default job at N and 2N tiles (the same files linked twice under other names).
if [[ $RSS == 1 ]]; then
  DATA2=$WORK/tiles-$VARIANT-$((2 * TILES)); rm -rf "$DATA2"; mkdir -p "$DATA2"
  for f in "$DATA"/*.tif; do b=$(basename "$f" .tif); ln -s "$(readlink -f "$f")" "$DATA2/$b.tif"; ln -s "$(readlink -f "$f")" "$DATA2/${b}_b.tif"; done
  for d in "$DATA" "$DATA2"; do
    n=$(ls "$d"/*.tif | wc -l)
    /usr/bin/time -f "%M" -o out/rss.txt "$TP" run full.yaml --fresh --progress never --input "$d" --output out/rss >/dev/null 2>&1 || true
    echo "peak RSS, full default job, $n tiles: $(( $(cat out/rss.txt | tail -1) / 1024 )) MiB (load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$RES/summary.md"
    rm -rf out/rss
  done
fi
echo "results: $RES"
