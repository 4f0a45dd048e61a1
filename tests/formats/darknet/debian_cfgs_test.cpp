// Every model description Debian's darknet package ships: each imports (or
// is unsupported for a stated reason) and exports back to the same graph;
// libdarknet computes the same dims for every layer and loads our exports'
// weights where we put them.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

#include "compare.h"
#include "formats/darknet/darknet.h"
#include "graph/analyzer.h"
#include "test_util.h"

namespace eb::darknet_format {
namespace {

using namespace darknet_test;

struct ShippedCfg {
  const char* file;
  const char* purpose;      // classification, detection, backbone (no head), other
  const char* unsupported;  // nullptr: imports; else a part of the reason
  const char* no_export;    // nullptr: exports; else a part of the reason
  // Exports back to the very same graph (else to an equivalent one: e.g. a
  // bias-less scaling conv comes back with a zero bias).
  bool same_graph = true;
};

// Classification and detection cfgs all import, but two whose layers have
// no expression in the graph IR: yolov1 ([local], unshared weights per
// position) and darknet9000 (hierarchical softmax over a label tree).
const ShippedCfg kShipped[] = {
    {"alexnet.cfg", "classification", nullptr, nullptr},
    {"cifar.cfg", "classification", nullptr, nullptr},
    {"cifar.test.cfg", "classification", nullptr, nullptr, false},  // softmax temperature: a scaling conv
    {"darknet.cfg", "classification", nullptr, nullptr},
    {"darknet19.cfg", "classification", nullptr, nullptr},
    {"darknet19_448.cfg", "classification", nullptr, nullptr},
    {"darknet53.cfg", "classification", nullptr, nullptr},
    {"darknet53_448.cfg", "classification", nullptr, nullptr},
    {"darknet9000.cfg", "classification", "tree=", nullptr},
    {"densenet201.cfg", "classification", nullptr, nullptr},
    {"extraction.cfg", "classification", nullptr, nullptr},
    {"extraction.conv.cfg", "classification", nullptr, nullptr},
    {"extraction22k.cfg", "classification", nullptr, nullptr},
    {"go.cfg", "other", nullptr, "Pad"},  // Go moves; reorg extra=1 is a Pad
    {"go.test.cfg", "other", nullptr, "Pad"},
    {"gru.cfg", "other", "[gru]", nullptr},
    {"jnet-conv.cfg", "backbone", nullptr, nullptr},
    {"resnet101.cfg", "classification", nullptr, nullptr},
    {"resnet152.cfg", "classification", nullptr, nullptr},
    {"resnet18.cfg", "classification", nullptr, nullptr},
    {"resnet34.cfg", "classification", nullptr, nullptr},
    {"resnet50.cfg", "classification", nullptr, nullptr},
    {"resnext101-32x4d.cfg", "classification", nullptr, nullptr},
    {"resnext152-32x4d.cfg", "classification", nullptr, nullptr},
    {"resnext50.cfg", "classification", nullptr, nullptr},
    {"rnn.cfg", "other", "[rnn]", nullptr},
    {"rnn.train.cfg", "other", "[rnn]", nullptr},
    {"strided.cfg", "classification", nullptr, "dilated"},  // [crop]: a dilated single-tap conv
    {"t1.test.cfg", "detection", nullptr, nullptr},
    {"tiny.cfg", "classification", nullptr, nullptr},
    {"vgg-16.cfg", "classification", nullptr, "dilated"},
    {"vgg-conv.cfg", "backbone", nullptr, nullptr},
    {"writing.cfg", "other", nullptr, nullptr},
    {"yolo9000.cfg", "detection", nullptr, nullptr},
    {"yolov1-tiny.cfg", "detection", nullptr, nullptr},
    {"yolov1.cfg", "detection", "[local]", nullptr},
    {"yolov2-tiny-voc.cfg", "detection", nullptr, nullptr},
    {"yolov2-tiny.cfg", "detection", nullptr, nullptr},
    {"yolov2-voc.cfg", "detection", nullptr, "Reshape"},  // [reorg]: reshape + permutation conv
    {"yolov2.cfg", "detection", nullptr, "Reshape"},
    {"yolov3-openimages.cfg", "detection", nullptr, nullptr},
    {"yolov3-spp.cfg", "detection", nullptr, nullptr},
    {"yolov3-tiny.cfg", "detection", nullptr, nullptr},
    {"yolov3-voc.cfg", "detection", nullptr, nullptr},
    {"yolov3.cfg", "detection", nullptr, nullptr},
};

// Compared with libdarknet by default (a few seconds of its CPU); the rest
// with EB_DARKNET_FULL_SWEEP=1. Together with layers_test.cpp's small cfgs
// they cover every layer type and option the shipped cfgs use.
const std::set<std::string> kQuickSweep = {"tiny.cfg",       "writing.cfg",     "go.cfg",
                                           "darknet.cfg",    "cifar.test.cfg",  "yolov3-tiny.cfg",
                                           "yolov2-tiny-voc.cfg", "resnet18.cfg"};
// Round trips copy every weight four times: big models only in the full sweep.
constexpr int64_t kQuickRoundTripParams = 12'000'000;
// libdarknet loads our export of these and sends every weight back.
const std::set<std::string> kCheckLoadedWeights = {"yolov3-tiny.cfg", "tiny.cfg"};

std::string path_of(const std::string& file) { return std::string(darknet_cfg_dir()) + "/" + file; }

Result<DarknetModel> load_shapes(const std::string& file, int64_t size = 0) {
  DarknetOptions options;
  options.zero_weights = true;  // shapes only: fast
  options.width = options.height = size;
  return load_darknet_model(path_of(file), "", options);
}

class DebianCfg : public ::testing::TestWithParam<ShippedCfg> {};

TEST_P(DebianCfg, Imports) {
  const ShippedCfg& c = GetParam();
  if (!std::filesystem::exists(path_of(c.file))) GTEST_SKIP() << path_of(c.file) << " is not installed";
  auto model = load_shapes(c.file);
  if (c.unsupported) {
    ASSERT_FALSE(model.is_ok());
    EXPECT_EQ(model.status().code(), ErrorCode::unsupported) << model.status().message();
    EXPECT_NE(model.status().message().find(c.unsupported), std::string::npos) << model.status().message();
    std::printf("  %-22s %-14s unsupported: %s\n", c.file, c.purpose, model.status().message().c_str());
    return;
  }
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  const ModelInfo info = analyze(model->graph);
  std::string outputs;
  for (const Shape& s : info.outputs) outputs += " [" + s.to_string() + "]";
  std::printf("  %-22s %-14s %3zu layers %4zu nodes %11lld params, outputs%s\n", c.file, c.purpose, model->layers.size(),
              model->graph.nodes.size(), static_cast<long long>(info.params + info.buffers), outputs.c_str());
}

TEST_P(DebianCfg, ExportsBackToTheSameGraph) {
  const ShippedCfg& c = GetParam();
  if (!std::filesystem::exists(path_of(c.file))) GTEST_SKIP() << path_of(c.file) << " is not installed";
  if (c.unsupported) GTEST_SKIP() << "does not import";
  auto model = load_shapes(c.file);
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  const ModelInfo info = analyze(model->graph);
  if (info.params + info.buffers > kQuickRoundTripParams && !full_sweep())
    GTEST_SKIP() << "a big model: EB_DARKNET_FULL_SWEEP=1 round-trips it";
  scramble_weights(model->graph);
  auto exported = export_darknet_model(model->graph);
  if (c.no_export) {
    ASSERT_FALSE(exported.is_ok());
    EXPECT_EQ(exported.status().code(), ErrorCode::unsupported);
    EXPECT_NE(exported.status().message().find(c.no_export), std::string::npos) << exported.status().message();
    return;
  }
  ASSERT_TRUE(exported.is_ok()) << exported.status().message();
  auto cfg = parse_cfg(exported->cfg);
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  auto reader = WeightsReader::open(std::move(exported->weights), "exported");
  ASSERT_TRUE(reader.is_ok());
  auto again = import_darknet(*cfg, &*reader);
  ASSERT_TRUE(again.is_ok()) << again.status().message() << "\n" << exported->cfg;
  if (c.same_graph) {
    EXPECT_EQ(difference(model->graph, again->graph), "");
  } else {
    EXPECT_EQ(analyze(again->graph).outputs, analyze(model->graph).outputs);
  }
}

std::string test_name(const ::testing::TestParamInfo<ShippedCfg>& info) {
  std::string name = info.param.file;
  name = name.substr(0, name.size() - 4);  // ".cfg"
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Shipped, DebianCfg, ::testing::ValuesIn(kShipped), test_name);

TEST(DebianCfgs, EveryShippedCfgIsListed) {
  if (!std::filesystem::is_directory(darknet_cfg_dir())) GTEST_SKIP() << "darknet is not installed";
  std::set<std::string> listed;
  for (const ShippedCfg& c : kShipped) listed.insert(c.file);
  for (const auto& entry : std::filesystem::directory_iterator(darknet_cfg_dir())) {
    if (entry.path().extension() == ".cfg") {
      EXPECT_TRUE(listed.count(entry.path().filename().string())) << entry.path() << " is not in kShipped";
    }
  }
}

// Every layer's out_c/out_h/out_w/outputs as libdarknet computes them, at
// the cfg's own size and at the study's 224 x 224.
TEST(DebianCfgs, LayerDimsMatchLibdarknet) {
  if (!libdarknet_available()) GTEST_SKIP() << "libdarknet is not installed";
  struct Case {
    std::string name;
    std::vector<LayerSummary> ours;
    std::unique_ptr<TempFile> cfg;
  };
  std::vector<Case> cases;
  const auto add = [&](const std::string& file, int64_t size) {
    if (!std::filesystem::exists(path_of(file))) return;
    auto model = load_shapes(file, size);
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    const std::string name = file + (size ? " at " + std::to_string(size) : "");
    const std::string text = single_batch(*parse_cfg(read_text(path_of(file))), size, size);
    cases.push_back({name, model->layers, std::make_unique<TempFile>((size ? "224_" : "dims_") + file, text)});
  };
  for (const ShippedCfg& c : kShipped)
    if (!c.unsupported && (full_sweep() || kQuickSweep.count(c.file))) add(c.file, 0);
  for (const char* file : {"yolov3-tiny.cfg", "yolov2-tiny-voc.cfg"}) add(file, 224);
  if (full_sweep())
    for (const char* file : {"yolov3.cfg", "resnet18.cfg", "resnet50.cfg", "resnet101.cfg", "alexnet.cfg", "vgg-16.cfg"}) add(file, 224);

  std::vector<ProbeRequest> requests;
  for (const Case& c : cases) requests.push_back({c.cfg->path(), "", {}, {}});
  const auto theirs = probe_libdarknet_all(requests);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ASSERT_TRUE(theirs[i].is_ok()) << cases[i].name << ": " << theirs[i].status().message();
    expect_same_layers(cases[i].name, cases[i].ours, *theirs[i]);
  }
  std::printf("  compared %zu cfgs layer by layer with libdarknet%s\n", cases.size(),
              full_sweep() ? "" : " (EB_DARKNET_FULL_SWEEP=1 for all)");
}

// Our export of an imported cfg, loaded by libdarknet: it holds exactly the
// weights we wrote, layer by layer, and computes our dims.
TEST(DebianCfgs, LibdarknetLoadsOurExports) {
  if (!libdarknet_available()) GTEST_SKIP() << "libdarknet is not installed";
  struct Case {
    std::string name;
    DarknetModel reimported;
    std::string weights;
    std::unique_ptr<TempFile> cfg, weights_file;
  };
  std::vector<Case> cases;
  for (const std::string& file : kCheckLoadedWeights) {
    if (!std::filesystem::exists(path_of(file))) continue;
    auto model = load_shapes(file);
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    scramble_weights(model->graph);
    auto e = export_darknet_model(model->graph);
    ASSERT_TRUE(e.is_ok()) << e.status().message();
    auto reader = WeightsReader::open(e->weights, file);
    auto again = import_darknet(*parse_cfg(e->cfg), &*reader);
    ASSERT_TRUE(again.is_ok()) << again.status().message();
    cases.push_back({file, std::move(again).value(), e->weights, std::make_unique<TempFile>("load_" + file, e->cfg),
                     std::make_unique<TempFile>("load_" + file + ".weights", e->weights)});
  }
  std::vector<ProbeRequest> requests;
  for (const Case& c : cases) requests.push_back({c.cfg->path(), c.weights_file->path(), {}, {}});
  const auto theirs = probe_libdarknet_all(requests);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ASSERT_TRUE(theirs[i].is_ok()) << cases[i].name << ": " << theirs[i].status().message();
    expect_same_layers(cases[i].name, cases[i].reimported.layers, *theirs[i]);
    expect_loaded(cases[i].name, cases[i].weights, *theirs[i]);
  }
}

}  // namespace
}  // namespace eb::darknet_format
