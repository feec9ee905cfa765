#!/usr/bin/env bash
# Installs every Debian 12 package Glimpse needs to build, test, benchmark and run.
# Idempotent: packages already present are skipped without touching apt.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libeigen3-dev libopenblas-dev libopencv-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev
  libfreetype-dev libglfw3-dev libimgui-dev libgl-dev
  libopenmpi-dev openmpi-bin
  xvfb xauth
  python3 python3-torch python3-nltk python3-numpy
  wordnet-base
  fonts-noto-color-emoji unicode-cldr-core unicode-data ruby-gemojione
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
