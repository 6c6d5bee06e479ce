#!/usr/bin/env python3
"""Summarise scripts/bench-peers.sh's hyperfine JSON: median/min/max seconds, Mpx/s, ratios.

usage: summarize.py HYPERFINE_JSON PIXELS LOAD_BEFORE LOAD_AFTER
Ratios: throughput of tilepipe-ndvi over each peer (targets: >= 3x rasterio[deflate], >= 8x gdal_calc[deflate]);
the full default pipeline's wall time over the decode-only floor (target <= 6x, issue 17; issue 9 had 3x).
"""
import json, sys

def main():
    path, pixels, before, after = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    res = {r["command"]: r for r in json.load(open(path))["results"]}
    print(f"load before: {before}")
    print(f"load after:  {after}")
    print(f"pixels per command: {pixels} ({pixels / 1e6:.2f} Mpx)\n")
    print("| command | median s | min s | max s | Mpx/s | user+sys s |")
    print("|---|---|---|---|---|---|")
    for name, r in res.items():
        med = r["median"]
        print(f"| {name} | {med:.3f} | {r['min']:.3f} | {r['max']:.3f} | {pixels / med / 1e6:.1f} | "
              f"{r['user'] + r['system']:.2f} |")
    med = {k: v["median"] for k, v in res.items()}
    print()
    def ratio(label, num, den, target, better):
        if num in med and den in med:
            x = med[den] / med[num] if better == "faster" else med[num] / med[den]
            ok = x >= target if better == "faster" else x <= target
            word = "throughput" if better == "faster" else "wall time"
            print(f"{label}: {x:.2f}x {word} (target {'>=' if better == 'faster' else '<='} {target}x) "
                  f"{'MET' if ok else 'MISSED'}")
    ratio("tilepipe-ndvi vs rasterio[deflate]", "tilepipe-ndvi", "rasterio[deflate]", 3, "faster")
    ratio("tilepipe-ndvi vs gdal_calc[deflate]", "tilepipe-ndvi", "gdal_calc[deflate]", 8, "faster")
    ratio("tilepipe-full / decode-floor", "tilepipe-full", "decode-floor", 6, "slower")
    ratio("tilepipe-ndvi / decode-floor", "tilepipe-ndvi", "decode-floor", 3, "slower")

if __name__ == "__main__":
    main()
