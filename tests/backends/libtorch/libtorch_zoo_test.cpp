// Zoo models on libtorch, both modes, against the reference kernels: the
// check `edgebench verify` makes (prepare, bind, invoke twice, compare every
// output), at reduced input sizes so that the reference stays quick.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "../backend_test_util.h"
#include "backends/libtorch/libtorch_backend.h"

namespace eb {
namespace {

struct ZooCase {
  const char* id;
  int64_t size;
  const char* mode;
};

void PrintTo(const ZooCase& z, std::ostream* os) { *os << z.id << "@" << z.size << ":" << z.mode; }

class LibTorchZoo : public ::testing::TestWithParam<ZooCase> {};

TEST_P(LibTorchZoo, VerifiesAgainstTheReference) {
  const ZooCase& z = GetParam();
  const Graph g = backend_test::zoo_model(z.id, z.size);
  auto backend = make_libtorch_backend();
  BackendOptions options;
  options.mode = z.mode;
  options.threads = 2;
  const auto c = backend_test::check(*backend, g, verify::kDefaultTolerance, options);
  EXPECT_EQ(c.outcome, verify::Outcome::pass) << backend_test::describe(c);
}

INSTANTIATE_TEST_SUITE_P(Zoo, LibTorchZoo,
                         ::testing::Values(ZooCase{"resnet18", 64, "eager"}, ZooCase{"resnet18", 64, "script"},
                                           ZooCase{"mobilenet_v2", 64, "eager"}, ZooCase{"mobilenet_v2", 64, "script"},
                                           ZooCase{"alexnet", 64, "eager"}, ZooCase{"alexnet", 64, "script"},
                                           ZooCase{"tiny_yolo", 64, "eager"}, ZooCase{"tiny_yolo", 64, "script"},
                                           ZooCase{"c3d", 16, "eager"}, ZooCase{"c3d", 16, "script"}),
                         [](const auto& info) { return std::string(info.param.id) + "_" + info.param.mode; });

}  // namespace
}  // namespace eb
