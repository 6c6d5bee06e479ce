#!/usr/bin/env bash
# Whole-scene benchmark (issue 17 item 1): peak memory and CPU of `tilepipe run` on one large scene.
#
#   scripts/bench-scene.sh                       # builds tilepipe (release), 8192² and 16384² scenes, both jobs
#   scripts/bench-scene.sh --no-build --sizes 8192
#
# Makes (once, kept in bench-work/scenes/, git-ignored; BENCH_WORK= moves it) a SIZE² 6-band UInt16 DEFLATE
# scene per size with scripts/bench/gen_scene.py (deterministic, written in strips: ~10 s CPU per 4096²), then
# runs two pipelines on a folder holding only that scene, each under /usr/bin/time -v:
#   ndvi   indices [ndvi], no class map, no quicklooks, Float32 DEFLATE GeoTIFF without overviews
#   full   every index the six bands allow, everything else at its default (COGs, class map, quicklooks, STAC, reports)
# and prints wall time, user+sys CPU seconds, CPU % and peak RSS per run, with the load average before and after
# each run; results/scene-<UTC stamp>/summary.md holds the table.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
BUILD=1
SIZES="8192 16384"
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-build) BUILD=0 ;;
    --sizes) SIZES=$2; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
  shift
done
WORK=${BENCH_WORK:-$REPO/bench-work}
PY=/usr/bin/python3   # Debian's python with python3-gdal (a pyenv/venv python may lack osgeo)
$PY -c 'from osgeo import gdal' 2>/dev/null || { echo "bench-scene: needs python3-gdal (apt-get install python3-gdal)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench-scene: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
if [[ $BUILD == 1 ]]; then swift build -c release --product tilepipe >&2; fi
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
        echo "indices: [ndvi, ndwi, mndwi, ndbi, nbr, ndmi]"
        echo "outputs:"
        echo "  directory: $out"
      fi
    } > "$yaml"
    before=$(cut -d' ' -f1-3 /proc/loadavg)
    /usr/bin/time -v -o "$RES/$n-$job.time" "$TP" run "$yaml" --progress never > "$RES/$n-$job.log" 2>&1 || {
      echo "bench-scene: $n $job failed:" >&2; tail -5 "$RES/$n-$job.log" >&2; }
    after=$(cut -d' ' -f1-3 /proc/loadavg)
    t=$RES/$n-$job.time
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$t")
    cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u+s}' "$t")
    pct=$(awk -F': ' '/Percent of CPU/ {print $2}' "$t")
    rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$t")
    echo "| ${n}² | $job | $wall | $cpu | $pct | $rss | $before → $after |" | tee -a "$RES/summary.md"
    rm -rf "$out"
  done
done
echo "bench-scene: $RES/summary.md" >&2
