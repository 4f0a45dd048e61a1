// The imported graph computes what Darknet computes: the same cfg and
// .weights run through libdarknet's network_predict() and through our
// reference kernels give the same outputs. This checks the semantics the
// other tests only check shapes of (BN's epsilon, maxpool padding, the crop,
// reorg, ramp and shortcut rewrites, softmax temperature, weight layouts).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "compare.h"
#include "formats/darknet/darknet.h"
#include "graph/builder.h"
#include "runtime/reference/reference.h"
#include "test_util.h"

#ifdef EB_HAVE_ZOO
#include "zoo/zoo.h"
#endif

namespace eb::darknet_format {
namespace {

using namespace darknet_test;

struct NumericCase {
  const char* name;
  int c, h, w;
  const char* cfg;  // layers after [net]
};

const NumericCase kCases[] = {
    {"conv_bn_activations", 3, 9, 8,
     "[convolutional]\nbatch_normalize=1\nfilters=4\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
     "[convolutional]\nfilters=6\nsize=3\nstride=2\npad=1\nactivation=ramp\n"
     "[convolutional]\nbatch_normalize=1\nfilters=6\nsize=1\ngroups=3\nactivation=logistic\n"
     "[convolutional]\nfilters=5\nsize=2\npad=1\nactivation=relu\n"},
    {"maxpools", 2, 13, 11, "[maxpool]\nsize=2\nstride=1\n[maxpool]\nsize=3\nstride=2\n[maxpool]\nsize=2\nstride=2\n"},
    {"classifier", 3, 10, 10,
     "[convolutional]\nfilters=8\nsize=3\npad=1\nactivation=leaky\n[dropout]\nprobability=.5\n[avgpool]\n"
     "[connected]\noutput=6\nbatch_normalize=1\nactivation=relu\n[connected]\noutput=5\nactivation=linear\n"
     "[softmax]\ntemperature=2\n"},
    {"route_shortcut_upsample", 4, 8, 8,
     "[convolutional]\nfilters=4\nsize=3\npad=1\nactivation=leaky\n"
     "[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\nstride=2\npad=1\nactivation=leaky\n"
     "[shortcut]\nfrom=-2\nactivation=leaky\n"  // option A: subsample and zero channels
     "[convolutional]\nfilters=2\nsize=1\nactivation=linear\n"
     "[shortcut]\nfrom=-2\n"  // the first channels only
     "[upsample]\nstride=2\n"
     "[route]\nlayers=-1,0\n"
     "[convolutional]\nfilters=12\nsize=1\nactivation=linear\n"
     "[yolo]\nmask=0,1\nclasses=1\nnum=2\n"},
    {"reorg_region", 8, 4, 6,
     "[reorg]\nstride=2\n[convolutional]\nfilters=12\nsize=1\nactivation=linear\n[region]\nclasses=1\ncoords=4\nnum=2\n"},
    {"crops", 2, 11, 14, "[crop]\ncrop_height=8\ncrop_width=9\n[crop]\ncrop_height=7\ncrop_width=7\nnoadjust=1\n"},
    {"softmax_groups_extra", 3, 2, 2, "[reorg]\nextra=2\n[softmax]\ngroups=2\n"},
    // (Not [batchnorm]: libdarknet itself crashes running it.)
    {"activation_layer", 3, 4, 4, "[convolutional]\nfilters=4\nsize=1\nactivation=linear\n[activation]\nactivation=relu\n"},
};

// Weights for any cfg: a long run of values in [lo, hi) that both loaders
// read a prefix of. Positive, so that BN variances are valid wherever they
// fall; small, so that activations stay in range through the layers.
std::string weights_bytes(std::size_t floats, float lo, float hi) {
  WeightsWriter w;
  std::vector<float> v(floats);
  uint32_t state = 12345;
  for (float& x : v) {
    state = state * 1664525u + 1013904223u;
    x = lo + (hi - lo) * static_cast<float>(state >> 8) / 16777216.0f;
  }
  w.append(v);
  return w.bytes();
}

std::vector<float> input_for(int64_t n) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.37f * static_cast<float>(i));  // both signs
  return v;
}

// Within 1e-4 of the largest magnitude: float rounding in different orders,
// and Darknet's sqrt(var) + 1e-6 against our sqrt(var + 1e-12).
void expect_close(const std::string& what, const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size()) << what;
  float scale = 0.0f, worst = 0.0f;
  for (float x : want) scale = std::max(scale, std::abs(x));
  for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  EXPECT_LE(worst, 1e-4f * std::max(scale, 1.0f)) << what << ": largest difference " << worst << " for values up to " << scale;
}

// For each graph output, the Darknet layer whose output buffer holds it.
std::vector<int> output_layers(const DarknetModel& m) {
  std::vector<int> layers;
  for (ValueId v : m.graph.outputs)
    for (std::size_t i = 0; i < m.layers.size(); ++i)
      if (m.layers[i].value == v) {
        layers.push_back(static_cast<int>(i));
        break;
      }
  return layers;
}

TEST(DarknetNumerics, ImportedGraphsComputeWhatDarknetComputes) {
  if (!libdarknet_available()) GTEST_SKIP() << "libdarknet is not installed";
  struct Run {
    std::string name;
    std::vector<std::vector<float>> ours;
    std::vector<int> layers;
    std::unique_ptr<TempFile> cfg, weights;
  };
  std::vector<Run> runs;
  std::vector<ProbeRequest> requests;
  const std::string bytes = weights_bytes(1 << 16, 0.02f, 0.2f);
  for (const NumericCase& c : kCases) {
    const std::string text = "[net]\nbatch=1\nchannels=" + std::to_string(c.c) + "\nheight=" + std::to_string(c.h) +
                             "\nwidth=" + std::to_string(c.w) + "\n" + c.cfg;
    auto reader = WeightsReader::open(bytes, "random");
    DarknetOptions options;
    options.allow_trailing_weights = true;
    auto model = import_darknet(*parse_cfg(text), &*reader, options);
    ASSERT_TRUE(model.is_ok()) << c.name << ": " << model.status().message();
    const std::vector<float> input = input_for(int64_t{c.c} * c.h * c.w);
    auto ours = ref::run_graph(model->graph, {input});
    ASSERT_TRUE(ours.is_ok()) << c.name << ": " << ours.status().message();
    Run run{c.name, std::move(ours).value(), output_layers(*model),
            std::make_unique<TempFile>(std::string("num_") + c.name + ".cfg", text),
            std::make_unique<TempFile>(std::string("num_") + c.name + ".weights", bytes)};
    ASSERT_EQ(run.layers.size(), model->graph.outputs.size()) << c.name;
    requests.push_back({run.cfg->path(), run.weights->path(), input, run.layers});
    runs.push_back(std::move(run));
  }
  const auto theirs = probe_libdarknet_all(requests);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    ASSERT_TRUE(theirs[r].is_ok()) << runs[r].name << ": " << theirs[r].status().message();
    for (std::size_t k = 0; k < runs[r].layers.size(); ++k) {
      expect_close(runs[r].name + " output " + std::to_string(k), runs[r].ours[k],
                   (*theirs[r])[static_cast<std::size_t>(runs[r].layers[k])].output);
    }
  }
}

// Graphs that were never Darknet's: BN with another epsilon after a biased
// conv, SAME-style pools, residual adds, concats, extra outputs. What the
// exporter writes must make libdarknet compute what the graph computes.
Graph builder_net() {
  GraphBuilder b("builder_net", 11);
  ValueId x = b.input("image", Shape{1, 3, 12, 12});
  ValueId c1 = b.leaky_relu(b.batch_norm(b.conv2d(x, 8, 3, 1, 1, 1, /*bias=*/true), 1e-3f));
  ValueId p = b.max_pool2d(c1, 3, 2, 1);  // 6x6
  ValueId c2 = b.relu(b.batch_norm(b.conv2d(p, 8, 3, 1, 1, 2, false)));
  ValueId r = b.relu(b.add(c2, p));
  ValueId head = b.conv2d(r, 18, 1, 1, 0);  // an extra output: a [yolo] marker
  ValueId cat = b.concat({b.upsample(r, 2), c1});
  ValueId y = b.sigmoid(b.batch_norm(b.concat({cat, x})));  // a lone BN: identity conv
  ValueId fc = b.dense(b.flatten(b.global_avg_pool(b.conv2d(y, 6, 1, 1, 0))), 4);
  b.output(head);
  b.output(b.softmax(fc, 1));
  auto g = std::move(b).finish();
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return std::move(g).value();
}

TEST(DarknetNumerics, ExportedGraphsComputeWhatTheGraphComputes) {
  if (!libdarknet_available()) GTEST_SKIP() << "libdarknet is not installed";
  std::vector<Graph> graphs;
  graphs.push_back(builder_net());
#ifdef EB_HAVE_ZOO
  for (const auto& [id, size] : {std::pair{"cifarnet", 0}, {"resnet18", 32}, {"tiny_yolo", 64}}) {
    zoo::BuildOptions options;
    options.input_size = size;
    auto g = zoo::build(id, options);
    ASSERT_TRUE(g.is_ok()) << id << ": " << g.status().message();
    graphs.push_back(std::move(g).value());
  }
#endif
  struct Run {
    std::vector<std::vector<float>> ours;
    std::vector<int> layers;
    std::unique_ptr<TempFile> cfg, weights;
  };
  std::vector<Run> runs;
  std::vector<ProbeRequest> requests;
  for (const Graph& g : graphs) {
    auto e = export_darknet_model(g);
    ASSERT_TRUE(e.is_ok()) << e.status().message();
    const std::vector<float> input = input_for(g.value(g.inputs[0]).desc.shape.numel());
    auto ours = ref::run_graph(g, {input});
    ASSERT_TRUE(ours.is_ok()) << g.name << ": " << ours.status().message();
    runs.push_back({std::move(ours).value(), e->output_layers, std::make_unique<TempFile>("numx_" + g.name + ".cfg", e->cfg),
                    std::make_unique<TempFile>("numx_" + g.name + ".weights", e->weights)});
    requests.push_back({runs.back().cfg->path(), runs.back().weights->path(), input, e->output_layers});
  }
  const auto theirs = probe_libdarknet_all(requests);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    ASSERT_TRUE(theirs[r].is_ok()) << graphs[r].name << ": " << theirs[r].status().message();
    for (std::size_t k = 0; k < runs[r].layers.size(); ++k)
      expect_close(graphs[r].name + " output " + std::to_string(k), runs[r].ours[k],
                   (*theirs[r])[static_cast<std::size_t>(runs[r].layers[k])].output);
  }
}

}  // namespace
}  // namespace eb::darknet_format
