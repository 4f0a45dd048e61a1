// Hostile bytes: truncations, random data and mutations of a valid model end
// in an error value (invalid_argument or unsupported), never a crash, a hang
// or an internal error. The fuzzer (fuzz/onnx_import_fuzzer.cpp) goes further.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "formats/onnx/onnx.h"
#include "graph/rng.h"
#include "support.h"

namespace eb::onnx_format {
namespace {

void expect_clean(std::string_view bytes) {
  auto g = import_onnx_bytes(bytes, "hostile");
  if (g.is_ok()) return;  // some mutations are still valid models
  const ErrorCode code = g.status().code();
  EXPECT_TRUE(code == ErrorCode::invalid_argument || code == ErrorCode::unsupported)
      << to_string(code) << ": " << g.status().message();
  EXPECT_FALSE(g.status().message().empty());
}

std::string small_model() {
  const auto graphs = onnx_test::every_op_graphs();
  auto bytes = export_onnx(graphs[1].graph);  // misc2d: few weights, many ops
  EXPECT_TRUE(bytes.is_ok());
  return bytes.is_ok() ? bytes.value() : std::string();
}

TEST(OnnxMalformed, EmptyInputIsInvalid) {
  auto g = import_onnx_bytes("", "empty");
  ASSERT_FALSE(g.is_ok());
  EXPECT_EQ(g.status().code(), ErrorCode::invalid_argument);
}

TEST(OnnxMalformed, RandomBytesAreInvalid) {
  Rng rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(rng.next_u64() % 512, '\0');
    for (char& c : bytes) c = static_cast<char>(rng.next_u64());
    auto g = import_onnx_bytes(bytes, "random");
    ASSERT_FALSE(g.is_ok());
    const ErrorCode code = g.status().code();
    EXPECT_TRUE(code == ErrorCode::invalid_argument || code == ErrorCode::unsupported) << g.status().message();
  }
}

TEST(OnnxMalformed, EveryTruncationIsAnError) {
  const std::string model = small_model();
  ASSERT_FALSE(model.empty());
  for (std::size_t cut = 0; cut < model.size(); cut += 1 + cut / 64) {
    SCOPED_TRACE(cut);
    auto g = import_onnx_bytes(std::string_view(model).substr(0, cut), "truncated");
    ASSERT_FALSE(g.is_ok());
    EXPECT_NE(g.status().code(), ErrorCode::internal) << g.status().message();
  }
}

TEST(OnnxMalformed, MutatedModelsFailCleanly) {
  const std::string model = small_model();
  ASSERT_FALSE(model.empty());
  Rng rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = model;
    const int edits = 1 + static_cast<int>(rng.next_u64() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng.next_u64() % bytes.size();
      switch (rng.next_u64() % 3) {
        case 0: bytes[at] = static_cast<char>(rng.next_u64()); break;                   // overwrite
        case 1: bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng.next_u64() % 8))); break;  // flip a bit
        default: {  // delete a run
          const std::size_t end = std::min(bytes.size(), at + 1 + static_cast<std::size_t>(rng.next_u64() % 8));
          bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin() + static_cast<std::ptrdiff_t>(end));
          break;
        }
      }
      if (bytes.empty()) bytes.push_back('x');
    }
    expect_clean(bytes);
  }
}

// Valid protobuf, hostile content: the protobuf layer accepts these, so the
// importer's own checks must catch them.
TEST(OnnxMalformed, HostileButWellFormedModels) {
  using onnx_test::OnnxWriter;
  {
    OnnxWriter w(13);  // negative reshape dims and -1 twice
    w.input("x", {1, 4}).output("y");
    w.init_i64("s", {2}, {-1, -1});
    w.node("Reshape", {"x", "s"}, {"y"});
    expect_clean(w.bytes());
  }
  {
    OnnxWriter w(13);  // gather far out of range
    w.input("x", {1, 4}).output("y");
    w.node("Shape", {"x"}, {"s"});
    w.init_i64("i", {}, {int64_t{1} << 62});
    w.node("Gather", {"s", "i"}, {"g"});
    w.node("Reshape", {"x", "g"}, {"y"});
    expect_clean(w.bytes());
  }
  {
    OnnxWriter w(13);  // ConstantOfShape asking for 2^60 elements
    w.input("x", {1, 4}).output("y");
    w.init_i64("shape", {2}, {int64_t{1} << 30, int64_t{1} << 30});
    w.node("ConstantOfShape", {"shape"}, {"big"});
    w.node("Add", {"x", "big"}, {"y"});
    expect_clean(w.bytes());
  }
  {
    OnnxWriter w(13);  // pads and strides at int64 extremes
    w.input("x", {1, 1, 4, 4}).output("y");
    w.init("W", {1, 1, 1, 1}, {1.0f});
    auto& n = w.node("Conv", {"x", "W"}, {"y"});
    onnx_test::attr_ints(n, "pads", {INT64_MAX, 0, INT64_MAX, 0});
    onnx_test::attr_ints(n, "strides", {INT64_MIN, 1});
    expect_clean(w.bytes());
  }
  {
    OnnxWriter w(13);  // a node that consumes its own output
    w.input("x", {1, 4}).output("y");
    w.node("Add", {"x", "y"}, {"y"});
    expect_clean(w.bytes());
  }
  {
    OnnxWriter w(13);  // integer division by zero while folding a shape
    w.input("x", {1, 4}).output("y");
    w.node("Shape", {"x"}, {"s"});
    w.init_i64("z", {1}, {0});
    w.node("Div", {"s", "z"}, {"q"});
    w.node("Reshape", {"x", "q"}, {"y"});
    expect_clean(w.bytes());
  }
  {
    OnnxWriter w(13);  // Concat of nothing
    w.input("x", {1, 4}).output("y");
    onnx_test::attr_i(w.node("Concat", {}, {"y"}), "axis", 0);
    expect_clean(w.bytes());
  }
}

// Not a check: writes the fuzzer's seed corpus (fuzz-seeds.sh runs it).
TEST(OnnxFuzzSeeds, Write) {
  const char* dir = std::getenv("EB_ONNX_WRITE_FUZZ_SEEDS");
  if (!dir) GTEST_SKIP() << "set EB_ONNX_WRITE_FUZZ_SEEDS=DIR to write the fuzz seeds";
  for (const auto& [label, graph] : onnx_test::every_op_graphs()) {
    auto bytes = export_onnx(graph);
    ASSERT_TRUE(bytes.is_ok());
    onnx_test::write_file(std::string(dir) + "/edgebench_" + label + ".onnx", bytes.value());
  }
}

}  // namespace
}  // namespace eb::onnx_format
