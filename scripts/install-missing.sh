#!/usr/bin/env bash
# Installs the Debian packages whose tools are missing: what `make test`, `make demo` and
# `make bench` need on a fresh machine.
#   scripts/install-missing.sh WHAT CHECK:PACKAGE...
# WHAT names who needs them, for the messages ("micsync", "the drive tests"). CHECK is a
# command (looked up on the PATH, /usr/sbin and /sbin included) or an absolute path, which may
# hold a wildcard (a library). Each PACKAGE whose CHECK fails is installed with apt-get, as root,
# updating the package lists only when the first attempt fails; without root or apt-get the
# script says what to install and fails. Nothing is done when nothing is missing.
set -u
what=$1; shift
PATH="$PATH:/usr/sbin:/sbin"
present() {
    case $1 in
        /*) compgen -G "$1" >/dev/null ;;
        *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}
missing=()
for pair in "$@"; do
    present "${pair%%:*}" || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
# One package may provide several checked tools: name it once.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "$what: ${missing[*]} missing; install with:" >&2
    echo "    sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "$what: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null || exit 1
fi
for pair in "$@"; do
    present "${pair%%:*}" || { echo "${pair%%:*} is still not found after apt-get install ${pair#*:}" >&2; exit 1; }
done
