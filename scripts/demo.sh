#!/usr/bin/env bash
# A guided round trip with micsync in a throw-away folder: back up a WORK folder to two BACKUPs,
# change it, back it up again, restore a deleted file and recreate a folder skeleton.
#
#   scripts/demo.sh                 uses .build/debug/micsync (run `swift build` first)
#   MICSYNC=/path/to/micsync scripts/demo.sh
#   KEEP=1 scripts/demo.sh          keeps the temporary folder to look around afterwards
#
# `make demo` builds micsync and runs this script with MICSYNC set.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MICSYNC=${MICSYNC:-$root/.build/debug/micsync}
case $MICSYNC in /*) ;; *) MICSYNC=$PWD/$MICSYNC ;; esac
if [[ ! -x $MICSYNC ]]; then
    echo "demo: no micsync binary at $MICSYNC (run 'swift build' or 'make demo', or set MICSYNC)" >&2
    exit 1
fi
if ! command -v rsync >/dev/null 2>&1; then
    echo "demo: rsync is needed (make rsync installs it, or: sudo apt-get install rsync)" >&2
    exit 1
fi

demo=$(mktemp -d "${TMPDIR:-/tmp}/micsync-demo.XXXXXX")
demo=$(cd "$demo" && pwd -P)
# The demo's runs go into a history of its own in the demo folder, never into the user's
# ($XDG_STATE_HOME/micsync, default ~/.local/state/micsync).
export XDG_STATE_HOME=$demo/state
finish() {
    local status=$?
    if [[ $status -ne 0 ]]; then
        echo >&2
        echo "demo: FAILED (status $status); the demo folder is kept for inspection: $demo" >&2
    elif [[ ${KEEP:-0} == 1 ]]; then
        echo
        echo "KEEP=1: the demo folder is kept: $demo"
    else
        rm -rf -- "$demo"
        echo
        echo "Removed the demo folder $demo (run with KEEP=1 to keep it)."
    fi
}
trap finish EXIT

step() { printf '\n\n### %s\n' "$*"; }
say() { printf '# %s\n' "$@"; }

# List a folder's contents below it, folders with a trailing slash.
show() {
    echo "Contents of $1:"
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do
        if [[ -d $p ]]; then printf '    %s/\n' "${p#./}"; else printf '    %s\n' "${p#./}"; fi
    done)
}

# mic EXPECTED_STATUS ANSWERS ARG...: show the command as one would type it, run micsync with
# ANSWERS (lines, may be empty) on its standard input, and stop the demo if it does not end with
# EXPECTED_STATUS.
mic() {
    local expect=$1 answers=$2 status
    shift 2
    local shown
    shown="micsync$(printf ' %q' "$@")"
    if [[ -n $answers ]]; then
        echo "\$ printf '${answers//$'\n'/\\n}' | $shown"
        set +e
        printf '%s' "$answers" | "$MICSYNC" "$@"
        status=${PIPESTATUS[1]}
        set -e
    else
        echo "\$ $shown"
        set +e
        "$MICSYNC" "$@" </dev/null
        status=$?
        set -e
    fi
    echo "(exit status $status)"
    if [[ $status -ne $expect ]]; then
        echo "demo: expected exit status $expect from: $shown" >&2
        exit 1
    fi
}

# Fail the demo when what is on disc is not what the tour says.
check() {
    if ! eval "$1"; then
        echo "demo: check failed: $1" >&2
        exit 1
    fi
}

cd "$demo"
mkdir work backup1 backup2
cat > micsync.json <<JSON
{
  "configs": [
    {
      "name": "Documents",
      "work": ["$demo/work"],
      "backup": ["$demo/backup1", "$demo/backup2"]
    }
  ]
}
JSON

mkdir -p work/docs/letters work/docs/projects/alpha/data work/docs/projects/beta
echo "shopping: bread, milk" > work/docs/notes.txt
echo "1. call the bank"      > work/docs/todo.txt
echo "Dear bank, ..."        > "work/docs/letters/2024 letter to bank.txt"
echo "draft, to be thrown away" > work/docs/letters/draft.txt
echo "# Plan for alpha"      > work/docs/projects/alpha/plan.md
printf 'day,value\n1,42\n'   > work/docs/projects/alpha/data/readings.csv
echo "beta: not started"     > work/docs/projects/beta/readme.md

echo "micsync demo in $demo"
echo "micsync: $MICSYNC ($("$MICSYNC" --version))"
echo
say "The configuration (relative PATHs below are taken from the current folder, $demo):"
echo "\$ cat micsync.json"
cat micsync.json
echo
show work

step "1. First backup: WORK's docs folder is copied to both BACKUPs"
say "Nothing exists in the BACKUPs yet, so there is nothing to ask."
mic 0 "" --config micsync.json --backup work/docs
check '[[ -f "backup2/docs/letters/2024 letter to bank.txt" ]]'

step "2. Work goes on: modify a file, add one, delete one (in WORK only)"
echo "shopping: bread, milk, coffee" > work/docs/notes.txt
echo "an idea" > work/docs/ideas.txt
rm work/docs/letters/draft.txt
echo "\$ echo 'shopping: bread, milk, coffee' > work/docs/notes.txt"
echo "\$ echo 'an idea' > work/docs/ideas.txt"
echo "\$ rm work/docs/letters/draft.txt"

step "3a. Preview the second backup with -n (dry run: changes nothing, asks nothing)"
mic 0 "" --config micsync.json --backup -n work/docs
check 'grep -q coffee work/docs/notes.txt && ! grep -q coffee backup1/docs/notes.txt'

step "3b. The second backup: one 'Modify' answer for each BACKUP lets the change through"
say "A --backup never deletes: letters/draft.txt stays in the BACKUPs."
mic 0 $'m\nm\n' --config micsync.json --backup work/docs
check 'grep -q coffee backup1/docs/notes.txt && grep -q coffee backup2/docs/notes.txt'
check '[[ -f backup1/docs/ideas.txt && -f backup1/docs/letters/draft.txt ]]'

step "4. Oops: todo.txt is deleted in WORK; restore from BACKUP1 with --work -d"
rm work/docs/todo.txt
echo "scratch, not backed up" > work/docs/scratch.txt
echo "\$ rm work/docs/todo.txt"
echo "\$ echo 'scratch, not backed up' > work/docs/scratch.txt"
say "Before:"
show work/docs
say "-d offers to delete what BACKUP1 lacks (scratch.txt); answering 'n' keeps it." \
    "todo.txt comes back, and so does letters/draft.txt, which BACKUP1 still holds."
mic 0 $'n\n' --config micsync.json --work -d --from backup1 work/docs
say "After:"
show work/docs
check '[[ -f work/docs/todo.txt && -f work/docs/scratch.txt ]]'

step "5. Recreate a folder skeleton: projects/ is removed from WORK, --tree brings back its folders"
rm -r work/docs/projects
echo "\$ rm -r work/docs/projects"
say "Before:"
show work/docs
mic 0 "" --config micsync.json --tree --from backup1 work/docs
say "After: the folders are back, without the files (--tree copies folders only):"
show work/docs
check '[[ -d work/docs/projects/alpha/data && -d work/docs/projects/beta ]]'
check '[[ ! -e work/docs/projects/alpha/plan.md ]]'

echo
echo "Demo finished: every step ended as expected."
