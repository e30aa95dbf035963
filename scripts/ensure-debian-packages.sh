#!/usr/bin/env bash
# Install the Debian packages named on the command line that are not installed yet (tests need some services
# and tools from the OS: chromium for the UI test, postgresql and redis-server for the distributed test).
#   scripts/ensure-debian-packages.sh chromium postgresql redis-server
# Runs apt-get as root (CI runs as root), through sudo otherwise; prints nothing when all are there.
set -euo pipefail

missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-debian-packages: missing ${missing[*]} and this is not a Debian/Ubuntu system: install them by hand" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "ensure-debian-packages: missing ${missing[*]}; run as root or install them: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo -n)
fi
echo "== installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# The postgresql package's post-install creates and starts a default cluster on port 5432; the tests start
# their own server on another port and data directory, so the default one is left alone.
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
