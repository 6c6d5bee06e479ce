# TilePipe. Two commands on a fresh Debian machine:
#   make run    install missing system packages, build release, run pipeline.yaml on SampleTiles/
#   make test   install missing system packages, build, run every test
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
TILEPIPE := .build/$(CONFIG)/tilepipe

# Build dependencies (C libraries of the field) and the external oracles the tests use.
BUILD_PKGS := libtiff-dev libdeflate-dev libpng-dev pkg-config libproj-dev proj-data libfreetype-dev fonts-dejavu-core libsqlite3-dev
TEST_PKGS := gdal-bin python3-gdal python3-rasterio pngcheck libtiff-tools chromium libjs-leaflet python3-pip
PKGS ?= $(BUILD_PKGS)

.PHONY: run test deps test-deps build debug clean fuzz fuzz-smoke test-asan check test-deploy test-deploy-debug bench-scene

deps:
	@missing=$$(for p in $(PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $$missing"; \
	    for i in 1 2 3; do apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing && break; \
	      echo "apt-get failed (lock?), retrying in 10 s"; sleep 10; done; \
	  else \
	    echo "missing Debian packages; run:"; echo "  sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

test-deps:
	@$(MAKE) --no-print-directory deps PKGS="$(BUILD_PKGS) $(TEST_PKGS)"
	@# pystac + jsonschema validate the run's STAC catalogue (ServeTests); Debian packages neither, PyPI does.
	@/usr/bin/python3 -c 'import pystac, jsonschema' 2>/dev/null || \
	  /usr/bin/python3 -m pip install -q --break-system-packages pystac jsonschema || echo "pystac not installed: the STAC validation test will skip"

# Release builds link the Swift runtime and Foundation statically, as deploy/Containerfile does: the binary run,
# benchmarked and shipped is one and the same (it starts 11 ms sooner and ran the NDVI bench 5-9 % faster).
# Every script here that builds a release passes the same flag, so they share .build/release without rebuilding.
STATIC_FLAGS := $(if $(filter release,$(CONFIG)),--static-swift-stdlib)

build: deps
	$(SWIFT) build -c $(CONFIG) $(STATIC_FLAGS)

# The default job of pipeline.yaml on SampleTiles/: index COGs, land-use maps, flood and burn jobs, quicklooks,
# STAC, affected.geojson and reports in out/.
run: build
	$(TILEPIPE) run pipeline.yaml

# The fuzz smoke run first, then XCTest in parallel on both cores, ending with 'N passed, N failed, N skipped'
# from the xUnit report (swift test --parallel otherwise ends with Swift Testing's empty summary) and the skip log
# (the xUnit report counts a skipped test as passed; tests skip through TestSupport's `Skip`); then, as root,
# the Slurm deployment test with the debug binary (its last line says PASS or FAIL).
test: test-deps
	@$(MAKE) --no-print-directory fuzz-smoke
	$(SWIFT) build --build-tests
	rm -f .build/skips.log
	TILEPIPE_SKIP_LOG=$(CURDIR)/.build/skips.log \
	  $(SWIFT) test --skip-build --parallel --num-workers 2 --disable-swift-testing --xunit-output .build/xunit.xml; \
	  status=$$?; python3 scripts/test-summary.py .build/xunit.xml .build/skips.log || status=1; exit $$status
	@$(MAKE) --no-print-directory test-deploy-debug

# libFuzzer targets (Fuzz/, a separate package built with -sanitize=fuzzer,address); fails on any crash,
# sanitizer report or leak. `make fuzz FUZZ_SECONDS=600` for a longer run by hand.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
fuzz: deps
	SWIFT=$(SWIFT) Fuzz/scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-smoke: deps
	SWIFT=$(SWIFT) Fuzz/scripts/fuzz.sh $(FUZZ_SMOKE_SECONDS)

# The test suite under AddressSanitizer, in its own scratch path so it never disturbs .build.
test-asan: test-deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan-suppressions.txt:print_suppressions=0 \
	  $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan --parallel --num-workers 2 --disable-swift-testing

check: build
	TILEPIPE=$(abspath $(TILEPIPE)) ../shared/checks/run-all

# Deployment test on a real scheduler: a one-node Slurm (slurm-wlm + munge, installed when missing) runs
# deploy/slurm-array.sh over SampleTiles/ in 3 shards; the merged outputs must equal an unsharded run byte for
# byte. Needs root. `make test` runs it last with the debug binary it has just built (about 40 s on a clean
# machine, package install included); `make test-deploy` with the release build.
test-deploy: build
	TILEPIPE=$(TILEPIPE) scripts/test-deploy.sh --no-build

test-deploy-debug:
	@if [ "$$(id -u)" = 0 ]; then TILEPIPE=.build/debug/tilepipe scripts/test-deploy.sh --no-build; \
	else echo "test-deploy: skipped (needs root to start munged and slurmd; run 'sudo make test-deploy')"; fi

# Peak memory and CPU of one 8192² and one 16384² scene (NDVI-only and the full default job); scenes are made once.
bench-scene: build
	TILEPIPE=$(TILEPIPE) scripts/bench-scene.sh --no-build

clean:
	rm -rf .build .build-asan out Fuzz/.build Fuzz/corpus Fuzz/artifacts Fuzz/scratch
