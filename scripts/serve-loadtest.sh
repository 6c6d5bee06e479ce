#!/usr/bin/env bash
# Bounded load test of `tilepipe serve` on this machine only (127.0.0.1): wrk, 30 s, 16 connections, 2 threads,
# random tiles over zooms 10–16 of a run's footprint (every layer and date). Prints throughput, latency
# percentiles, non-2xx responses, the server's peak RSS (sampled every 0.5 s), the CPU seconds it used per request
# and /proc/loadavg before and after (throughput and latency depend on what else runs), then stops the server
# with SIGTERM.
#
#   scripts/serve-loadtest.sh [RUN_DIR] [BINARY]      (defaults: out, .build/release/tilepipe)
#
# Needs wrk (apt-get install wrk) and python3. Exits 1 when there were error responses or RSS passed 300 MiB.
set -euo pipefail
RUN=${1:-out}
BIN=${2:-.build/release/tilepipe}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-16}
command -v wrk >/dev/null || { echo "wrk not installed (apt-get install wrk)"; exit 2; }
[ -x "$BIN" ] || { echo "$BIN not built (swift build -c release)"; exit 2; }
[ -d "$RUN" ] || { echo "$RUN: no run folder (tilepipe run pipeline.yaml)"; exit 2; }
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN" serve "$RUN" --port 0 >"$WORK/out" 2>"$WORK/log" &
SERVER=$!
for _ in $(seq 100); do grep -q 'http://' "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(grep -o '127.0.0.1:[0-9]*' "$WORK/out" | cut -d: -f2)
[ -n "$PORT" ] || { echo "server did not start:"; cat "$WORK/log"; exit 2; }

# Every tile of zooms 10–16 that overlaps each layer's footprint, for every layer and date, shuffled (fixed seed).
curl -s "http://127.0.0.1:$PORT/layers.json" >"$WORK/layers.json"
python3 - "$WORK/layers.json" >"$WORK/paths.lua" <<'PY'
import json, math, random, sys
doc = json.load(open(sys.argv[1]))
def tile(lon, lat, z):
    n = 2 ** z
    r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
paths = []
for layer in doc["layers"]:
    w, s, e, n = layer["bounds"]
    for date in layer["dates"]:
        for z in range(10, 17):
            x0, y0 = tile(w, n, z); x1, y1 = tile(e, s, z)
            for x in range(x0, x1 + 1):
                for y in range(y0, y1 + 1):
                    paths.append(f"/tiles/{layer['name']}/{date}/{z}/{x}/{y}.png")
random.seed(18)
random.shuffle(paths)
print("paths = {" + ",".join(f'"{p}"' for p in paths) + "}")
print(f"-- {len(paths)} distinct tiles", file=sys.stderr)
PY
cat >>"$WORK/paths.lua" <<'LUA'
local i = 0
math.randomseed(18)
request = function()
  i = math.random(#paths)
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("non2xx_or_errors %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("p50_ms %.2f p90_ms %.2f p99_ms %.2f max_ms %.2f\n", latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA

peak=0
( while kill -0 $SERVER 2>/dev/null; do awk '/VmRSS/ {print $2}' /proc/$SERVER/status 2>/dev/null; sleep 0.5; done ) >"$WORK/rss" &
SAMPLER=$!
cpu_ticks() { awk '{print $14 + $15}' /proc/$SERVER/stat; }
before_ticks=$(cpu_ticks)
echo "load average before: $(cat /proc/loadavg)"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s "$WORK/paths.lua" "http://127.0.0.1:$PORT" | tee "$WORK/wrk"
echo "load average after: $(cat /proc/loadavg)"
# CPU the server used during the run (user + system), per request: comparable across machines and loads.
cpu_s=$(awk -v a="$before_ticks" -v b="$(cpu_ticks)" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", (b - a) / hz}')
requests=$(awk '/requests in/ {print $1}' "$WORK/wrk")
echo "server CPU: ${cpu_s} s for ${requests} requests ($(awk -v c="$cpu_s" -v r="$requests" 'BEGIN {printf "%.1f", (r > 0) ? c * 1000 / r : 0}') ms per request)"
kill -TERM $SERVER
wait $SERVER || true
kill $SAMPLER 2>/dev/null || true
peak=$(sort -n "$WORK/rss" | tail -1)
errors=$(awk '/non2xx_or_errors/ {print $2}' "$WORK/wrk")
echo "distinct tiles: $(grep -o '"/tiles/' "$WORK/paths.lua" | wc -l)"
echo "peak RSS: $((peak / 1024)) MiB"
echo "server log lines: $(wc -l <"$WORK/log"), 5xx: $(grep -c 'status=5' "$WORK/log" || true)"
[ "${errors:-1}" = 0 ] && [ "$peak" -lt $((300 * 1024)) ]
