#!/usr/bin/env bash
# Installs the Debian packages edgebench builds and tests with.
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libsqlite3-dev sqlite3
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata
  libdnnl-dev libopenblas-dev
  libopencv-dev libtorch-dev darknet
  clang libclang-rt-14-dev
  chromium
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js/npm may come from another packaging of Node (their Debian packages
# then conflict); only ask Debian for them where no npm exists at all.
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

# LibTorch needs an optimized BLAS: with the reference BLAS its Linear layers
# run ~20x slower. Point the libblas/liblapack alternatives at OpenBLAS.
arch_dir="/usr/lib/$(gcc -dumpmachine)"
for alt in libblas.so.3 liblapack.so.3; do
  target="$arch_dir/openblas-pthread/$alt"
  if [ -e "$target" ] && update-alternatives --query "$alt-$(gcc -dumpmachine)" >/dev/null 2>&1; then
    current=$(update-alternatives --query "$alt-$(gcc -dumpmachine)" | awk '/^Value:/{print $2}')
    if [ "$current" != "$target" ]; then
      $SUDO update-alternatives --set "$alt-$(gcc -dumpmachine)" "$target"
    fi
  fi
done

# ONNX Runtime comes from the npm registry (onnxruntime-node ships
# libonnxruntime.so); scripts are ignored because its postinstall downloads.
# The version range is third_party/npm/package.json's; installing from it
# (no package named) leaves that tracked file as it is.
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -d "$root/third_party/npm/node_modules/onnxruntime-node" ]; then
  mkdir -p "$root/third_party/npm"
  (cd "$root/third_party/npm" && npm install --ignore-scripts --no-audit --no-fund >/dev/null) \
    || echo "install-deps: warning: npm onnxruntime-node not installed (ONNX Runtime comparisons will be skipped)"
fi
