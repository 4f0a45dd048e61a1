// The graph passes: what they rewrite, what they leave alone, and that the
// rewritten graph computes the same thing (checked on the reference
// kernels alone, so only the pass is under test).
#include <gtest/gtest.h>

#include "runtime/passes/passes.h"
#include "runtime_test_util.h"
#include "zoo/zoo.h"

namespace eb::rt::testing {
namespace {

const PostOpFilter kAcceptAll = [](const PlanGraph&, const PlanNode&, const PostOp&) { return true; };

int count_op(const PlanGraph& g, OpKind op) {
  int n = 0;
  for (const PlanNode& node : g.nodes) n += node.node.op == op;
  return n;
}

Graph finish(GraphBuilder&& b) {
  auto g = std::move(b).finish();
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return std::move(g).value();
}

TEST(FoldBatchNorm, IntoConvAndGemmWithoutChangingResults) {
  GraphBuilder b("fold", 3);
  const ValueId x = b.input("x", Shape{1, 5, 9, 9});
  ValueId y = b.relu(b.batch_norm(b.conv2d(x, 12, 3, 1, kSamePadding, 1, /*bias=*/false)));
  y = b.batch_norm(b.conv2d(y, 12, 3, 2, 1, /*group=*/3));
  y = b.batch_norm(b.dense(b.flatten(y), 7));
  b.output(y);
  const Graph g = finish(std::move(b));

  PlanGraph p = PlanGraph::from(g);
  EXPECT_EQ(fold_batchnorm(p), 3);
  EXPECT_EQ(count_op(p, OpKind::BatchNorm), 0);
  EXPECT_EQ(p.nodes[0].absorbed, std::vector<std::string>{"bn_1"});
  // The source graph's weights are untouched (other backends share them).
  EXPECT_EQ(g.nodes.size(), 8u);

  EngineOptions folded = options_with(reference_only());
  folded.fuse = false;
  auto cmp = compare_with_reference(g, folded);
  ASSERT_TRUE(cmp.is_ok()) << cmp.status().message();
  EXPECT_LE(cmp->worst, 1e-5);
  EXPECT_EQ(cmp->engine->stats().passes.folded_batchnorm, 3);
}

TEST(FoldBatchNorm, LeavesSharedOrUnfoldableOnesAlone) {
  GraphBuilder b("nofold", 3);
  const ValueId x = b.input("x", Shape{1, 4, 6, 6});
  const ValueId c = b.conv2d(x, 4, 3);
  b.output(b.batch_norm(c));       // c is also read below: cannot fold
  b.output(b.relu(c));
  b.output(b.batch_norm(b.max_pool2d(x, 2, 2)));  // no conv before it
  const Graph g = finish(std::move(b));
  PlanGraph p = PlanGraph::from(g);
  EXPECT_EQ(fold_batchnorm(p), 0);
  EB_EXPECT_MATCHES_REFERENCE(g, options_with(std::make_shared<KernelRegistry>(default_registry())));
}

TEST(FoldPad, ZeroSpatialPadBecomesConvPadding) {
  GraphBuilder b("pad", 4);
  const ValueId x = b.input("x", Shape{1, 3, 10, 10});
  const ValueId p1 = b.pad(x, {0, 0, 1, 2, 0, 0, 2, 1});
  const ValueId c = b.conv2d(p1, 8, 3, 2, 0);
  b.output(b.conv2d(b.pad(c, {0, 0, 1, 1, 0, 0, 1, 1}, 0.5f), 8, 3, 1, 0));  // non-zero value: stays
  const Graph g = finish(std::move(b));
  PlanGraph p = PlanGraph::from(g);
  EXPECT_EQ(fold_pad(p), 1);
  EXPECT_EQ(count_op(p, OpKind::Pad), 1);
  EXPECT_EQ(p.nodes[0].node.get<ConvAttrs>().pads, (std::vector<int64_t>{1, 2, 2, 1}));
  EB_EXPECT_MATCHES_REFERENCE(g, options_with(std::make_shared<KernelRegistry>(default_registry())));
}

TEST(CommutePoolConv, PoolProjectionRunsOnFewerChannels) {
  // Inception's pool projection (3x3 average ignoring padding, then a 1x1
  // that reduces channels, with a bias) swaps; one with partial windows
  // (stride 2, ceil mode) too. A pool that counts padding, one read twice
  // and one before a 1x1 that widens stay.
  GraphBuilder b("pool_proj", 21);
  const ValueId x = b.input("x", Shape{1, 64, 9, 11});
  b.output(b.relu(b.conv2d(b.avg_pool2d(x, 3, 1, 1), 16, 1, 1, 0)));
  b.output(b.conv2d(b.avg_pool(x, PoolSpec{{3, 3}, {2, 2}, {1, 1, 1, 1}, /*ceil_mode=*/true}), 24, 1, 1, 0));
  b.output(b.conv2d(b.avg_pool(x, PoolSpec{{3, 3}, {1, 1}, {1, 1, 1, 1}, false, /*count_include_pad=*/true}), 16, 1, 1, 0));
  const ValueId twice = b.avg_pool2d(x, 2, 2);
  b.output(b.add(b.conv2d(twice, 16, 1, 1, 0), b.conv2d(twice, 16, 1, 1, 0)));
  b.output(b.conv2d(b.avg_pool2d(b.conv2d(x, 8, 1, 1, 0), 3, 1, 1), 32, 1, 1, 0));  // widens
  const Graph g = finish(std::move(b));
  PlanGraph p = PlanGraph::from(g);
  EXPECT_EQ(commute_pool_conv(p), 2);
  // Each swapped pair: the 1x1 now reads the pool's input and comes first.
  EXPECT_EQ(p.nodes[0].node.op, OpKind::Conv);
  EXPECT_EQ(p.nodes[0].node.inputs[0], x);
  EXPECT_EQ(p.nodes[1].node.op, OpKind::AvgPool);
  EXPECT_EQ(p.value(p.nodes[1].node.inputs[0]).desc.shape, (Shape{1, 16, 9, 11}));
  EB_EXPECT_MATCHES_REFERENCE(g, options_with(std::make_shared<KernelRegistry>(default_registry())));
  EB_EXPECT_MATCHES_REFERENCE(g, options_with(onednn_only(), 3));
}

TEST(CommutePoolConv, EveryInceptionV4PoolProjection) {
  // 4 Inception-A, 7 Inception-B and 3 Inception-C blocks, one pool
  // projection each.
  zoo::BuildOptions options;
  options.input_size = 75;
  auto g = zoo::build("inception_v4", options);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  PlanGraph p = PlanGraph::from(*g);
  EXPECT_EQ(run_graph_passes(p, kAcceptAll).commuted_pools, 14);
  EXPECT_EQ(count_op(p, OpKind::AvgPool), 14);
}

TEST(FuseActivations, ChainsAndLimits) {
  GraphBuilder b("fuse", 5);
  const ValueId x = b.input("x", Shape{1, 4, 8, 8});
  const ValueId a = b.relu6(b.relu(b.conv2d(x, 8, 3)));  // chain: both fuse
  const ValueId c = b.conv2d(a, 8, 3);
  b.output(b.relu(c));  // c is also an output: cannot fuse
  b.output(c);
  const Graph g = finish(std::move(b));
  PlanGraph p = PlanGraph::from(g);
  EXPECT_EQ(fuse_activations(p, kAcceptAll), 2);
  ASSERT_EQ(p.nodes.size(), 3u);
  ASSERT_EQ(p.nodes[0].post_ops.size(), 2u);
  EXPECT_EQ(p.nodes[0].post_ops[0].op, OpKind::Relu);
  EXPECT_EQ(p.nodes[0].post_ops[1].op, OpKind::Clip);
  EXPECT_EQ(p.nodes[0].node.outputs[0], a);  // the fused node writes the last activation's value
  EB_EXPECT_MATCHES_REFERENCE(g, options_with(std::make_shared<KernelRegistry>(default_registry())));
}

TEST(FuseActivations, RespectsTheProvidersAnswer) {
  GraphBuilder b("fuse_filter", 5);
  b.output(b.relu(b.conv2d(b.input("x", Shape{1, 4, 8, 8}), 8, 3)));
  const Graph g = finish(std::move(b));
  PlanGraph p = PlanGraph::from(g);
  EXPECT_EQ(fuse_activations(p, [](const PlanGraph&, const PlanNode&, const PostOp&) { return false; }), 0);
  EXPECT_EQ(p.nodes.size(), 2u);
}

TEST(FuseResidual, ResnetBlock) {
  GraphBuilder b("resblock", 6);
  const ValueId x = b.relu(b.conv2d(b.input("x", Shape{1, 3, 16, 16}), 16, 3));
  ValueId y = b.relu(b.batch_norm(b.conv2d(x, 16, 3, 1, 1, 1, false)));
  y = b.batch_norm(b.conv2d(y, 16, 3, 1, 1, 1, false));
  y = b.relu(b.add(y, x));
  // Downsampling block: both operands are convs; the later one hosts the sum.
  ValueId z = b.batch_norm(b.conv2d(y, 32, 3, 2, 1, 1, false));
  const ValueId shortcut = b.batch_norm(b.conv2d(y, 32, 1, 2, 0, 1, false));
  z = b.relu(b.add(z, shortcut));
  b.output(z);
  const Graph g = finish(std::move(b));

  PlanGraph p = PlanGraph::from(g);
  const PassCounts counts = run_graph_passes(p, kAcceptAll);
  EXPECT_EQ(counts.folded_batchnorm, 4);
  EXPECT_EQ(counts.fused_residual_adds, 2);
  EXPECT_EQ(counts.fused_activations, 4);
  EXPECT_EQ(count_op(p, OpKind::Add), 0);
  EXPECT_EQ(count_op(p, OpKind::Relu), 0);
  EXPECT_EQ(p.nodes.size(), 5u);
  // The sum lives on the operand produced later (here the shortcut conv),
  // so the other operand is ready when it runs.
  const PlanNode& host = p.nodes.back();
  EXPECT_TRUE(host.has_sum());
  ASSERT_EQ(host.post_ops.size(), 2u);
  EXPECT_EQ(host.post_ops[0].kind, PostOp::Kind::sum);
  EXPECT_EQ(host.post_ops[1].op, OpKind::Relu);

  // Fused on oneDNN and on the reference kernels: both match the unfused graph.
  EB_EXPECT_MATCHES_REFERENCE(g, options_with(reference_only()));
  auto cmp = compare_with_reference(g, options_with(onednn_only()));
  ASSERT_TRUE(cmp.is_ok()) << cmp.status().message();
  EXPECT_LE(cmp->worst, kTolerance);
  int kernels = 0;
  for (const StepInfo& step : cmp->engine->steps()) kernels += step.op != "Reorder";
  EXPECT_EQ(kernels, 5);  // five convolutions, nothing else but boundary reorders
}

TEST(FuseResidual, BroadcastAddIsNotFused) {
  GraphBuilder b("bcast", 7);
  const ValueId x = b.input("x", Shape{1, 3, 6, 6});
  b.output(b.add(b.conv2d(x, 8, 3), b.input("bias", Shape{1, 8, 1, 1})));
  const Graph g = finish(std::move(b));
  PlanGraph p = PlanGraph::from(g);
  EXPECT_EQ(fuse_residual_add(p, kAcceptAll), 0);
}

}  // namespace
}  // namespace eb::rt::testing
