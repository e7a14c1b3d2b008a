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
#   make bench      benchmark against plain rsync (FILES=100000 RUNS=5 ROUNDS=1; needs hyperfine;
#                   ROUNDS=3: each comparison three times, the ratio's range over them;
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
ROUNDS ?= 1
bench: rsync build
	@$(INSTALL_MISSING) "make bench" hyperfine:hyperfine
	FILES=$(FILES) RUNS=$(RUNS) ROUNDS=$(ROUNDS) MICSYNC="$$($(RELEASE_BUILD) --show-bin-path)/micsync" bash bench/bench.sh

clean:
	$(SWIFT) package clean
	$(SWIFT) package clean --scratch-path "$(RELEASE_SCRATCH)"

distclean:
	rm -rf .build .swiftpm $(DIST)

# What the tests (and micsync) need, installed when missing by scripts/install-missing.sh: as
# root with apt-get (updating the package lists only when the first attempt fails); otherwise it
# says what to install and fails.
#   rsync:    micsync itself.
#   ssh:      remote locations are tested against a real OpenSSH server on 127.0.0.1
#             (scripts/loopback-sshd.sh starts one with its own keys, port and pid file; the
#             package may try to start its own service, which the tests never use).
#   faketime: a test runs micsync under libfaketime's LD_PRELOAD (which hides argc from Swift).
#   packaging-tools: the packaging tests check the .deb with dpkg-shlibdeps and lintian, read the
#             PKGBUILD with makepkg (which stops with "an unknown error" when no pacman is on the
#             PATH) and render the man page with man.
#   systemd:  --schedule checks calendars with systemd-analyze and names a drive's mount unit with
#             systemd-escape; both (and `systemd-analyze verify`) work without systemd running.
#   drive-tools: the drive tests make real ext4, btrfs, xfs, exFAT and NTFS file systems in image
#             files and mount them (exfat-fuse and ntfs-3g for the last two: the kernel here has
#             neither), and set extended attributes and ACLs.
INSTALL_MISSING = bash scripts/install-missing.sh
rsync:
	@$(INSTALL_MISSING) micsync rsync:rsync
ssh:
	@$(INSTALL_MISSING) "the tests" /usr/sbin/sshd:openssh-server ssh:openssh-client
faketime:
	@$(INSTALL_MISSING) "the tests" '/usr/lib/*/faketime/libfaketime.so.1:libfaketime'
packaging-tools:
	@$(INSTALL_MISSING) "the packaging tests" dpkg-shlibdeps:dpkg-dev lintian:lintian makepkg:makepkg pacman:pacman-package-manager man:man-db
systemd:
	@$(INSTALL_MISSING) "the tests" systemd-analyze:systemd systemd-escape:systemd
drive-tools:
	@$(INSTALL_MISSING) "the drive tests" mkfs.ext4:e2fsprogs mkfs.btrfs:btrfs-progs mkfs.xfs:xfsprogs mkfs.exfat:exfatprogs \
		mount.exfat-fuse:exfat-fuse ntfs-3g:ntfs-3g setfattr:attr setfacl:acl losetup:mount
