// Small cfgs that exercise every layer type and option edge we read, each
// compared with libdarknet layer by layer: dims when parsed, and, for those
// we can export, the weights it loads from our export of them.
#include <gtest/gtest.h>

#include <memory>

#include "compare.h"
#include "formats/darknet/darknet.h"
#include "test_util.h"

namespace eb::darknet_format {
namespace {

using namespace darknet_test;

struct LayerCase {
  const char* name;
  int c, h, w;      // the [net] input
  const char* cfg;  // the layers
};

const LayerCase kCases[] = {
    {"conv_padding", 3, 13, 11,
     "[convolutional]\nfilters=4\nsize=3\nstride=2\npad=1\nactivation=relu\n"
     "[convolutional]\nfilters=6\nsize=5\nstride=3\npadding=2\nactivation=logistic\n"
     "[convolutional]\nfilters=6\nsize=2\nstride=1\npad=1\nactivation=linear\n"
     "[convolutional]\nbatch_normalize=1\nfilters=4\nsize=1\nstride=1\npad=1\ngroups=2\nactivation=leaky\n"
     "[convolutional]\nfilters=4\nsize=3\nactivation=ramp\n"},
    {"maxpool_rules", 2, 13, 12,
     "[maxpool]\nsize=2\nstride=1\n[maxpool]\nsize=2\nstride=2\n[maxpool]\nsize=3\nstride=2\n"
     "[maxpool]\nsize=3\nstride=1\npadding=0\n[maxpool]\nstride=2\n[maxpool]\nsize=1\nstride=1\n"},
    {"classifier", 3, 16, 16,
     "[convolutional]\nfilters=8\nsize=3\npad=1\nactivation=leaky\n[dropout]\nprobability=.5\n"
     "[avgpool]\n[connected]\noutput=6\nbatch_normalize=1\nactivation=relu\n[connected]\noutput=5\nactivation=linear\n"
     "[softmax]\ngroups=1\n[cost]\ntype=sse\n"},
    {"softmax_variants", 12, 1, 1, "[softmax]\ngroups=3\n[softmax]\ntemperature=2\n"},
    {"flat_to_image", 2, 3, 3,
     "[connected]\noutput=8\nactivation=leaky\n[convolutional]\nfilters=3\nsize=1\nactivation=linear\n"
     "[batchnorm]\n[activation]\nactivation=logistic\n"},
    {"routes", 3, 8, 8,
     "[convolutional]\nfilters=4\nsize=1\nactivation=linear\n"
     "[maxpool]\nsize=2\nstride=2\n"
     "[convolutional]\nfilters=5\nsize=1\nactivation=linear\n"
     "[route]\nlayers=-1,1\n"
     "[route]\nlayers=0\n"
     "[route]\nlayers=0,3\n"  // 8x8 and 4x4: a flat concatenation, dims 0
     "[connected]\noutput=3\nactivation=linear\n"},
    {"shortcuts", 4, 8, 8,
     "[convolutional]\nfilters=4\nsize=3\npad=1\nactivation=leaky\n"
     "[convolutional]\nfilters=4\nsize=1\nactivation=leaky\n"
     "[shortcut]\nfrom=-2\nactivation=relu\n"
     "[convolutional]\nfilters=8\nsize=3\nstride=2\npad=1\nactivation=leaky\n"
     "[shortcut]\nfrom=-2\nactivation=linear\n"  // 4x8x8 into 8x4x4: subsample and zero channels
     "[convolutional]\nfilters=2\nsize=1\nactivation=linear\n"
     "[shortcut]\nfrom=-2\n"},  // 8 channels into 2: the first two
    {"upsample_yolo", 3, 8, 8,
     "[convolutional]\nfilters=18\nsize=1\nactivation=linear\n"
     "[yolo]\nmask=3,4,5\nanchors=1,1,2,2,3,3,4,4,5,5,6,6\nclasses=1\nnum=6\n"
     "[route]\nlayers=-2\n[upsample]\nstride=2\n[upsample]\nstride=3\nscale=0.5\n"
     "[convolutional]\nfilters=14\nsize=1\nactivation=linear\n"
     "[yolo]\nmask=0,1\nclasses=2\nnum=6\n"},
    {"region_reorg", 8, 8, 12,
     "[reorg]\nstride=2\n[convolutional]\nfilters=30\nsize=1\nactivation=linear\n"
     "[region]\nanchors=1,1,2,2\nclasses=10\ncoords=4\nnum=2\n"},
    {"detection", 3, 6, 6, "[connected]\noutput=68\nactivation=linear\n[detection]\nclasses=2\ncoords=4\nside=2\nnum=3\n"},
    {"reorg_extra", 1, 5, 5, "[reorg]\nextra=1\nstride=1\n[softmax]\n"},
    {"crops", 3, 17, 20,
     "[crop]\ncrop_height=12\ncrop_width=13\n[crop]\ncrop_height=12\ncrop_width=13\nnoadjust=1\n[crop]\ncrop_height=5\ncrop_width=4\n"},
};

std::string net(const LayerCase& c) {
  return "[net]\nbatch=1\nchannels=" + std::to_string(c.c) + "\nheight=" + std::to_string(c.h) + "\nwidth=" + std::to_string(c.w) + "\n";
}

TEST(DarknetLayers, DimsAndLoadedWeightsMatchLibdarknet) {
  struct Run {
    std::string name;
    std::vector<LayerSummary> layers;
    std::string weights;  // "" when only the dims are compared
    std::unique_ptr<TempFile> cfg, weights_file;
  };
  std::vector<Run> runs;
  for (const LayerCase& c : kCases) {
    const std::string text = net(c) + c.cfg;
    auto cfg = parse_cfg(text);
    ASSERT_TRUE(cfg.is_ok()) << c.name << ": " << cfg.status().message();
    auto model = import_darknet(*cfg, nullptr);
    ASSERT_TRUE(model.is_ok()) << c.name << ": " << model.status().message();
    runs.push_back({c.name, model->layers, "", std::make_unique<TempFile>(std::string("layers_") + c.name + ".cfg", text), nullptr});
    // Where we can export the graph, libdarknet must load our weights.
    auto e = export_darknet_model(model->graph);
    if (!e.is_ok()) continue;
    auto reader = WeightsReader::open(e->weights, c.name);
    auto again = import_darknet(*parse_cfg(e->cfg), &*reader);
    ASSERT_TRUE(again.is_ok()) << c.name << ": " << again.status().message() << "\n" << e->cfg;
    const std::string name = std::string(c.name) + " (exported)";
    runs.push_back({name, again->layers, e->weights, std::make_unique<TempFile>(std::string("layers_x_") + c.name + ".cfg", e->cfg),
                    std::make_unique<TempFile>(std::string("layers_x_") + c.name + ".weights", e->weights)});
  }
  if (!libdarknet_available()) GTEST_SKIP() << "libdarknet is not installed";
  std::vector<ProbeRequest> requests;
  for (const Run& r : runs) requests.push_back({r.cfg->path(), r.weights_file ? r.weights_file->path() : "", {}, {}});
  const auto theirs = probe_libdarknet_all(requests);
  int exported = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    ASSERT_TRUE(theirs[i].is_ok()) << runs[i].name << ": " << theirs[i].status().message();
    expect_same_layers(runs[i].name, runs[i].layers, *theirs[i]);
    if (runs[i].weights_file) {
      expect_loaded(runs[i].name, runs[i].weights, *theirs[i]);
      ++exported;
    }
  }
  std::printf("  %zu small cfgs compared with libdarknet, %d of them also exported and loaded\n", std::size(kCases), exported);
}

}  // namespace
}  // namespace eb::darknet_format
