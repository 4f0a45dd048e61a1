// eb_verify: backend-list resolution, null and not-built backends, and
// every built backend (native, libtorch, opencv, darknet) on a small model.
#include <gtest/gtest.h>

#include <algorithm>

#include "../backend_test_util.h"
#include "backends/registry.h"
#include "verify/verify.h"

namespace eb::verify {
namespace {

TEST(ResolveBackends, AllIsEveryRegisteredBackendButNull) {
  auto ids = resolve_backends("all");
  ASSERT_TRUE(ids.is_ok());
  EXPECT_EQ(std::count(ids->begin(), ids->end(), "null"), 0);
  EXPECT_EQ(ids->size() + 1, backend_table().size());
  for (const char* id : {"opencv", "darknet", "native"}) EXPECT_EQ(std::count(ids->begin(), ids->end(), id), 1) << id;
}

TEST(ResolveBackends, ListsAreValidated) {
  auto ids = resolve_backends(" darknet,opencv ,darknet,");
  ASSERT_TRUE(ids.is_ok()) << ids.status().message();
  EXPECT_EQ(*ids, (std::vector<std::string>{"darknet", "opencv"}));
  auto unknown = resolve_backends("opencv,tensorflow");
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(unknown.status().message().find("tensorflow"), std::string::npos);
  EXPECT_EQ(resolve_backends("").status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(resolve_backends(",").status().code(), ErrorCode::invalid_argument);
}

TEST(VerifyModel, NullIsSkippedAndNotBuiltIsListed) {
  const Graph g = backend_test::small_cnn();
  std::vector<std::string> ids = {"null"};
  for (const BackendEntry& e : backend_table())
    if (!e.make) ids.push_back(e.id);
  int seen = 0;
  VerifyOptions options;
  options.on_checked = [&](const BackendCheck&) { ++seen; };
  auto report = verify_model(g, ids, options);
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ(seen, static_cast<int>(ids.size()));
  EXPECT_TRUE(report->passed());
  EXPECT_EQ(report->count(Outcome::pass), 0);
  ASSERT_EQ(report->backends.size(), ids.size());
  EXPECT_EQ(report->backends[0].outcome, Outcome::skipped);
  for (std::size_t i = 1; i < ids.size(); ++i) {
    EXPECT_EQ(report->backends[i].outcome, Outcome::not_built) << ids[i];
    EXPECT_FALSE(report->backends[i].message.empty());
  }
  EXPECT_EQ(verify_model(g, {"nonesuch"}, {}).status().code(), ErrorCode::invalid_argument);
}

// Whatever is built (native, libtorch, opencv, darknet) verifies cifarnet.
TEST(VerifyModel, EveryBuiltBackendVerifiesCifarnet) {
  const Graph g = backend_test::zoo_model("cifarnet");
  auto ids = resolve_backends("all");
  ASSERT_TRUE(ids.is_ok());
  auto report = verify_model(g, *ids, {});
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_TRUE(report->passed());
  for (const BackendCheck& b : report->backends) {
    SCOPED_TRACE(b.backend);
    EXPECT_TRUE(b.outcome == Outcome::pass || b.outcome == Outcome::not_built) << backend_test::describe(b);
  }
  if (report->count(Outcome::pass) == 0) GTEST_SKIP() << "no backend besides null was built";
}

}  // namespace
}  // namespace eb::verify
