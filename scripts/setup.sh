#!/usr/bin/env bash
# Installs every Debian 12 package Glimpse needs to build, test, benchmark and run.
# Idempotent: packages already present are skipped without touching apt.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  clang libclang-rt-dev libomp-dev clang-tidy cppcheck
  # dnnl-config.cmake asks for OpenCL (Debian builds oneDNN with its OpenCL GPU runtime), and
  # libdnnl-dev only recommends the OpenCL headers, so they are named here.
  libeigen3-dev libopenblas-dev libdnnl-dev ocl-icd-opencl-dev libopencv-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev
  libfreetype-dev libglfw3-dev libimgui-dev libgl-dev
  libopenmpi-dev openmpi-bin
  xvfb xauth libgl1-mesa-dri
  python3 python3-torch python3-nltk python3-numpy
  wordnet-base
  fonts-noto-color-emoji unicode-cldr-core unicode-data ruby-gemojione
  fonts-symbola libjs-emojify librsvg2-bin
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
else
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# npm packages, installed into the project-local third_party/npm (git-ignored) with the
# machine's npm (Node.js ships it here; Debian's package npm otherwise): the artwork for the
# scene art styles openmoji, fluent-flat and fluent-modern (docs/dataset.md), and
# onnxruntime-node, the ONNX Runtime peer of `glimpse bench --caption` (docs/performance.md; Debian
# has no ONNX Runtime). Skipped, without touching the network, when the wanted versions are
# already there. All are installed in one command: `npm install --no-save` without a package.json
# removes what that command does not name.
onnxruntime_node_version=1.30.0
npm_dir="$(cd "$(dirname "$0")/.." && pwd)/third_party/npm"
npm_version() { node -p "require('$npm_dir/node_modules/$1/package.json').version" 2>/dev/null || true; }
if [[ "$(npm_version openmoji)" == 17.* && "$(npm_version fluentui-emoji)" == 1.3.* &&
      "$(npm_version onnxruntime-node)" == "$onnxruntime_node_version" ]]; then
  echo "setup: npm packages present (openmoji $(npm_version openmoji), fluentui-emoji" \
       "$(npm_version fluentui-emoji), onnxruntime-node $(npm_version onnxruntime-node))"
else
  if ! command -v npm >/dev/null; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends npm
  fi
  echo "setup: installing npm packages openmoji@17 fluentui-emoji@1.3" \
       "onnxruntime-node@$onnxruntime_node_version into $npm_dir"
  mkdir -p "$npm_dir"
  # onnxruntime-node bundles its CPU binaries; ONNXRUNTIME_NODE_INSTALL=skip stops its install
  # script fetching the optional CUDA ones from outside the npm registry.
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save --no-audit --no-fund --prefix "$npm_dir" \
    openmoji@17 fluentui-emoji@1.3 "onnxruntime-node@$onnxruntime_node_version"
fi
