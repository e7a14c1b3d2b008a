#!/usr/bin/env bash
# Writes micsync's man page (mdoc) for the binary MICSYNC: the one place where the page is made.
#
#   scripts/man-page.sh MICSYNC OUTPUT        e.g. scripts/man-page.sh .build/release/micsync micsync.1
#
# The options are generated from micsync's command-line definitions by generate-manual, the tool
# behind swift-argument-parser's generate-manual plugin (it reads `micsync --experimental-dump-help`).
# It is built from the resolved swift-argument-parser checkout (ARGUMENT_PARSER, default
# .build/checkouts/swift-argument-parser) in a scratch folder of its own (GENERATOR_SCRATCH,
# default .build/generate-manual), so that it never waits for (or blocks) a swift build or swift
# test running in .build. SWIFT names the swift driver (default swift).
#
# What the generator cannot know is written here: the SYNOPSIS (one line per action, taken from
# the USAGE block of `micsync --help`, instead of its `micsync subcommand [every flag]`), the real
# EXIT STATUS (instead of `.Ex -std`), ENVIRONMENT, FILES and SEE ALSO; and the `help`
# subcommand it lists, which micsync does not have, is left out. An empty line the generator
# leaves in the page becomes the paragraph macro .Pp (man would warn about it).
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: scripts/man-page.sh MICSYNC OUTPUT" >&2
    exit 2
fi
micsync=$1
output=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SWIFT=${SWIFT:-swift}
ARGUMENT_PARSER=${ARGUMENT_PARSER:-$root/.build/checkouts/swift-argument-parser}
GENERATOR_SCRATCH=${GENERATOR_SCRATCH:-$root/.build/generate-manual}

if [[ ! -x $micsync ]]; then
    echo "man-page: no micsync binary at $micsync" >&2
    exit 1
fi
# Two makes at once (the tests run `make install-docs` and `make deb` side by side) would build
# the generator in one scratch folder together, which SwiftPM refuses: one waits for the other.
mkdir -p "$GENERATOR_SCRATCH"
exec 9>"$GENERATOR_SCRATCH.lock"
flock 9
if [[ ! -f $ARGUMENT_PARSER/Package.swift ]]; then (cd "$root" && "$SWIFT" package resolve ${RELEASE_SCRATCH:+--scratch-path "$RELEASE_SCRATCH"}); fi
"$SWIFT" build --package-path "$ARGUMENT_PARSER" --scratch-path "$GENERATOR_SCRATCH" --product generate-manual >&2
generator="$("$SWIFT" build --package-path "$ARGUMENT_PARSER" --scratch-path "$GENERATOR_SCRATCH" --show-bin-path)/generate-manual"
flock -u 9

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$generator" "$micsync" --output-directory "$work"
generated=$work/micsync.1

# The USAGE block of --help, one line per form ("micsync --backup [-m] … PATH..."), then the
# "selection: …" line.
"$micsync" --help | awk '
    /^USAGE: / { on = 1; sub(/^USAGE: +/, ""); print; next }
    on && /^ *$/ { exit }
    on { sub(/^ +/, ""); print }
' > "$work/usage"
grep -q '^micsync --backup' "$work/usage" || { echo "man-page: no USAGE block in micsync --help" >&2; exit 1; }

# Each usage line as mdoc: "--x" → Fl -x, "[…]" → Op, WORDS → Ar, "PATH..." → Ar PATH ...;
# in SYNOPSIS every .Nm starts a new line.
awk '
    function word(text,    out) {
        if (text == "|") return "|"
        if (text ~ /^-/) return "Fl " substr(text, 2)
        if (text ~ /\.\.\.$/) return "Ar " substr(text, 1, length(text) - 3) " ..."
        return "Ar " text
    }
    function words(text,    parts, count, index_, out) {
        count = split(text, parts, / +/)
        out = ""
        for (index_ = 1; index_ <= count; index_++) if (parts[index_] != "") out = out (out == "" ? "" : " ") word(parts[index_])
        return out
    }
    function macros(text,    rest, close_, group, repeated) {
        rest = text
        while (rest != "") {
            sub(/^ +/, "", rest)
            if (rest == "") break
            if (substr(rest, 1, 1) == "[") {
                close_ = index(rest, "]")
                group = substr(rest, 2, close_ - 2)
                rest = substr(rest, close_ + 1)
                repeated = ""
                if (substr(rest, 1, 3) == "...") { repeated = " ..."; rest = substr(rest, 4) }
                print ".Op " words(group) repeated
            } else {
                match(rest, /^[^ ]+/)
                print "." words(substr(rest, 1, RLENGTH))
                rest = substr(rest, RLENGTH + 1)
            }
        }
    }
    /^micsync / { print ".Nm"; macros(substr($0, 9)); next }
    /^selection: / { print ".Pp"; print "where"; print ".Ar selection"; print "is:"; macros(substr($0, 12)) }
' "$work/usage" > "$work/synopsis"

cat > "$work/sections" <<'EOF'
.Sh ENVIRONMENT
.Bl -tag -width Ds
.It Ev MICSYNC_CONFIG
The configuration file, when
.Fl -config
is not given (an empty value counts as unset).
.It Ev XDG_STATE_HOME
Where the history is kept (default
.Pa ~/.local/state ) .
.It Ev TMPDIR
Where the temporary file lists for rsync are written (default
.Pa /tmp ) .
.It Ev NO_COLOR
No colour, unless
.Fl -color Cm always .
.El
.Sh FILES
.Bl -tag -width Ds
.It Pa ~/.micsync.json
The configuration file (the configs, each with its WORK and BACKUP locations), unless
.Fl -config Ar FILE
or
.Ev MICSYNC_CONFIG
names another.
.Nm Fl -init
creates or extends it.
.It Pa $XDG_STATE_HOME/micsync/history.jsonl
The history: one JSON line for each destination a run finished (default
.Pa ~/.local/state/micsync/history.jsonl ) ,
shown by
.Nm Fl -history
and used by
.Nm Fl -status
for the last completed copy.
.It Pa .micsync-location
The marker file in a location, for
.Qq require_marker : true
.Pq Nm Fl -mark .
.It Pa .micsync-trash/
Where
.Fl k
moves overwritten and deleted files, in the destination location.
.El
.Sh EXIT STATUS
.Bl -tag -width 4n
.It 0
Done, or nothing to do (also: a
.Fl v
command answered no).
.It 1
A copy failed or was incomplete: rsync reported an error, a PATH was missing from the source,
a non-folder stands where a folder should be (left alone), items changed in the destination
after the preview were left alone, another micsync run holds a destination (without
.Fl -wait ) ,
.Fl d Ns / Ns Fl D
from an empty source location, no accessible source or destination,
.Fl -transfer
with fewer than two accessible BACKUPs, an
.Fl -unattended
run that left modified items or deletions, a
.Fl -max-delete Ns / Ns Fl -max-overwrite
limit reached, items the destination's drive cannot store (listed before anything is copied).
.It 2
Usage or configuration error; nothing changed.
.It 3
Cancelled: answer q, or standard input ended at a question.
.It 130
Interrupted by Ctrl-C, at a question or while copying.
.El
.Pp
.Nm Fl -status
exits 0 when every location was compared and every BACKUP is in step with every WORK; 1 when a
BACKUP differs or a BACKUP is stale (no completed copy within its config's
.Dq stale_after_days ) ;
4 when nothing differs where compared but a location is missing or unreachable,
so it was not compared; 2 on an error; 130 when interrupted.
.Sh SEE ALSO
.Xr rsync 1 ,
.Xr ssh 1
EOF

# SYNOPSIS replaced; the help subcommand (from ".It Em help" to the .El of its own list) left
# out; the sections above in place of ".Sh EXIT STATUS" and its ".Ex -std".
awk -v synopsis="$work/synopsis" -v sections="$work/sections" '
    function insert(file,    line) { while ((getline line < file) > 0) print line; close(file) }
    /^\.Sh SYNOPSIS$/ { print; insert(synopsis); skipping = 1; next }
    skipping && /^\.Sh / { skipping = 0 }
    skipping { next }
    /^\.It Em help$/ { dropping = 1; next }
    dropping { if ($0 == ".El") dropping = 0; next }
    /^\.Sh "EXIT STATUS"$/ { insert(sections); exiting = 1; next }
    exiting && /^\.Ex / { exiting = 0; next }
    /^$/ { print ".Pp"; next }
    { print }
' "$generated" > "$work/micsync.1.new"

grep -q '^\.Sh FILES$' "$work/micsync.1.new" || { echo "man-page: the generated page had no EXIT STATUS section to replace" >&2; exit 1; }
mkdir -p "$(dirname "$output")"
cp "$work/micsync.1.new" "$output"
