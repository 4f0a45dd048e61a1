// libFuzzer target for the ONNX importer: any bytes must yield a Graph or an
// error value, never a crash, a sanitizer report, a hang or unbounded memory.
//
// Seeds: tests/formats/onnx/fuzz-seeds.sh DIR writes small exported models
// and copies the small ONNX backend-test models.
//   build-fuzz/fuzz/onnx_import_fuzzer -max_len=65536 CORPUS_DIR SEEDS_DIR
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/onnx/onnx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto graph = eb::onnx_format::import_onnx_bytes(bytes, "fuzz");
  // A graph that imports must export again: an `internal` error means our
  // export of a graph we accepted fails the ONNX checker, i.e. our shape
  // rules and ONNX's disagree. Other errors (unsupported) are fine.
  if (graph.is_ok()) {
    auto bytes = eb::onnx_format::export_onnx(graph.value());
    if (!bytes.is_ok() && bytes.status().code() == eb::ErrorCode::internal) __builtin_trap();
  }
  return 0;
}
