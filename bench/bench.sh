#!/usr/bin/env bash
# Times micsync against the plain rsync command that does the same job, side by side in one
# hyperfine run per case, and prints the ratio of medians. Also micsync 0.0.4 when installed
# (pip install micsync==0.0.4.dev1), and micsync's own peak memory in each case (one more run).
#   FILES=100000 RUNS=5 bash bench/bench.sh      (make bench FILES=... does the same)
#   ROUNDS=3: each comparison (but the three-drives ones) is run three times, one hyperfine run
#     after another, and the ratio is given with its range over the rounds
#   CASES=unchanged: only the unchanged-tree cases and memory (for very large trees, e.g. 1000000)
#   CASES=ssh: only --backup of an unchanged tree to a BACKUP reached over SSH, a real sshd on
#     127.0.0.1 started by scripts/loopback-sshd.sh (also run by CASES=all)
#   CASES=drives: only "three drives": --backup to three BACKUPs on separate tmpfs mounts
#     against one (first copy; first copy to slow drives, a shim rsync adding --bwlimit; the
#     unchanged tree). Needs root (mount). Also run by CASES=all when root.
set -euo pipefail
cd "$(dirname "$0")/.."

FILES=${FILES:-100000}
CASES=${CASES:-all}
RUNS=${RUNS:-5}
ROUNDS=${ROUNDS:-1}
DIR=${BENCH_DIR:-/dev/shm/micsync-bench-$FILES}
MICSYNC=${MICSYNC:-$PWD/.build/static-release/release/micsync}
OUT=$DIR/results
for tool in hyperfine rsync python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
[ -x "$MICSYNC" ] || make build
LEGACY=""
if python3 -c 'import micsync.micsync' 2>/dev/null; then LEGACY="python3 -m micsync"; fi

echo "# tree: $FILES files of 10 B-2 KB in $((FILES / 100 > 0 ? FILES / 100 : 1)) folders, in $DIR"
# .complete says which trees were made: "small" (work, b1, b2) or "full" (all of them).
TREES=full
if [ "$CASES" = unchanged ] || [ "$CASES" = ssh ] || [ "$CASES" = drives ]; then TREES=small; fi
MADE=$(cat "$DIR/.complete" 2>/dev/null || true)
if [ "$MADE" != full ] && [ "$MADE" != "$TREES" ]; then
    rm -rf "$DIR" && mkdir -p "$DIR"
    # Each small file takes a page on tmpfs: the unchanged cases make do with three copies.
    if [ "$TREES" = small ]; then
        python3 bench/make_tree.py "$DIR/work" "$FILES"
        for copy in b1 b2; do rsync -a "$DIR/work/" "$DIR/$copy/"; done
    else
        python3 bench/make_tree.py "$DIR/ref" "$FILES"
        for copy in work b1 b2 mod del bm wd; do rsync -a "$DIR/ref/" "$DIR/$copy/"; done
    fi
    if [ "$TREES" = full ]; then
        python3 bench/change_tree.py "$DIR/mod" modify
        python3 bench/change_tree.py "$DIR/del" delete
    fi
    echo "$TREES" >"$DIR/.complete"
fi
mkdir -p "$OUT" "$DIR/empty" "$DIR/home"
rm -f "$OUT"/*.json "$OUT"/*.name "$OUT"/*.mem

config() {  # config NAME WORK BACKUP... → a config file with one config
    local name=$1 work=$2; shift 2
    local backups; backups=$(printf '"%s",' "$@"); backups=${backups%,}
    printf '{"configs":[{"name":"%s","work":["%s"],"backup":[%s]}]}\n' "$name" "$DIR/$work" "$backups" >"$DIR/$name.json"
}
config one work "$DIR/b1"
# The same without ACLs and extended attributes ("acls_xattrs": false): what keeping them costs.
printf '{"configs":[{"name":"lean","work":["%s"],"backup":["%s"],"acls_xattrs":false}]}\n' "$DIR/work" "$DIR/b1" >"$DIR/lean.json"
config two work "$DIR/b1" "$DIR/b2"
config modified mod "$DIR/bm"
config deleted wd "$DIR/del"
config first work "$DIR/first"
reset() { echo "rsync -a --delete $DIR/$1/ $DIR/$2/"; }
# The plain rsync that keeps what micsync keeps by default: hard links, ACLs, extended
# attributes, sparse files, and numeric owners as root. Each case is measured against it.
SAME="rsync -aHAXS"
if [ "$(id -u)" = 0 ]; then SAME="rsync -aHAXS --numeric-ids"; fi
M="$MICSYNC --config $DIR"
CASE=0

# case NAME PREPARE MICSYNC-COMMAND... -- RSYNC-COMMAND
case_() {
    local name=$1 prepare=$2; shift 2
    local commands=() names=() ours=0
    while [ "$1" != "--" ]; do
        ours=$((ours + 1))
        commands+=("$1")
        names+=("$(printf '%s' "$1" | sed "s#$MICSYNC#micsync#; s#--config $DIR/[a-z]*.json ##; s#$DIR/##g")")
        shift
    done
    shift
    local legacy=${LEGACY_COMMAND:-}
    if [ -n "$LEGACY" ] && [ -n "$legacy" ]; then commands+=("$legacy"); names+=("micsync 0.0.4, same job"); fi
    commands+=("$1"); names+=("$(printf '%s' "$1" | sed "s#$DIR/##g")")
    CASE=$((CASE + 1))
    local args=(--runs "$RUNS" --warmup 1 --style none --export-json "$OUT/$(printf '%02d' "$CASE").json")
    printf '%s\n' "$name" >"$OUT/$(printf '%02d' "$CASE").name"
    [ -n "$prepare" ] && args+=(--prepare "$prepare")
    for i in "${!commands[@]}"; do args+=(--command-name "${names[$i]}" "${commands[$i]}"); done
    hyperfine "${args[@]}" >/dev/null
    # More rounds of the same comparison (ROUNDS=N): the spread of the ratio between them.
    local round
    for ((round = 2; round <= ROUNDS; round++)); do
        args[7]="$OUT/$(printf '%02d' "$CASE").r$round.json"
        hyperfine "${args[@]}" >/dev/null
    done
    # micsync's own peak memory: one more run of each of its commands, prepared as above.
    for ((i = 0; i < ours; i++)); do
        if [[ "${commands[$i]}" != *"$MICSYNC"* ]]; then echo "–" >>"$OUT/$(printf '%02d' "$CASE").mem"; continue; fi
        [ -n "$prepare" ] && bash -c "$prepare" >/dev/null
        python3 bench/peak_memory.py --shell "${commands[$i]}" >>"$OUT/$(printf '%02d' "$CASE").mem"
    done
    echo "done: $name" >&2
}
legacy_config() { cp "$DIR/$1.json" "$DIR/home/.micsync.json"; }
L="env HOME=$DIR/home $LEGACY"

if [ "$CASES" != ssh ] && [ "$CASES" != drives ]; then
# 1. Unchanged trees: the preview's dry run is the only pass.
legacy_config one
LEGACY_COMMAND="$L --backup $DIR/work" case_ "unchanged --backup" "" \
    "$M/one.json --backup $DIR/work" "$M/lean.json --config-name lean --backup $DIR/work" "rsync -a $DIR/work/ $DIR/b1/" -- "$SAME $DIR/work/ $DIR/b1/"
legacy_config one
LEGACY_COMMAND="$L --work -d $DIR/work" case_ "unchanged --work -d" "" \
    "$M/two.json --work -d --from $DIR/b1 $DIR/work" -- "$SAME --delete $DIR/b1/ $DIR/work/"
LEGACY_COMMAND="" case_ "unchanged --transfer -d" "" \
    "$M/two.json --transfer -d --from $DIR/b1 --to $DIR/b2 $DIR/b1" -- "$SAME --delete $DIR/b1/ $DIR/b2/"
legacy_config one
LEGACY_COMMAND="$L --tree $DIR/work" case_ "unchanged --tree" "" \
    "$M/two.json --tree --from $DIR/b1 $DIR/work" -- "$SAME --include=*/ --exclude=* $DIR/b1/ $DIR/work/"
fi

if [ "$CASES" != unchanged ] && [ "$CASES" != ssh ] && [ "$CASES" != drives ]; then
# 2. 1 % of the files modified in WORK, answered yes.
legacy_config modified
LEGACY_COMMAND="printf 'Modify\n' | $L --backup $DIR/mod" case_ "1% modified --backup" "$(reset ref bm)" \
    "$M/modified.json --backup -m $DIR/mod" "printf 'm\n' | $M/modified.json --backup $DIR/mod" \
    -- "$SAME $DIR/mod/ $DIR/bm/"

# 2b. One file modified, the one micsync's own comparison of the trees reaches last (the last
#     entry of the last folder in the file system's order): the comparison's whole cost, then the
#     dry run, as in the worst case of an almost unchanged tree.
last_folder=$(ls -f "$DIR/work" | grep -v '^\.' | tail -1)
last_file=$last_folder/$(ls -f "$DIR/work/$last_folder" | grep -v '^\.' | tail -1)
LEGACY_COMMAND="" case_ "1 file modified, compared last" "touch -m -d 2000-01-01 $DIR/b1/$last_file" \
    "$M/one.json --backup -m $DIR/work" -- "$SAME $DIR/work/ $DIR/b1/"

# 3. First copy into an empty BACKUP: nothing to overwrite, one run.
legacy_config first
LEGACY_COMMAND="printf 'Modify\n' | $L --backup $DIR/work" case_ "first copy --backup" "rm -rf $DIR/first && mkdir $DIR/first" \
    "$M/first.json --backup $DIR/work" "$M/first.json --backup -m $DIR/work" -- "$SAME $DIR/work/ $DIR/first/"

# 3b. New files into a BACKUP that holds other files: the preview, then the apply.
LEGACY_COMMAND="" case_ "new files into a BACKUP holding others" "rm -rf $DIR/first && mkdir $DIR/first && echo other >$DIR/first/other" \
    "$M/first.json --backup $DIR/work" -- "$SAME $DIR/work/ $DIR/first/"

# 4. 1 % of the files deleted in the BACKUP source, --work -d answered yes.
legacy_config deleted
LEGACY_COMMAND="printf 'Modify\nDelete\nDelete\n' | $L --work -d $DIR/wd" case_ "1% deleted --work -d" "$(reset ref wd)" \
    "printf 'd\n' | $M/deleted.json --work -d --from $DIR/del $DIR/wd" -- "$SAME --delete $DIR/del/ $DIR/wd/"
fi

if [ "$CASES" != unchanged ] && [ "$CASES" != drives ]; then
# 5. Unchanged tree, --backup to a BACKUP on a real OpenSSH server on 127.0.0.1 (this machine's
#    b1 reached through SSH): the preview's dry run crosses the connection. Twice: with this
#    account's own login (its ~/.bashrc runs for every command over SSH), and as root with a lean
#    login (an empty ~/.bashrc, as on a NAS), which shows micsync's own share.
ssh_case() {  # ssh_case NAME [LEAN_LOGIN]
    local sshd=$DIR/sshd-$1 port
    bash scripts/loopback-sshd.sh stop "$sshd"  # one left by an interrupted run
    port=$(LEAN_LOGIN=${2:-} bash scripts/loopback-sshd.sh start "$sshd")
    printf '{"configs":[{"name":"ssh","work":["%s"],"backup":["ssh://127.0.0.1:%s%s"],"ssh":["-F","%s"]}]}\n' \
        "$DIR/work" "$port" "$DIR/b1" "$sshd/ssh_config" >"$DIR/ssh-$1.json"
    LEGACY_COMMAND="" case_ "unchanged --backup over ssh ($1 login)" "" \
        "$M/ssh-$1.json --backup $DIR/work" -- "$SAME -e 'ssh -F $sshd/ssh_config' $DIR/work/ 127.0.0.1:$DIR/b1/"
    bash scripts/loopback-sshd.sh stop "$sshd"
}
trap 'bash scripts/loopback-sshd.sh stop "$DIR/sshd-own"; bash scripts/loopback-sshd.sh stop "$DIR/sshd-lean"' EXIT
ssh_case own
if [ "$(id -u)" = 0 ]; then ssh_case lean 1; fi
fi

# 6. Three drives: --backup to three BACKUPs, each on a tmpfs mount of its own (a device of its
#    own), against the same to one of them. The first copy is CPU-bound here (tmpfs, 2 cores);
#    drives whose write speed is the limit (USB discs, SD cards) are modelled by a shim rsync
#    first in PATH that adds --bwlimit to the runs that copy (not to the previews' dry runs).
DRIVES_OUT=$DIR/results-drives
if [ "$CASES" = drives ] || { [ "$CASES" = all ] && [ "$(id -u)" = 0 ]; }; then
    mkdir -p "$DRIVES_OUT" && rm -f "$DRIVES_OUT"/*.json "$DRIVES_OUT"/*.name
    size_kb=$(du -sk --apparent-size "$DIR/work" | cut -f1)
    for i in 1 2 3; do
        mkdir -p "$DIR/drive$i"
        mountpoint -q "$DIR/drive$i" || mount -t tmpfs -o size=$((FILES * 8 / 1024 + size_kb / 1024 + 64))m tmpfs "$DIR/drive$i"
    done
    trap 'for i in 1 2 3; do umount "$DIR/drive$i" 2>/dev/null || true; done' EXIT
    printf '{"configs":[{"name":"d1","work":["%s"],"backup":["%s"]}]}\n' "$DIR/work" "$DIR/drive1/b" >"$DIR/drives1.json"
    printf '{"configs":[{"name":"d3","work":["%s"],"backup":["%s","%s","%s"]}]}\n' "$DIR/work" "$DIR/drive1/b" "$DIR/drive2/b" "$DIR/drive3/b" >"$DIR/drives3.json"
    # A slow drive writes the tree in about 8 s: the limit, not the CPUs, decides.
    BWLIMIT=${BWLIMIT:-$((size_kb / 8 + 1))}
    mkdir -p "$DIR/slow"
    printf '#!/bin/sh\nfor a in "$@"; do case "$a" in --dry-run|--version) exec %s "$@";; esac; done\nexec %s --bwlimit=%s "$@"\n' \
        "$(command -v rsync)" "$(command -v rsync)" "$BWLIMIT" >"$DIR/slow/rsync"
    chmod +x "$DIR/slow/rsync"
    empty="rm -rf $DIR/drive1/b $DIR/drive2/b $DIR/drive3/b && mkdir $DIR/drive1/b $DIR/drive2/b $DIR/drive3/b"
    drives_case() {  # drives_case NAME PREPARE ENV
        local name=$1 prepare=$2 env=$3 n=$(($(ls "$DRIVES_OUT" | grep -c json) + 1))
        local args=(--runs "$RUNS" --warmup 1 --style none --export-json "$DRIVES_OUT/$n.json")
        [ -n "$prepare" ] && args+=(--prepare "$prepare")
        printf '%s\n' "$name" >"$DRIVES_OUT/$n.name"
        hyperfine "${args[@]}" \
            --command-name "three drives, side by side" "$env $MICSYNC --config $DIR/drives3.json --backup $DIR/work" \
            --command-name "three drives, --parallel 1" "$env $MICSYNC --config $DIR/drives3.json --backup --parallel 1 $DIR/work" \
            --command-name "one drive" "$env $MICSYNC --config $DIR/drives1.json --backup $DIR/work" >/dev/null
        echo "done: $name" >&2
    }
    drives_case "first copy, three drives" "$empty" "env"
    drives_case "first copy, three slow drives (--bwlimit=$BWLIMIT)" "$empty" "env PATH=$DIR/slow:$PATH"
    for i in 1 2 3; do rsync -a --delete "$DIR/work/" "$DIR/drive$i/b/"; done
    drives_case "unchanged tree, three drives" "" "env"
    for i in 1 2 3; do umount "$DIR/drive$i"; done
    trap - EXIT
    echo
    echo "## three drives: $FILES files ($((size_kb / 1024)) MiB), $(nproc) cores; ratio = median / one drive's median"
    python3 bench/ratios.py "$DRIVES_OUT"/*.json | sed 's/plain rsync median/one drive median/'
    if [ "$CASES" = drives ]; then exit 0; fi
fi

echo
echo "## micsync $("$MICSYNC" --version | cut -d' ' -f2), $FILES files, $(nproc) cores, $(date +%F); ratio = median / plain rsync median"
python3 bench/ratios.py $(ls "$OUT"/*.json | grep -v "\.r[0-9]*\.json$")

if [ "$CASES" = ssh ]; then exit 0; fi
echo
echo "## micsync's own peak resident memory (MiB)"
rm -rf "$DIR/first" && mkdir "$DIR/first"
echo "previewing $FILES new files (-n, first copy): $(python3 bench/peak_memory.py $M/first.json --backup -n $DIR/work)"
echo "unchanged tree, --backup: $(python3 bench/peak_memory.py $M/one.json --backup $DIR/work)"

# What learning a drive costs: --list probes every location it names (a private folder made,
# tried and removed in each), so the difference between eleven locations and one, divided by
# ten, is the probe of one destination.
mkdir -p "$DIR/probe"
for i in $(seq 0 10); do mkdir -p "$DIR/probe/b$i"; done
printf '{"configs":[{"name":"p1","work":["%s"],"backup":["%s"]}]}\n' "$DIR/probe/w" "$DIR/probe/b0" >"$DIR/probe1.json"
printf '{"configs":[{"name":"p11","work":["%s"],"backup":[%s]}]}\n' "$DIR/probe/w" \
    "$(for i in $(seq 0 10); do printf '"%s",' "$DIR/probe/b$i"; done | sed 's/,$//')" >"$DIR/probe11.json"
mkdir -p "$DIR/probe/w"
hyperfine --runs 30 --warmup 3 --style none --export-json "$DIR/probe.json" \
    "$MICSYNC --config $DIR/probe1.json --list" "$MICSYNC --config $DIR/probe11.json --list" >/dev/null
python3 - "$DIR/probe.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
one, eleven = results[0]["median"], results[1]["median"]
print("probe of one destination (from --list of 11 locations against 1): %.1f ms" % ((eleven - one) / 10 * 1000))
PY
