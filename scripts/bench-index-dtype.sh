#!/usr/bin/env bash
# Size and time of the index COGs per storage choice (issue 17 item 3): outputs.cog.dtype float32 | int16
# × outputs.cog.compression deflate | zstd, on SampleTiles/ (pipeline.yaml) and on the peer-benchmark workload
# (8 × 1024² 6-band DEFLATE tiles of the shared kit, the full default job of scripts/bench-peers.sh).
#
#   scripts/bench-index-dtype.sh [--no-build] [--runs N]
#
# Each combination runs N times (default 3) under /usr/bin/time; the table gives the median wall and user+sys CPU
# seconds of the whole job, and the bytes of the index COGs it wrote (tiles/*/*_<index>.tif: every index; class
# maps, quicklooks and reports are the same in all four). Results in bench-work/results/dtype-<UTC stamp>/.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-$REPO/bench-work}
KIT_SRC=${BENCH_KIT:-/work/shared/bench}
RUNS=3 BUILD=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "bench-index-dtype: unknown option $1" >&2; exit 64 ;;
  esac
done
cd "$REPO"
if [[ $BUILD == 1 ]]; then swift build -c release --product tilepipe --static-swift-stdlib >&2; fi
TP=${TILEPIPE:-$(swift build -c release --show-bin-path)/tilepipe}
mkdir -p "$WORK"
[[ -d $WORK/kit ]] || cp -r "$KIT_SRC" "$WORK/kit"
if [[ $(ls "$WORK/data/1024_pixel_deflate"/*.tif 2>/dev/null | wc -l) -lt 8 ]]; then
  /usr/bin/python3 "$WORK/kit/gen_tiles.py" --out "$WORK/data" --n1024 8 --n2048 0 --seed 42 >&2
fi
DATA=$WORK/tiles-1024_pixel_deflate-8
rm -rf "$DATA"; mkdir -p "$DATA"
ls "$WORK/data/1024_pixel_deflate"/*.tif | sort | head -n 8 | while read -r f; do ln -s "$f" "$DATA/"; done

STAMP=$(date -u +%Y%m%d-%H%M%S)
RES=$WORK/results/dtype-$STAMP
mkdir -p "$RES"
cat > "$RES/bench-full.yaml" <<YAML
version: 1
name: bench-full
inputs:
  - path: $DATA
    bands: {blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}
calibration: {mode: scale, scale: 0.0001}   # gen_tiles.py stores reflectance x 10000 (as bench-peers.sh's full job)
indices: [ndvi, ndwi, mndwi, ndbi, nbr, ndmi]
outputs:
  directory: $WORK/out/dtype
YAML
{
  echo "# Index storage benchmark $STAMP"
  echo
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); host: $(uname -srm); $(nproc) cores; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "tilepipe: $TP ($(git rev-parse --short HEAD)); $RUNS runs per row, medians"
  echo
  echo "| workload | dtype | codec | index bytes | wall s | user+sys s |"
  echo "|---|---|---|---|---|---|"
} > "$RES/summary.md"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for workload in sampletiles bench; do
  if [[ $workload == sampletiles ]]; then yaml=$REPO/pipeline.yaml; else yaml=$RES/bench-full.yaml; fi
  for dtype in float32 int16; do
    for codec in deflate zstd; do
      out=$WORK/out/dtype-$workload
      walls=() cpus=()
      for r in $(seq "$RUNS"); do
        rm -rf "$out"
        if ! /usr/bin/time -f '%e %U %S' -o "$RES/time.txt" "$TP" run "$yaml" --output "$out" --progress never \
          --set outputs.cog.dtype=$dtype --set outputs.cog.compression=$codec > "$RES/$workload-$dtype-$codec.log" 2>&1; then
          echo "bench-index-dtype: $workload $dtype $codec failed; see $RES/$workload-$dtype-$codec.log" >&2
          tail -3 "$RES/$workload-$dtype-$codec.log" >&2
          exit 1
        fi
        read -r w u s < <(tail -n 1 "$RES/time.txt")
        walls+=("$w"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}')")
      done
      indices=$(grep -oE '^indices: \[[^]]*\]' "$yaml" | sed -E 's/indices: \[(.*)\]/\1/; s/, */ /g')
      bytes=0
      for i in $indices; do
        for f in "$out"/tiles/*/*_"$i".tif; do [[ -f $f ]] && bytes=$((bytes + $(stat -c %s "$f"))); done
      done
      echo "| $workload | $dtype | $codec | $bytes | $(printf '%s\n' "${walls[@]}" | median) | $(printf '%s\n' "${cpus[@]}" | median) |" | tee -a "$RES/summary.md"
    done
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RES/summary.md"
rm -rf "$WORK/out/dtype-sampletiles" "$WORK/out/dtype-bench"
echo "bench-index-dtype: $RES/summary.md" >&2
