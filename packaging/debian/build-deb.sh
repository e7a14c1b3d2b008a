#!/usr/bin/env bash
# Builds the Debian/Ubuntu package of micsync with dpkg-deb alone. Run by `make deb`:
#
#   build-deb.sh VERSION BINARY STAGE OUTDIR
#
# BINARY is the release build; STAGE holds what `make install-docs PREFIX=/usr DESTDIR=STAGE`
# generated (the man page and the completions). Writes OUTDIR/micsync_VERSION_ARCH.deb.
set -euo pipefail

version=$1 binary=$2 stage=$3 outdir=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repository=$(cd "$here/../.." && pwd)
arch=$(dpkg --print-architecture)
maintainer=${MAINTAINER:-"micsync maintainers <maintainers@users.noreply.r-seed-8ceab264.example>"}
[ -n "$version" ] || { echo "build-deb.sh: no version (micsyncVersion not found)" >&2; exit 1; }

# The shared-library part of Depends, as dpkg-shlibdeps would compute it but without dpkg-dev:
# for every symbol the binary takes from a library (and the version node it belongs to), the
# oldest package version providing it, from the symbols files dpkg keeps for the installed
# libraries; the newest of those per package. Prints "libc6 (>= 2.35), libgcc-s1 (>= 3.3), …".
library_depends() {
    local binary=$1 admindir=/var/lib/dpkg/info
    local needed used files=()
    needed=$(objdump -p "$binary" | awk '$1 == "NEEDED" { print $2 }')
    used=$(objdump -T "$binary" | awk '/\*UND\*/ {
        for (i = 1; i <= NF; i++) if ($i == "*UND*") { v = $(i + 2); gsub(/[()]/, "", v) }
        if (v != $NF) { print $NF "@" v; print v "@" v } }' | sort -u)
    for file in "$admindir"/*.symbols; do
        case $file in *:*) [[ $file == *":$arch.symbols" ]] || continue ;; esac
        files+=("$file")
    done
    local found
    found=$(awk -v needed="$needed" -v used="$used" '
        BEGIN { split(needed, n, "\n"); for (i in n) wanted[n[i]] = 1
                split(used, u, "\n"); for (i in u) uses[u[i]] = 1 }
        /^[^ |*#]/ { active = ($1 in wanted); package = $2; if (active) { print "soname " $1; print "package " package } next }
        active && /^ / && ($1 in uses) { print "needs " package " " $2 }
    ' "${files[@]}")
    local soname
    for soname in $needed; do
        grep -qxF "soname $soname" <<<"$found" || { echo "build-deb.sh: no dpkg symbols file describes $soname" >&2; return 1; }
    done
    local package best minimum depends=()
    for package in $(awk '$1 == "package" { print $2 }' <<<"$found" | sort -u); do
        best=""
        for minimum in $(awk -v p="$package" '$1 == "needs" && $2 == p { print $3 }' <<<"$found" | sort -u); do
            if [ -z "$best" ] || dpkg --compare-versions "$minimum" gt "$best"; then best=$minimum; fi
        done
        depends+=("$package${best:+ (>= $best)}")
    done
    local IFS=,
    sed 's/,/, /g' <<<"${depends[*]}"
}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
doc=usr/share/doc/micsync

install -D -m 755 "$binary" "$root/usr/bin/micsync"
strip --remove-section=.comment --remove-section=.note "$root/usr/bin/micsync"
install -d -m 755 "$root/usr/share/man/man1"
gzip -9n <"$stage/usr/share/man/man1/micsync.1" >"$root/usr/share/man/man1/micsync.1.gz"
install -D -m 644 "$stage/usr/share/bash-completion/completions/micsync" "$root/usr/share/bash-completion/completions/micsync"
install -D -m 644 "$stage/usr/share/zsh/site-functions/_micsync" "$root/usr/share/zsh/vendor-completions/_micsync"
install -D -m 644 "$stage/usr/share/fish/vendor_completions.d/micsync.fish" "$root/usr/share/fish/vendor_completions.d/micsync.fish"
install -D -m 644 "$repository/README.md" "$root/$doc/README.md"
install -D -m 644 "$here/copyright" "$root/$doc/copyright"

# The changelog of this native package: one entry for the version being built, dated by the last
# commit (or SOURCE_DATE_EPOCH), so that the same sources give the same package.
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repository" log -1 --format=%ct 2>/dev/null || date +%s)}
{
    echo "micsync ($version) unstable; urgency=medium"
    echo
    echo "  * micsync $version, the Swift rewrite of micsync 0.0.4. README.md in this folder"
    echo "    describes it and lists the differences from 0.0.4."
    echo
    echo " -- $maintainer  $(LC_ALL=C date -u -R -d "@$epoch")"
} | gzip -9n >"$root/$doc/changelog.gz"
chmod 644 "$root/$doc/changelog.gz"

libraries=$(library_depends "$root/usr/bin/micsync")
install -d -m 755 "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: micsync
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $libraries, rsync (>= 3.1)
Recommends: openssh-client
Section: utils
Priority: optional
Description: keep working folders and their backup copies in step, with rsync
 micsync keeps the folders you work in (WORK) and their copies (BACKUP:
 external drives, a second disc, a NAS, another machine over SSH) in step.
 One command backs a file or folder up to every plugged-in drive, fetches it
 back into the working copy, mirrors one backup onto another, or copies just
 the folder skeleton. Every file operation is done by rsync; before anything
 that exists is overwritten or deleted, micsync lists it and asks.
CONTROL
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 755 {} +

mkdir -p "$outdir"
package="$outdir/micsync_${version}_${arch}.deb"
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zxz --build "$root" "$package" >/dev/null
echo "$package"
