// Test helper: asks Debian's libdarknet what it makes of a cfg (and
// weights), in a forked child. libdarknet calls exit() or crashes on input it
// dislikes and prints freely, so it never runs in the test process itself:
// a child dlopen()s it (tests need it only at run time) and forks one worker
// per file from there.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace eb::darknet_test {

struct DarknetLayer {
  int type = 0;  // Darknet's LAYER_TYPE
  int c = 0, h = 0, w = 0, outputs = 0;
  bool batch_normalize = false;
  // With weights: what libdarknet loaded, in its own arrays.
  std::vector<float> biases, scales, rolling_mean, rolling_variance, weights;
  // With an input: the layer's output after network_predict(), if asked for.
  std::vector<float> output;
};

// Where the tests find Darknet's library and its model descriptions.
bool libdarknet_available();
const char* darknet_cfg_dir();

// Darknet's parse_network_cfg() (then load_weights() if weights_path is not
// empty) on the file; the arrays are filled only when weights are loaded.
// Fails if libdarknet exits, crashes or cannot be loaded.
Result<std::vector<DarknetLayer>> probe_libdarknet(const std::string& cfg_path, const std::string& weights_path = "");

// The same for many files at once: the library is loaded once (that alone
// takes about half a second) and each file gets its own forked worker.
struct ProbeRequest {
  std::string cfg_path;
  std::string weights_path;
  std::vector<float> input;  // if not empty: run network_predict() on it ...
  std::vector<int> outputs;  // ... and send these layers' outputs back
};
std::vector<Result<std::vector<DarknetLayer>>> probe_libdarknet_all(const std::vector<ProbeRequest>& requests);

}  // namespace eb::darknet_test
