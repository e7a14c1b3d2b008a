# micsync: build, test, demo and install.
#
#   make build      release build (swift build -c release)
#   make test       swift test (installs rsync first if it is missing)
#   make demo       debug build, then a guided round trip: scripts/demo.sh
#   make install    release binary to $(DESTDIR)$(PREFIX)/bin/micsync
#   make clean      remove build products (fetched dependencies are kept)
#   make distclean  remove .build entirely
#   make rsync      install rsync if it is missing (apt-get, as root)
#   make bench      benchmark against plain rsync (FILES=100000 RUNS=5; needs hyperfine)

SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build debug test demo install clean distclean rsync bench

all: build

build:
	$(SWIFT) build -c release

debug:
	$(SWIFT) build

test: rsync
	$(SWIFT) test

demo: rsync debug
	MICSYNC="$$($(SWIFT) build --show-bin-path)/micsync" bash scripts/demo.sh

install: build
	install -D -m 755 "$$($(SWIFT) build -c release --show-bin-path)/micsync" "$(DESTDIR)$(PREFIX)/bin/micsync"

FILES ?= 100000
RUNS ?= 5
bench: rsync build
	@command -v hyperfine >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq hyperfine >/dev/null; } || { echo "make bench needs hyperfine: sudo apt-get install hyperfine" >&2; exit 1; }
	FILES=$(FILES) RUNS=$(RUNS) MICSYNC="$$($(SWIFT) build -c release --show-bin-path)/micsync" bash bench/bench.sh

clean:
	$(SWIFT) package clean

distFILES ?= 100000
RUNS ?= 5
bench: rsync build
	@command -v hyperfine >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq hyperfine >/dev/null; } || { echo "make bench needs hyperfine: sudo apt-get install hyperfine" >&2; exit 1; }
	FILES=$(FILES) RUNS=$(RUNS) MICSYNC="$$($(SWIFT) build -c release --show-bin-path)/micsync" bash bench/bench.sh

clean:
	rm -rf .build .swiftpm

# micsync runs rsync. When it is missing: as root, install it with apt-get (updating the package
# lists only when apt does not know rsync or the first attempt fails); otherwise say how and fail.
rsync:
	@if command -v rsync >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "micsync needs rsync, which is not installed. Install it with:" >&2; \
		echo "    sudo apt-get install rsync" >&2; \
		exit 1; \
	fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "micsync needs rsync, which is not installed, and apt-get is not available: install rsync with your package manager." >&2; \
		exit 1; \
	fi; \
	echo "rsync is missing: installing it with apt-get"; \
	export DEBIAN_FRONTEND=noninteractive; \
	if ! apt-get install -y -qq rsync >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq rsync >/dev/null || exit 1; \
	fi; \
	command -v rsync >/dev/null 2>&1 || { echo "rsync is still not found after apt-get install" >&2; exit 1; }; \
	echo "rsync installed: $$(command -v rsync)"
