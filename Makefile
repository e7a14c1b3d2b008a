# micsync: build, test, demo and install.
#
#   make build      release build, the Swift runtime linked in (needs no Swift to run)
#   make test       swift test against that release binary (installs rsync, OpenSSH, the drive
#                   tools and the packaging tools first if they are missing: the end-to-end tests
#                   of remote locations run a real sshd on 127.0.0.1, those of drives mount real
#                   ext4, btrfs, xfs, exFAT and NTFS images, those of the packages build them)
#   make demo       debug build, then a guided round trip: scripts/demo.sh
#   make install    release binary to $(DESTDIR)$(PREFIX)/bin/micsync, plus install-docs
#   make install-docs  man page and bash/zsh/fish completions to $(DESTDIR)$(PREFIX)/share/…
#                   (generated from the binary MICSYNC=…, default the release build)
#   make deb        Debian/Ubuntu package: $(DIST)/micsync_VERSION_ARCH.deb (dpkg-deb; DIST=dist,
#                   MAINTAINER="Name <address>" sets its Maintainer field)
#   make dist       single-file download: $(DIST)/micsync-VERSION-linux-ARCH.tar.gz and its .sha256
#   make clean      remove build products (fetched dependencies are kept)
#   make distclean  remove .build entirely
#   make rsync      install rsync if it is missing (apt-get, as root)
#   make ssh        install openssh-server and openssh-client if sshd or ssh is missing (same way)
#   make faketime   install libfaketime if it is missing (same way; a test runs micsync under it)
#   make packaging-tools  install dpkg-dev, lintian, makepkg, pacman and man if missing (same way)
#   make systemd    install systemd if systemd-analyze or systemd-escape is missing (same way; the
#                   schedule tests check the generated units with them, no running systemd needed)
#   make drive-tools  install the tools the tests use to make and mount real drives (same way)
#   make bench      benchmark against plain rsync (FILES=100000 RUNS=5; needs hyperfine;
#                   CASES=drives: three BACKUPs on three tmpfs mounts against one, as root)

SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
DIST ?= dist

# The version, read from the one place the code keeps it (micsyncVersion, what --version prints).
VERSION := $(shell sed -n 's/^public let micsyncVersion = "\([^"]*\)"$$/\1/p' Sources/MicsyncCLI/MicsyncCommand.swift)

# The release binary links the Swift runtime in (--static-swift-stdlib) and has no $ORIGIN search
# path, so it loads nothing from the toolchain: it runs where Swift was never installed. It is
# built in a scratch folder of its own, so that `make deb` run by a test inside `swift test` (which
# holds .build) never waits for it.
RELEASE_SCRATCH ?= .build/static-release
RELEASE_BUILD = $(SWIFT) build -c release --static-swift-stdlib --disable-local-rpath --scratch-path "$(RELEASE_SCRATCH)"

.PHONY: all build debug test demo install install-docs deb dist clean distclean rsync ssh faketime packaging-tools systemd drive-tools bench

all: build

build:
	$(RELEASE_BUILD)

debug:
	$(SWIFT) build

# The whole suite runs against the release binary, the one the packages ship.
test: rsync ssh drive-tools faketime packaging-tools systemd build
	MICSYNC_BINARY="$$($(RELEASE_BUILD) --show-bin-path)/micsync" $(SWIFT) test

demo: rsync debug
	MICSYNC="$$($(SWIFT) build --show-bin-path)/micsync" bash scripts/demo.sh

install: build install-docs
	install -D -m 755 "$$($(RELEASE_BUILD) --show-bin-path)/micsync" "$(DESTDIR)$(PREFIX)/bin/micsync"

# The man page and the completion scripts, generated from the command-line definitions of the
# binary MICSYNC (default: the release build). The man page is made by scripts/man-page.sh (the
# one place that makes it: generate-manual's page with the real synopsis, exit statuses and the
# FILES section), which builds generate-manual from ARGUMENT_PARSER in GENERATOR_SCRATCH; the
# scripts come from `micsync --generate-completion-script SHELL`.
MICSYNC ?=
ARGUMENT_PARSER ?= $(RELEASE_SCRATCH)/checkouts/swift-argument-parser
GENERATOR_SCRATCH ?= .build/generate-manual

install-docs: $(if $(MICSYNC),,build)
	@set -e; \
	micsync="$(MICSYNC)"; \
	if [ -z "$$micsync" ]; then micsync="$$($(RELEASE_BUILD) --show-bin-path)/micsync"; fi; \
	if [ ! -x "$$micsync" ]; then echo "install-docs: no micsync binary at $$micsync" >&2; exit 1; fi; \
	work="$$(mktemp -d)"; trap 'rm -rf "$$work"' EXIT; \
	SWIFT="$(SWIFT)" RELEASE_SCRATCH="$(RELEASE_SCRATCH)" ARGUMENT_PARSER="$(ARGUMENT_PARSER)" GENERATOR_SCRATCH="$(GENERATOR_SCRATCH)" bash scripts/man-page.sh "$$micsync" "$$work/micsync.1"; \
	for shell in bash zsh fish; do "$$micsync" --generate-completion-script "$$shell" > "$$work/completion.$$shell"; done; \
	install -D -m 644 "$$work/micsync.1" "$(DESTDIR)$(PREFIX)/share/man/man1/micsync.1"; \
	install -D -m 644 "$$work/completion.bash" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/micsync"; \
	install -D -m 644 "$$work/completion.zsh" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_micsync"; \
	install -D -m 644 "$$work/completion.fish" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/micsync.fish"; \
	echo "installed the man page and the bash, zsh and fish completions under $(DESTDIR)$(PREFIX)/share"

# The packages: the release binary and what `make install-docs` generates from it (the one place
# the man page and the completions are made), staged under a temporary folder, then laid out and
# packed by packaging/debian/build-deb.sh and packaging/dist.sh. Both write into DIST.
deb: build
	@set -e; bin="$$($(RELEASE_BUILD) --show-bin-path)/micsync"; \
	stage="$$(mktemp -d)"; trap 'rm -rf "$$stage"' EXIT; \
	$(MAKE) --no-print-directory install-docs MICSYNC="$$bin" DESTDIR="$$stage" PREFIX=/usr >/dev/null; \
	bash packaging/debian/build-deb.sh "$(VERSION)" "$$bin" "$$stage" "$(DIST)"

dist: build
	@set -e; bin="$$($(RELEASE_BUILD) --show-bin-path)/micsync"; \
	stage="$$(mktemp -d)"; trap 'rm -rf "$$stage"' EXIT; \
	$(MAKE) --no-print-directory install-docs MICSYNC="$$bin" DESTDIR="$$stage" PREFIX=/ >/dev/null; \
	bash packaging/dist.sh "$(VERSION)" "$$bin" "$$stage" "$(DIST)"

FILES ?= 100000
RUNS ?= 5
bench: rsync build
	@command -v hyperfine >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq hyperfine >/dev/null; } || { echo "make bench needs hyperfine: sudo apt-get install hyperfine" >&2; exit 1; }
	FILES=$(FILES) RUNS=$(RUNS) MICSYNC="$$($(RELEASE_BUILD) --show-bin-path)/micsync" bash bench/bench.sh

clean:
	$(SWIFT) package clean
	$(SWIFT) package clean --scratch-path "$(RELEASE_SCRATCH)"

distclean:
	rm -rf .build .swiftpm $(DIST)

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

# A test runs micsync under libfaketime's LD_PRELOAD (which hides the argument count from Swift).
# When the library is missing: as root, install Debian's libfaketime with apt-get, like rsync above.
faketime:
	@for library in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do [ -e "$$library" ] && exit 0; done; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
		echo "the tests need libfaketime, which is not installed. Install it with:" >&2; \
		echo "    sudo apt-get install libfaketime" >&2; \
		exit 1; \
	fi; \
	echo "libfaketime is missing: installing it with apt-get"; \
	export DEBIAN_FRONTEND=noninteractive; \
	if ! apt-get install -y -qq libfaketime >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq libfaketime >/dev/null || exit 1; \
	fi

# The packaging tests build the .deb and check it with dpkg-shlibdeps (dpkg-dev) and lintian, read
# the PKGBUILD with makepkg (which stops with "an unknown error" when no pacman is on the PATH) and
# render the man page with man. Whatever is missing is installed like rsync above.
PACKAGING_TOOLS = dpkg-shlibdeps:dpkg-dev lintian:lintian makepkg:makepkg pacman:pacman-package-manager man:man-db
packaging-tools:
	@missing=""; for pair in $(PACKAGING_TOOLS); do \
		command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
		echo "the packaging tests need$$missing, which are not installed. Install them with:" >&2; \
		echo "    sudo apt-get install$$missing" >&2; \
		exit 1; \
	fi; \
	echo "installing$$missing with apt-get"; \
	export DEBIAN_FRONTEND=noninteractive; \
	if ! apt-get install -y -qq $$missing >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi; \
	for pair in $(PACKAGING_TOOLS); do \
		command -v "$${pair%%:*}" >/dev/null 2>&1 || { echo "$${pair%%:*} is still not found after apt-get install" >&2; exit 1; }; \
	done

# --schedule checks calendars with systemd-analyze and names a drive's mount unit with
# systemd-escape; the tests run both (and `systemd-analyze verify` on the generated units), which
# work without systemd running. When either is missing: as root, install systemd with apt-get.
systemd:
	@if command -v systemd-analyze >/dev/null 2>&1 && command -v systemd-escape >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "the tests need systemd-analyze and systemd-escape, which are not installed. Install them with:" >&2; \
		echo "    sudo apt-get install systemd" >&2; \
		exit 1; \
	fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "the tests need systemd-analyze and systemd-escape, and apt-get is not available: install systemd with your package manager." >&2; \
		exit 1; \
	fi; \
	echo "systemd-analyze or systemd-escape is missing: installing systemd with apt-get"; \
	export DEBIAN_FRONTEND=noninteractive; \
	if ! apt-get install -y -qq systemd >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq systemd >/dev/null || exit 1; \
	fi; \
	command -v systemd-analyze >/dev/null 2>&1 && command -v systemd-escape >/dev/null 2>&1 || { echo "systemd-analyze or systemd-escape is still not found after apt-get install" >&2; exit 1; }; \
	echo "systemd installed: $$(command -v systemd-analyze)"

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
