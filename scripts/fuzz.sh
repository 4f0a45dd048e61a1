#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a while.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 600)
# Seeds: models exported by edgebench itself and Debian's darknet cfgs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs=${1:-600}
build="$root/build-fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEDGEBENCH_BUILD_FUZZERS=ON -DEDGEBENCH_BUILD_TESTS=OFF "-DEDGEBENCH_MODULES=common;graph;zoo;formats" >/dev/null
cmake --build "$build" -j "$(nproc)" --target onnx_import_fuzzer darknet_cfg_fuzzer

corpus="$root/fuzz-corpus"
mkdir -p "$corpus/onnx" "$corpus/darknet"
cp -n /usr/share/darknet/cfg/*.cfg "$corpus/darknet/" 2>/dev/null || true
if [ -x "$root/build/src/cli/edgebench" ]; then
  for m in cifarnet tiny_yolo mobilenet_v2; do
    [ -f "$corpus/onnx/$m.onnx" ] || "$root/build/src/cli/edgebench" export --model "$m" --format onnx -o "$corpus/onnx/$m.onnx" --input-size 32 >/dev/null 2>&1 || true
  done
fi
find /usr/share/libonnx-testdata/data/node -name model.onnx 2>/dev/null | head -200 | while read -r f; do
  cp -n "$f" "$corpus/onnx/$(echo "$f" | md5sum | cut -c1-12).onnx"
done

for target in onnx_import_fuzzer:onnx darknet_cfg_fuzzer:darknet; do
  name=${target%%:*}; dir=${target##*:}
  echo "== $name for ${secs}s"
  "$build/fuzz/$name" -max_total_time="$secs" -rss_limit_mb=4096 -max_len=1048576 \
    -print_final_stats=1 "$corpus/$dir" 2>&1 | tail -25
done
