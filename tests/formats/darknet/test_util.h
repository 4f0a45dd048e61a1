// Helpers shared by the Darknet tests: temporary files and graph comparison.
#pragma once

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "graph/graph.h"

namespace eb::darknet_test {

// A file under the temp dir, removed when this goes out of scope.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& contents)
      : path_(std::filesystem::temp_directory_path() / ("eb_darknet_" + std::to_string(::getpid()) + "_" + name)) {
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// "" when a and b compute the same thing the same way: nodes in the same
// order with the same ops, attrs and wiring, the same shapes, bit-identical
// weights. Names are ignored. Otherwise, the first difference.
inline std::string difference(const Graph& a, const Graph& b) {
  if (a.nodes.size() != b.nodes.size())
    return std::to_string(a.nodes.size()) + " nodes vs " + std::to_string(b.nodes.size());
  if (a.inputs.size() != b.inputs.size() || a.outputs.size() != b.outputs.size()) return "different input/output counts";
  std::vector<ValueId> map(a.values.size(), kNoValue);  // a's activations -> b's
  for (std::size_t i = 0; i < a.inputs.size(); ++i) {
    if (a.value(a.inputs[i]).desc != b.value(b.inputs[i]).desc) return "input " + std::to_string(i) + " differs";
    map[a.inputs[i]] = b.inputs[i];
  }
  for (std::size_t n = 0; n < a.nodes.size(); ++n) {
    const Node& x = a.nodes[n];
    const Node& y = b.nodes[n];
    const std::string at = "node " + std::to_string(n) + " ('" + x.name + "' vs '" + y.name + "'): ";
    if (x.op != y.op) return at + "op " + std::string(op_name(x.op)) + " vs " + std::string(op_name(y.op));
    if (!(x.attrs == y.attrs)) return at + "attrs differ";
    if (x.inputs.size() != y.inputs.size()) return at + "input counts differ";
    for (std::size_t i = 0; i < x.inputs.size(); ++i) {
      const Value& u = a.value(x.inputs[i]);
      const Value& v = b.value(y.inputs[i]);
      if (u.desc != v.desc) return at + "input " + std::to_string(i) + " shape differs";
      if (u.is_initializer() != v.is_initializer()) return at + "input " + std::to_string(i) + " kind differs";
      if (u.is_initializer()) {
        if (u.data->size() != v.data->size() || std::memcmp(u.data->data(), v.data->data(), u.data->size() * sizeof(float)) != 0)
          return at + "weights '" + u.name + "' differ";
      } else if (map[x.inputs[i]] != y.inputs[i]) {
        return at + "input " + std::to_string(i) + " is wired differently";
      }
    }
    if (a.value(x.outputs[0]).desc != b.value(y.outputs[0]).desc) return at + "output shape differs";
    map[x.outputs[0]] = y.outputs[0];
  }
  for (std::size_t i = 0; i < a.outputs.size(); ++i)
    if (map[a.outputs[i]] != b.outputs[i]) return "output " + std::to_string(i) + " differs";
  return "";
}

// Distinct, cheap, deterministic weights (every float bit pattern differs),
// so that layout mistakes show; faster than seeded normals for big models.
inline void scramble_weights(Graph& g, uint32_t seed = 1) {
  uint32_t state = seed * 2654435761u + 1;
  for (Value& v : g.values) {
    if (!v.is_initializer()) continue;
    std::vector<float> data(v.data->size());
    for (float& x : data) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      x = static_cast<float>(state % 2000001u) * 1e-6f - 1.0f;
    }
    v.data = std::make_shared<const std::vector<float>>(std::move(data));
  }
}

}  // namespace eb::darknet_test
