#!/usr/bin/env bash
# Install the Debian/Ubuntu packages ArxOS Field needs at run and test time.
#
# Checks each package with dpkg-query; only if something is missing does it run
# `apt-get update` (once) and `apt-get install` for the missing ones. When all
# are present it is a fast no-op. Uses sudo when not root.
#
# To add a dependency, add it to SYSTEM_PKGS below, under a comment saying who
# needs it. "a|b" means "either a or b": if neither is installed, the first one
# apt knows is installed (for packages renamed between releases, e.g. t64).
#
# Environment:
#   ARXOS_SKIP_SYSDEPS=1  skip this check entirely (non-Debian machines, or
#                         when the packages are provided some other way)
#   PYTHON                the interpreter the Makefile will build .venv with;
#                         its pythonX.Y-venv package is added when a Debian
#                         system Python lacks ensurepip
set -euo pipefail

SYSTEM_PKGS=(
    # Barcode decoding: pyzbar loads libzbar at import time.
    "libzbar0|libzbar0t64"

    # Qt 6 (PySide6 wheels): the xcb platform plugin for a real window, and
    # what the offscreen platform used by the tests needs.
    libxcb-cursor0
    libxkbcommon-x11-0
    libxcb-icccm4
    libxcb-image0
    libxcb-keysyms1
    libxcb-randr0
    libxcb-render-util0
    libxcb-shape0
    libxcb-xinerama0
    libegl1
    libgl1
    libfontconfig1
    "libdbus-1-3|libdbus-1-3t64"

    # Dictation: Qt Multimedia (PySide6-Addons) links the PulseAudio client for the
    # microphone (QAudioSource) and word replay (QAudioSink).
    libpulse0

    # Tests: a virtual X screen; speech synthesis and audio tools for the
    # dictation tests.
    xvfb
    espeak-ng
    sox

    # Tests and screenshots: an exported drawing is checked to render in a
    # second PDF engine (poppler's pdftoppm), not only in PyMuPDF.
    poppler-utils

    # Tests: the sync service's tests also run on PostgreSQL; `make test`
    # starts this cluster with scripts/start-test-postgres.sh.
    postgresql
)

log() { printf 'sysdeps: %s\n' "$*"; }
die() { printf 'sysdeps: error: %s\n' "$*" >&2; exit 1; }

if [[ "${ARXOS_SKIP_SYSDEPS:-}" == 1 ]]; then
    log "ARXOS_SKIP_SYSDEPS=1, not checking system packages"
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    die "dpkg-query not found: this script supports Debian/Ubuntu only.
  Install the equivalents of these packages with your package manager:
  ${SYSTEM_PKGS[*]//|/ or }
  then re-run with ARXOS_SKIP_SYSDEPS=1."
fi

is_installed() {
    local status
    status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" || return 1
    [[ "$status" == *" installed" ]]
}

# A Debian/Ubuntu system Python may lack ensurepip (then `python3 -m venv`
# fails); its pythonX.Y-venv package provides it.
python_venv_pkg() {
    local py="${PYTHON:-python3}" path ver
    path="$(command -v "$py" 2>/dev/null)" || return 0
    path="$(readlink -f "$path")"
    [[ "$path" == /usr/bin/* ]] || return 0
    "$py" -c 'import ensurepip, venv' >/dev/null 2>&1 && return 0
    ver="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" || return 0
    printf 'python%s-venv\n' "$ver"
}

wanted=("${SYSTEM_PKGS[@]}")
venv_pkg="$(python_venv_pkg)"
[[ -n "$venv_pkg" ]] && wanted+=("$venv_pkg")

missing=()
for entry in "${wanted[@]}"; do
    IFS='|' read -r -a alts <<<"$entry"
    found=0
    for p in "${alts[@]}"; do
        if is_installed "$p"; then found=1; break; fi
    done
    ((found)) || missing+=("$entry")
done

if ((${#missing[@]} == 0)); then
    log "all ${#wanted[@]} system packages present"
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    die "missing system packages (${missing[*]}), and this is neither root nor has sudo.
  Install them as root:  apt-get install --no-install-recommends ${missing[*]//|/ or }
  or re-run this as root."
fi

export DEBIAN_FRONTEND=noninteractive
log "missing: ${missing[*]//|/ or }"
log "running apt-get update"
"${SUDO[@]}" apt-get update -q

# Resolve "a|b" to the first alternative apt has a candidate for.
has_candidate() {
    local cand
    cand="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')"
    [[ -n "$cand" && "$cand" != "(none)" ]]
}
to_install=()
for entry in "${missing[@]}"; do
    IFS='|' read -r -a alts <<<"$entry"
    pick="${alts[0]}"
    for p in "${alts[@]}"; do
        if has_candidate "$p"; then pick="$p"; break; fi
    done
    to_install+=("$pick")
done

log "installing: ${to_install[*]}"
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${to_install[@]}"
log "installed: ${to_install[*]}"
