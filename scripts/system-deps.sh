#!/usr/bin/env bash
# The system packages the tests use (Debian/Ubuntu): OBS Studio under Xvfb, nginx-rtmp,
# ffmpeg, Chromium, Node.js. Installs what is missing when run as root; otherwise says what
# to install and fails. Fast when everything is there (no network).
set -euo pipefail

PACKAGES=(python3 python3-venv make obs-studio xvfb xauth nginx libnginx-mod-rtmp ffmpeg curl
          fonts-dejavu-core libgl1-mesa-dri libegl-mesa0 libglx-mesa0 chromium)
# Node.js builds the dashboards and runs the Node peer of the benchmark: Debian's when the
# machine has none.
command -v npm >/dev/null || PACKAGES+=(nodejs npm)

if ! command -v dpkg-query >/dev/null; then
  echo "[system-deps] not a Debian-like system: install ${PACKAGES[*]} yourself" >&2
  exit 0
fi
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "[system-deps] missing: ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "[system-deps] installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
