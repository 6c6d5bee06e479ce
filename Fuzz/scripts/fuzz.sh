#!/usr/bin/env bash
# Builds and runs TilePipe's libFuzzer targets for a bounded time each; exits non-zero on any finding.
#   Fuzz/scripts/fuzz.sh [SECONDS] [TARGET...]     (default: $FUZZ_SECONDS or 60; every target)
# Seeds are copied at run time from ../shared/data (a few small files per kind) and SampleTiles/ into
# Fuzz/corpus/<target>/ (gitignored, never committed). Crashing inputs land in Fuzz/artifacts/<target>/.
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZ_DIR=$PWD
ROOT=$(cd .. && pwd)
SECONDS_EACH=${1:-${FUZZ_SECONDS:-60}}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(FuzzTIFF FuzzPNG FuzzFloatCOG FuzzBandMath FuzzManifest FuzzPipelineConfig FuzzSetOverride)
DATA=${TILEPIPE_SHARED_DATA:-$ROOT/../shared/data}
SWIFT=${SWIFT:-swift}
FLAGS=(-c release --package-path "$FUZZ_DIR" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
       -Xcc -fsanitize=fuzzer-no-link,address)

seed() {  # seed TARGET: fill corpus/TARGET from the shared data and SampleTiles
  local t=$1 dir=corpus/$1
  mkdir -p "$dir"
  local patterns=() max=64k srcs=("$DATA" "$ROOT/SampleTiles")
  case $t in
    FuzzTIFF) patterns=('*.tif') ; max=32k ;;
    FuzzPNG)  patterns=('*.png') ;;
    FuzzManifest) patterns=('*.json' '*MTL*.txt') ;;
    FuzzPipelineConfig) patterns=('*.yaml' '*.yml'); srcs=("$ROOT" "$ROOT/deploy" "$ROOT/docs" "$ROOT/Tests") ;;
    FuzzBandMath)  # expressions from the docs and tests: one seed per line that looks like band math
      printf '%s\n' '(nir - red) / (nir + red)' 'where(nir > 0.3, ndvi(), -1)' '2.5 * (nir - red) / (nir + 6*red - 7.5*blue + 1)' \
        'clamp(sqrt(abs(a - b)) ^ 2, 0, 1)' 'max(a, b, 1e-3) ** -2 and not (a != b) || log(exp(a))' |
        split -l 1 - "$dir/seed-" ; return ;;
    FuzzSetOverride)  # --set strings: one assignment per line (keys, list positions, YAML values, aliases)
      printf '%s\n' 'execution.jobs=4' 'indices=[ndvi, nbr]' 'inputs.0.path=/data/x' 'outputs.cog.tile_size=256' \
        'inputs.0.bands={red: 3, nir: 4}' 'monitor=[{kind: flood, threshold: 0.1}]' 'name=&a [1, *a]' \
        'calibration.scale=.nan' 'execution.memory=1e300GiB' 'a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q=1' \
        'name=[&a [x, x, x], &b [*a, *a, *a], [*b, *b, *b]]' |
        split -l 1 - "$dir/seed-" ; return ;;
    *) return ;;
  esac
  for src in "${srcs[@]}"; do
    [ -d "$src" ] || continue
    for pattern in "${patterns[@]}"; do
      find "$src" -maxdepth 6 -type f -iname "$pattern" -size -"$max" -not -path '*/.build*' 2>/dev/null | sort | head -n 40 |
        while read -r f; do cp -n "$f" "$dir/seed-$(echo "$f" | md5sum | cut -c1-8)-$(basename "$f")" 2>/dev/null; done
    done
  done
}

status=0
for t in "${TARGETS[@]}"; do
  echo "== $t: build"
  if ! $SWIFT build "${FLAGS[@]}" --product "$t" > "build-$t.log" 2>&1; then
    grep -v 'warning' "build-$t.log" | tail -20; echo "FAIL: $t does not build"; status=1; continue
  fi
  bin=$($SWIFT build "${FLAGS[@]}" --show-bin-path)/$t
  seed "$t"
  mkdir -p "artifacts/$t" "scratch"
  echo "== $t: ${SECONDS_EACH}s over $(ls "corpus/$t" | wc -l) corpus files"
  # libFuzzer output goes to a file (a child may hold a pipe open); KILL after a grace period.
  FUZZ_SCRATCH="$FUZZ_DIR/scratch" timeout -s KILL $((SECONDS_EACH + 60)) "$bin" "corpus/$t" \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 > "run-$t.log" 2>&1
  rc=$?
  tail -n 4 "run-$t.log" | sed 's/^/   /'
  if [ $rc -ne 0 ]; then
    echo "FAIL: $t exited $rc; finding(s) in Fuzz/artifacts/$t/, log Fuzz/run-$t.log"
    grep -m 5 -E 'ERROR|SUMMARY|Test unit written' "run-$t.log"
    status=1
  else
    echo "ok: $t ($(grep -m1 -o 'Done [0-9]* runs' "run-$t.log"))"
  fi
done
exit $status
