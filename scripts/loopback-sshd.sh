#!/usr/bin/env bash
# A throwaway OpenSSH server on 127.0.0.1 (never any other address), for tests and benchmarks of
# remote locations: its own keys, config, port and pid file in one folder, nothing else touched.
#
#   scripts/loopback-sshd.sh start DIR   make DIR, keys and configs, start sshd on a free port,
#                                        wait until a login works; prints the port
#   scripts/loopback-sshd.sh stop DIR    stop that sshd (quietly done if it is already gone)
#   LEAN_LOGIN=1 … start DIR             the server sees an empty ~/.bashrc (a mount namespace of
#                                        its own; root only): a login as cheap as a NAS's
#
# After start, DIR holds:
#   ssh_config    client config: `ssh -F DIR/ssh_config 127.0.0.1 CMD` logs in as the current
#                 user with DIR/client_key and checks the host key against DIR/known_hosts
#   port          the port, also printed on standard output
#   sshd_config, sshd.pid, sshd.log, host_key, client_key, authorized_keys, known_hosts
#
# sshd and ssh missing: as root with apt-get, openssh-server and openssh-client are installed
# (the package's own service may try to start; ours has its own port and pid file regardless).
set -euo pipefail

SSHD=${SSHD:-/usr/sbin/sshd}

usage() {
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 2
}

need_openssh() {
    if [ -x "$SSHD" ] && command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "loopback-sshd: needs the OpenSSH server and client, which are not installed. Install them with:" >&2
        echo "    sudo apt-get install openssh-server openssh-client" >&2
        exit 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "loopback-sshd: needs the OpenSSH server and client, and apt-get is not available: install them with your package manager." >&2
        exit 1
    fi
    echo "loopback-sshd: OpenSSH is missing: installing openssh-server and openssh-client with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq openssh-server openssh-client >/dev/null 2>&1; then
        apt-get update -qq >&2 && apt-get install -y -qq openssh-server openssh-client >/dev/null || exit 1
    fi
    if [ ! -x "$SSHD" ] || ! command -v ssh >/dev/null 2>&1; then
        echo "loopback-sshd: $SSHD or ssh is still not found after apt-get install" >&2
        exit 1
    fi
}

# A port on 127.0.0.1 that nothing listens on right now (sshd may still lose a race for it:
# start retries with another one).
free_port() {
    if command -v python3 >/dev/null 2>&1 &&
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null; then
        return 0
    fi
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 40001))
        # A refused connection means nothing listens there.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "loopback-sshd: found no free port on 127.0.0.1" >&2
    return 1
}

# Whether process $1 is alive (a zombie, which nobody may ever reap in a container, counts as gone).
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    local state
    state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 0
    [ "$state" != Z ]
}

start() {
    local dir=$1
    need_openssh
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    if [ -f "$dir/sshd.pid" ] && alive "$(cat "$dir/sshd.pid")"; then
        echo "loopback-sshd: an sshd already runs for $dir (pid $(cat "$dir/sshd.pid")); stop it first" >&2
        exit 1
    fi
    # The privilege separation folder sshd insists on (only root can make it).
    mkdir -p /run/sshd 2>/dev/null || [ -d /run/sshd ] || echo "loopback-sshd: cannot create /run/sshd" >&2

    rm -f "$dir/host_key" "$dir/host_key.pub" "$dir/client_key" "$dir/client_key.pub" "$dir/sshd.pid" "$dir/port"
    ssh-keygen -q -t ed25519 -N '' -C micsync-loopback-host -f "$dir/host_key" </dev/null >/dev/null
    ssh-keygen -q -t ed25519 -N '' -C micsync-loopback-client -f "$dir/client_key" </dev/null >/dev/null
    cp "$dir/client_key.pub" "$dir/authorized_keys"
    chmod 600 "$dir/host_key" "$dir/client_key" "$dir/authorized_keys"
    : >"$dir/sshd.log"

    local user port="" attempt
    user=$(id -un)
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        port=$(free_port)
        cat >"$dir/sshd_config" <<EOF
# Written by scripts/loopback-sshd.sh: a test server on 127.0.0.1 only.
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
MaxStartups 200
MaxSessions 200
LogLevel ERROR
PrintMotd no
PrintLastLog no
UseDNS no
X11Forwarding no
Subsystem sftp internal-sftp
EOF
        cat >"$dir/known_hosts" <<EOF
[127.0.0.1]:$port,[localhost]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")
EOF
        cat >"$dir/ssh_config" <<EOF
# Written by scripts/loopback-sshd.sh: use with ssh -F $dir/ssh_config 127.0.0.1
Host *
    Port $port
    User $user
    IdentityFile $dir/client_key
    IdentitiesOnly yes
    UserKnownHostsFile $dir/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    UpdateHostKeys no
    BatchMode yes
    ConnectTimeout 10
    ControlMaster no
    ControlPath none
    LogLevel ERROR
EOF
        # sshd checks its config, daemonizes (its standard streams become /dev/null), binds and
        # then writes its pid file; a port lost to another program only shows in its log. It gets
        # no descriptor of ours beyond those three, so that nobody waits on a pipe it holds.
        (
            for fd in /proc/$BASHPID/fd/*; do
                fd=${fd##*/}
                if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-"; fi
            done
            if [ -n "${LEAN_LOGIN:-}" ] && [ -f "$HOME/.bashrc" ]; then
                # A lean remote account, like a NAS's: the server, in a mount namespace of its
                # own, sees an empty ~/.bashrc (which bash reads for every command run over SSH).
                exec unshare --mount --propagation private sh -c 'mount --bind /dev/null "$HOME/.bashrc" && exec "$@"' sh \
                    "$SSHD" -f "$dir/sshd_config" -E "$dir/sshd.log" </dev/null >/dev/null 2>>"$dir/sshd.log"
            fi
            exec "$SSHD" -f "$dir/sshd_config" -E "$dir/sshd.log" </dev/null >/dev/null 2>>"$dir/sshd.log"
        ) || {
            echo "loopback-sshd: sshd did not start:" >&2
            cat "$dir/sshd.log" >&2
            exit 1
        }
        local waited=0 state=waiting
        while [ "$waited" -lt 100 ]; do
            if grep -qi 'address already in use\|cannot bind' "$dir/sshd.log"; then state=port-taken; break; fi
            if [ -s "$dir/sshd.pid" ] && alive "$(cat "$dir/sshd.pid")"; then state=running; break; fi
            if grep -qi 'fatal\|error' "$dir/sshd.log"; then break; fi
            waited=$((waited + 1))
            sleep 0.1
        done
        [ "$state" = running ] && break
        if [ "$state" = port-taken ] && [ "$attempt" -lt 10 ]; then
            : >"$dir/sshd.log"
            continue
        fi
        echo "loopback-sshd: sshd did not start on 127.0.0.1:$port:" >&2
        cat "$dir/sshd.log" >&2
        stop "$dir"
        exit 1
    done

    # Bounded wait (about 10 s) until a real login works.
    local tries=0 out
    while true; do
        if out=$(ssh -F "$dir/ssh_config" 127.0.0.1 true </dev/null 2>&1); then
            break
        fi
        tries=$((tries + 1))
        if [ "$tries" -ge 50 ]; then
            echo "loopback-sshd: no login to 127.0.0.1:$port within 10 s; ssh said:" >&2
            echo "$out" >&2
            echo "sshd.log:" >&2
            cat "$dir/sshd.log" >&2
            stop "$dir"
            exit 1
        fi
        sleep 0.2
    done
    echo "$port" >"$dir/port"
    echo "$port"
}

stop() {
    local dir=$1 pid
    [ -f "$dir/sshd.pid" ] || return 0
    dir=$(cd "$dir" && pwd -P)
    pid=$(cat "$dir/sshd.pid" 2>/dev/null) || return 0
    case $pid in '' | *[!0-9]*) rm -f "$dir/sshd.pid"; return 0 ;; esac
    # Only the sshd started with this folder's config (the pid may have been reused since).
    if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/sshd_config"; then
        kill -TERM "$pid" 2>/dev/null || true
        local tries=0
        while alive "$pid"; do
            tries=$((tries + 1))
            if [ "$tries" -ge 50 ]; then
                kill -KILL "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.1
        done
    fi
    rm -f "$dir/sshd.pid"
}

[ $# -eq 2 ] || usage
case $1 in
    start) start "$2" ;;
    stop) stop "$2" ;;
    *) usage ;;
esac
