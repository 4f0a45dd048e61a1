#!/usr/bin/env bash
# Writes a seed corpus for fuzz/onnx_import_fuzzer into DIR: our own small
# exports (written by onnx_tests) and the ONNX backend tests' small models
# from libonnx-testdata. Nothing binary is committed; run this instead.
#   tests/formats/onnx/fuzz-seeds.sh DIR [ONNX_TESTS_BINARY]
set -euo pipefail
dir=${1:?usage: fuzz-seeds.sh DIR [onnx_tests binary]}
root=$(cd "$(dirname "$0")/../../.." && pwd)
tests=${2:-$root/build-onnx/tests/formats/onnx/onnx_tests}
mkdir -p "$dir"
EB_ONNX_WRITE_FUZZ_SEEDS="$dir" "$tests" --gtest_filter='OnnxFuzzSeeds.*' >/dev/null
data=/usr/share/libonnx-testdata/data
if [ -d "$data" ]; then
  # Small files only: the fuzzer's max_len is what matters, not coverage of weights.
  find "$data/node" "$data/pytorch-converted" "$data/pytorch-operator" -name model.onnx -size -8k |
    while read -r f; do cp "$f" "$dir/$(basename "$(dirname "$f")").onnx"; done
fi
echo "fuzz-seeds: $(ls "$dir" | wc -l) seeds in $dir"
