# micsync: build, test, demo and install.
#
#   make build      release build (swift build -c release)
#   make test       swift test (installs rsync, OpenSSH and the drive tools first if they are
#                   missing: the end-to-end tests of remote locations run a real sshd on
#                   127.0.0.1, those of drives mount real ext4, btrfs, xfs, exFAT and NTFS images)
#   make demo       debug build, then a guided round trip: scripts/demo.sh
#   make install    release binary to $(DESTDIR)$(PREFIX)/bin/micsync, plus install-docs
#   make install-docs  man page and bash/zsh/fish completions to $(DESTDIR)$(PREFIX)/share/…
#                   (generated from the binary MICSYNC=…, default the release build)
#   make clean      remove build products (fetched dependencies are kept)
#   make distclean  remove .build entirely
#   make rsync      install rsync if it is missing (apt-get, as root)
#   make ssh        install openssh-server and openssh-client if sshd or ssh is missing (same way)
#   make drive-tools  install the tools the tests use to make and mount real drives (same way)
#   make bench      benchmark against plain rsync (FILES=100000 RUNS=5; needs hyperfine)

SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build debug test demo install install-docs clean distclean rsync ssh drive-tools bench

all: build

build:
	$(SWIFT) build -c release

debug:
	$(SWIFT) build

test: rsync ssh drive-tools
	$(SWIFT) test

demo: rsync debug
	MICSYNC="$$($(SWIFT) build --show-bin-path)/micsync" bash scripts/demo.sh

install: build install-docs
	install -D -m 755 "$$($(SWIFT) build -c release --show-bin-path)/micsync" "$(DESTDIR)$(PREFIX)/bin/micsync"

# The man page and the completion scripts, generated from the command-line definitions of the
# binary MICSYNC (default: the release build): the man page by generate-manual, the tool behind
# swift-argument-parser's generate-manual plugin, which reads `micsync --experimental-dump-help`;
# the scripts by `micsync --generate-completion-script SHELL`. generate-manual is built from the
# resolved swift-argument-parser checkout in a scratch folder of its own, so that it never waits
# for (or blocks) a swift build or swift test running in .build. An empty line the generator leaves
# in the page becomes the paragraph macro .Pp (man would warn about it).
MICSYNC ?=
ARGUMENT_PARSER ?= .build/checkouts/swift-argument-parser
GENERATOR_SCRATCH ?= .build/generate-manual

install-docs: $(if $(MICSYNC),,build)
	@set -e; \
	micsync="$(MICSYNC)"; \
	if [ -z "$$micsync" ]; then micsync="$$($(SWIFT) build -c release --show-bin-path)/micsync"; fi; \
	if [ ! -x "$$micsync" ]; then echo "install-docs: no micsync binary at $$micsync" >&2; exit 1; fi; \
	if [ ! -f "$(ARGUMENT_PARSER)/Package.swift" ]; then $(SWIFT) package resolve; fi; \
	$(SWIFT) build --package-path "$(ARGUMENT_PARSER)" --scratch-path "$(GENERATOR_SCRATCH)" --product generate-manual; \
	generator="$$($(SWIFT) build --package-path "$(ARGUMENT_PARSER)" --scratch-path "$(GENERATOR_SCRATCH)" --show-bin-path)/generate-manual"; \
	work="$$(mktemp -d)"; trap 'rm -rf "$$work"' EXIT; \
	"$$generator" "$$micsync" --output-directory "$$work"; \
	sed -i 's/^$$/.Pp/' "$$work/micsync.1"; \
	for shell in bash zsh fish; do "$$micsync" --generate-completion-script "$$shell" > "$$work/completion.$$shell"; done; \
	install -D -m 644 "$$work/micsync.1" "$(DESTDIR)$(PREFIX)/share/man/man1/micsync.1"; \
	install -D -m 644 "$$work/completion.bash" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/micsync"; \
	install -D -m 644 "$$work/completion.zsh" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_micsync"; \
	install -D -m 644 "$$work/completion.fish" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/micsync.fish"; \
	echo "installed the man page and the bash, zsh and fish completions under $(DESTDIR)$(PREFIX)/share"

FILES ?= 100000
RUNS ?= 5
bench: rsync build
	@command -v hyperfine >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq hyperfine >/dev/null; } || { echo "make bench needs hyperfine: sudo apt-get install hyperfine" >&2; exit 1; }
	FILES=$(FILES) RUNS=$(RUNS) MICSYNC="$$($(SWIFT) build -c release --show-bin-path)/micsync" bash bench/bench.sh

clean:
	$(SWIFT) package clean

distclean:
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

# Remote locations are tested against a real OpenSSH server on 127.0.0.1 (scripts/loopback-sshd.sh
# starts one with its own keys, port and pid file). When sshd or ssh is missing: as root, install
# openssh-server and openssh-client with apt-get, like rsync above (the package may try to start
# its own service; the tests' server never uses it); otherwise say how and fail.
ssh:
	@if [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "the tests need the OpenSSH server and client, which are not installed. Install them with:" >&2; \
		echo "    sudo apt-get install openssh-server openssh-client" >&2; \
		exit 1; \
	fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "the tests need the OpenSSH server and client, which are not installed, and apt-get is not available: install them with your package manager." >&2; \
		exit 1; \
	fi; \
	echo "sshd or ssh is missing: installing openssh-server and openssh-client with apt-get"; \
	export DEBIAN_FRONTEND=noninteractive; \
	if ! apt-get install -y -qq openssh-server openssh-client >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq openssh-server openssh-client >/dev/null || exit 1; \
	fi; \
	[ -x /usr/sbin/sshd ] && command -v ssh >/dev/null 2>&1 || { echo "sshd or ssh is still not found after apt-get install" >&2; exit 1; }; \
	echo "OpenSSH installed: /usr/sbin/sshd, $$(command -v ssh)"

# The drive tests make real file systems in image files and mount them (as root): mkfs for ext4,
# btrfs, xfs, exFAT and NTFS, exfat-fuse and ntfs-3g to mount the last two (the kernel here has
# neither), setfattr and setfacl, which the probe's remote trial uses. Each package is installed
# only when its tool is missing, with apt-get as root, like rsync above.
DRIVE_TOOLS = mkfs.ext4:e2fsprogs mkfs.btrfs:btrfs-progs mkfs.xfs:xfsprogs mkfs.exfat:exfatprogs \
	mount.exfat-fuse:exfat-fuse ntfs-3g:ntfs-3g setfattr:attr setfacl:acl losetup:mount
drive-tools:
	@missing=""; \
	for pair in $(DRIVE_TOOLS); do \
		tool="$${pair%%:*}"; package="$${pair#*:}"; \
		PATH="$$PATH:/usr/sbin:/sbin" command -v "$$tool" >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "the drive tests need$$missing, which are not installed. Install them with:" >&2; \
		echo "    sudo apt-get install$$missing" >&2; \
		exit 1; \
	fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "the drive tests need$$missing, which are not installed, and apt-get is not available: install them with your package manager." >&2; \
		exit 1; \
	fi; \
	echo "installing the drive tools with apt-get:$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	if ! apt-get install -y -qq $$missing >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi; \
	for pair in $(DRIVE_TOOLS); do \
		tool="$${pair%%:*}"; \
		PATH="$$PATH:/usr/sbin:/sbin" command -v "$$tool" >/dev/null 2>&1 || { echo "$$tool is still not found after apt-get install" >&2; exit 1; }; \
	done; \
	echo "drive tools installed:$$missing"
