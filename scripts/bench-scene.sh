#!/usr/bin/env bash
# Whole-scene benchmark (issue 17 item 1): peak memory and CPU of `tilepipe run` on one large scene.
#
#   scripts/bench-scene.sh                       # builds tilepipe (release), 8192² and 16384² scenes, both jobs
#   scripts/bench-scene.sh --no-build --sizes 8192
#   scripts/bench-scene.sh --no-build --reference /path/to/old/tilepipe   # also check outputs against another build
#
# Makes (once, kept in bench-work/scenes/, git-ignored; BENCH_WORK= moves it) a SIZE² 6-band UInt16 DEFLATE
# scene per size with scripts/bench/gen_scene.py (deterministic, written in strips: ~10 s CPU per 4096²), then
# runs two pipelines on a folder holding only that scene, each under /usr/bin/time -v:
#   ndvi   indices [ndvi], no class map, no quicklooks, Float32 DEFLATE GeoTIFF without overviews
#   full   every index the six bands allow, everything else at its default (COGs, class map, quicklooks, STAC, reports)
# and prints wall time, user+sys CPU seconds, CPU % and peak RSS per run, with the load average before and after
# each run; results/scene-<UTC stamp>/summary.md holds the table. Acceptance (issue 17): peak RSS ≤ 600 MiB for
# both sizes and jobs, CPU ≥ 170 % (two cores on one scene).
# --reference BIN runs BIN (e.g. a release build of the whole-scene route) on the same pipelines, for the sizes
# it can hold in memory (8192² and smaller), and compares the rasters with scripts/bench/compare_runs.py: every
# index COG, class map and overview equal bit for bit, statistics items within 1e-9 (--reference-jobs ndvi: only
# for that job; the whole-scene full job of the old route takes minutes and ~4 GB on an 8192² scene).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
BUILD=1
SIZES="8192 16384"
REFERENCE=""
REFERENCE_JOBS="ndvi full"
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-build) BUILD=0 ;;
    --sizes) SIZES=$2; shift ;;
    --reference) REFERENCE=$2; shift ;;
    --reference-jobs) REFERENCE_JOBS=$2; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
  shift
done
WORK=${BENCH_WORK:-$REPO/bench-work}
PY=/usr/bin/python3   # Debian's python with python3-gdal (a pyenv/venv python may lack osgeo)
$PY -c 'from osgeo import gdal' 2>/dev/null || { echo "bench-scene: needs python3-gdal (apt-get install python3-gdal)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench-scene: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
if [[ $BUILD == 1 ]]; then swift build -c release --product tilepipe --static-swift-stdlib >&2; fi
TP=${TILEPIPE:-$(swift build -c release --show-bin-path)/tilepipe}
[[ -x $TP ]] || { echo "bench-scene: $TP missing (run without --no-build)" >&2; exit 2; }

STAMP=$(date -u +%Y%m%d-%H%M%S)
RES=$WORK/results/scene-$STAMP
mkdir -p "$RES" "$WORK/scenes"
{
  echo "# Whole-scene benchmark $STAMP"
  echo
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); host: $(uname -srm); $(nproc) cores; $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "tilepipe: $TP ($(git rev-parse --short HEAD))"
  echo
  echo "| scene | job | wall s | user+sys s | CPU % | peak RSS MiB | load before → after |"
  echo "|---|---|---|---|---|---|---|"
} > "$RES/summary.md"

# measure LABEL BIN YAML LOG: one run under /usr/bin/time -v; prints the table row.
measure() {
  local label=$1 bin=$2 yaml=$3 log=$4
  local before after t wall cpu pct rss
  before=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -v -o "$log.time" "$bin" run "$yaml" --progress never > "$log" 2>&1 || {
    echo "bench-scene: $label failed:" >&2; tail -5 "$log" >&2; }
  after=$(cut -d' ' -f1-3 /proc/loadavg)
  t=$log.time
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$t")
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u+s}' "$t")
  pct=$(awk -F': ' '/Percent of CPU/ {print $2}' "$t")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$t")
  echo "| $label | $wall | $cpu | $pct | $rss | $before → $after |" | tee -a "$RES/summary.md"
}

for n in $SIZES; do
  dir=$WORK/scenes/$n
  if [[ ! -f $dir/scene.tif ]]; then
    mkdir -p "$dir"
    echo "bench-scene: making the ${n}² scene" >&2
    $PY scripts/bench/gen_scene.py "$dir/scene.tif.part" "$n" && mv "$dir/scene.tif.part" "$dir/scene.tif"
  fi
  for job in ndvi full; do
    out=$WORK/out/scene-$n-$job
    rm -rf "$out"
    yaml=$RES/$n-$job.yaml
    {
      echo "version: 1"
      echo "name: bench-scene-$job"
      echo "inputs:"
      echo "  - path: $dir"
      echo "    bands: {blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}"
      if [[ $job == ndvi ]]; then
        echo "indices: [ndvi]"
        echo "classification: {scheme: none}"
        echo "outputs:"
        echo "  directory: $out"
        echo "  cog: {compression: deflate, overviews: false}"
        echo "  quicklooks: {indices: []}"
      else
        echo "calibration: {mode: scale, scale: 0.0001}   # gen_scene.py stores reflectance x 10000"
        echo "indices: [ndvi, ndwi, mndwi, ndbi, nbr, ndmi]"
        echo "outputs:"
        echo "  directory: $out"
      fi
    } > "$yaml"
    measure "${n}² | $job" "$TP" "$yaml" "$RES/$n-$job.log"
    if [[ -n $REFERENCE && $n -le 8192 && " $REFERENCE_JOBS " == *" $job "* ]]; then
      ref=$WORK/out/scene-$n-$job-reference
      rm -rf "$ref"
      sed "s|directory: $out|directory: $ref|" "$yaml" > "$RES/$n-$job-reference.yaml"
      measure "${n}² | $job (reference $(basename "$REFERENCE"))" "$REFERENCE" "$RES/$n-$job-reference.yaml" "$RES/$n-$job-reference.log"
      if $PY scripts/bench/compare_runs.py "$ref" "$out" > "$RES/$n-$job-compare.txt" 2>&1; then
        echo "bench-scene: ${n}² $job: rasters equal to the reference bit for bit ($(wc -l < "$RES/$n-$job-compare.txt") files)" | tee -a "$RES/summary.md" >&2
      else
        echo "bench-scene: ${n}² $job: rasters DIFFER from the reference:" | tee -a "$RES/summary.md" >&2
        grep -v "equal bit for bit" "$RES/$n-$job-compare.txt" | head -20 | tee -a "$RES/summary.md" >&2
      fi
      rm -rf "$ref"
    fi
    rm -rf "$out"
  done
done
echo "bench-scene: $RES/summary.md" >&2
