// Comparisons with libdarknet shared by the Darknet tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

#include "formats/darknet/darknet.h"
#include "libdarknet_probe.h"

namespace eb::darknet_test {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// EB_DARKNET_FULL_SWEEP=1 compares every Debian cfg with libdarknet (about a
// minute of CPU: libdarknet draws random weights for every model it parses);
// by default a subset that still covers every layer type.
inline bool full_sweep() {
  const char* v = std::getenv("EB_DARKNET_FULL_SWEEP");
  return v && *v && std::string(v) != "0";
}

// The cfg as libdarknet should see it: batch 1 (training cfgs ask for 128),
// optionally resized.
inline std::string single_batch(const darknet_format::CfgFile& cfg, int64_t width = 0, int64_t height = 0) {
  darknet_format::CfgFile copy = cfg;
  auto& opts = copy.sections[0].options;
  opts.erase(std::remove_if(opts.begin(), opts.end(),
                            [&](const darknet_format::CfgOption& o) {
                              return o.key == "batch" || o.key == "subdivisions" || (width && o.key == "width") ||
                                     (height && o.key == "height");
                            }),
             opts.end());
  opts.insert(opts.begin(), {{"batch", "1", 0}, {"subdivisions", "1", 0}});
  if (width) opts.push_back({"width", std::to_string(width), 0});
  if (height) opts.push_back({"height", std::to_string(height), 0});
  return format_cfg(copy);
}

// Our view of every layer against libdarknet's: out_c/out_h/out_w and outputs.
inline void expect_same_layers(const std::string& what, const std::vector<darknet_format::LayerSummary>& ours,
                               const std::vector<DarknetLayer>& theirs) {
  ASSERT_EQ(ours.size(), theirs.size()) << what;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const auto& a = ours[i];
    const auto& b = theirs[i];
    EXPECT_EQ(std::vector<int64_t>({a.c, a.h, a.w, a.outputs}), std::vector<int64_t>({b.c, b.h, b.w, b.outputs}))
        << what << ": out_c/h/w and outputs of layer " << i << " [" << a.type << "] at line " << a.line;
  }
}

// The arrays libdarknet loaded, in the order its loader fills them: equal to
// the .weights file (after the 20-byte header) when it read what we wrote.
inline std::string loaded_bytes(const std::vector<DarknetLayer>& layers) {
  std::string bytes;
  const auto append = [&](const std::vector<float>& v) {
    bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
  };
  for (const DarknetLayer& l : layers) {
    if (l.type == 2 /* CONNECTED */) {
      for (const auto* part : {&l.biases, &l.weights, &l.scales, &l.rolling_mean, &l.rolling_variance}) append(*part);
    } else {
      for (const auto* part : {&l.biases, &l.scales, &l.rolling_mean, &l.rolling_variance, &l.weights}) append(*part);
    }
  }
  return bytes;
}

inline void expect_loaded(const std::string& what, const std::string& weights_file, const std::vector<DarknetLayer>& layers) {
  const std::string loaded = loaded_bytes(layers);
  EXPECT_TRUE(weights_file.size() == 20 + loaded.size() && weights_file.compare(20, std::string::npos, loaded) == 0)
      << what << ": libdarknet loaded " << loaded.size() << " bytes of weights, the file has " << weights_file.size() - 20;
}

}  // namespace eb::darknet_test
