// The Backend interface: what every framework adapter implements.
//
// Phases (XNNPACK/TFLite style), each with a documented lifetime:
//   Backend::prepare(graph, options) -> PreparedModel    (timed apart as init)
//   PreparedModel::set_input(i, data)                    (bind; before the timed loop)
//   PreparedModel::invoke()                              (the only timed call)
//   PreparedModel::output(i)                             (read results after invoke)
// The harness owns the clock; a backend never times itself (profiling aside).
// A PreparedModel owns everything it needs: it may outlive the Graph it was
// prepared from, which only has to live through prepare().
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "graph/graph.h"

namespace eb {

struct BackendOptions {
  std::string device = "cpu";     // cpu | cuda
  int threads = 0;                // 0: all available cores
  std::string precision = "fp32"; // fp32 | fp16 | bf16 | int8
  std::string mode;               // backend-specific variant, e.g. libtorch "eager" | "script"
};

struct Capabilities {
  bool built = true;                     // false: compiled out (status not_built)
  std::string version;                   // the framework's own version string
  std::vector<std::string> devices;      // e.g. {"cpu"}
  std::vector<std::string> precisions;   // e.g. {"fp32"}
  // threads, BLAS, ISA... as configured. "threads" is what the backend uses
  // now; "default_threads", where present, what it takes for threads = 0;
  // "max_threads", where present, the most it accepts.
  std::map<std::string, std::string> config;
};

// Time spent in one node during a profiling pass (never during timed runs).
struct NodeTiming {
  std::string node;      // graph node name (or the framework's layer name)
  std::string op;        // op name
  std::string category;  // OpCategory name
  double ms = 0.0;
};

class PreparedModel {
 public:
  virtual ~PreparedModel() = default;

  // Copies one input into backend-owned memory. Called before timing.
  virtual Status set_input(std::size_t index, std::span<const float> data) = 0;
  // Runs one single-batch inference, synchronously (GPU work finished).
  virtual Status invoke() = 0;
  // Output `index` of the last invoke, as dense NCHW float32.
  virtual Result<std::vector<float>> output(std::size_t index) = 0;
  // One invoke with per-node timings, if the backend can profile.
  virtual Result<std::vector<NodeTiming>> profile() { return unsupported("this backend has no per-node profiler"); }
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string id() const = 0;
  virtual Capabilities capabilities() const = 0;
  // Whether this backend can run the graph; the message names what it cannot take.
  virtual Status supports(const Graph& graph, const BackendOptions& options) const = 0;
  virtual Result<std::unique_ptr<PreparedModel>> prepare(const Graph& graph, const BackendOptions& options) = 0;
};

}  // namespace eb
