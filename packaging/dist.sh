#!/usr/bin/env bash
# Packs the single-file download of micsync. Run by `make dist`:
#
#   dist.sh VERSION BINARY STAGE OUTDIR
#
# BINARY is the release build; STAGE holds what `make install-docs PREFIX=/ DESTDIR=STAGE`
# generated (share/man/…, share/bash-completion/…, share/zsh/…, share/fish/…). Writes
# OUTDIR/micsync-VERSION-linux-ARCH.tar.gz, whose one folder is laid out like a PREFIX (bin/,
# share/) with README.md beside, and OUTDIR/…tar.gz.sha256 in `sha256sum -c` format.
set -euo pipefail

version=$1 binary=$2 stage=$3 outdir=$4
repository=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -n "$version" ] || { echo "dist.sh: no version (micsyncVersion not found)" >&2; exit 1; }
name="micsync-$version-linux-$(uname -m)"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
top="$root/$name"
install -D -m 755 "$binary" "$top/bin/micsync"
strip --remove-section=.comment --remove-section=.note "$top/bin/micsync"
cp -R "$stage/share" "$top/share"
install -m 644 "$repository/README.md" "$top/README.md"
find "$top" -type d -exec chmod 755 {} +
find "$top/share" -type f -exec chmod 644 {} +

# Dated by the last commit (or SOURCE_DATE_EPOCH) and stored in a fixed order with no owner, so
# that the same sources give the same archive.
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repository" log -1 --format=%ct 2>/dev/null || date +%s)}
mkdir -p "$outdir"
tar -C "$root" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" \
    | gzip -9n >"$outdir/$name.tar.gz"
(cd "$outdir" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
echo "$outdir/$name.tar.gz"
