#include "backends/darknet/darknet_backend.h"

#include <darknet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <type_traits>

#include "formats/darknet/darknet.h"

#ifndef EB_DARKNET_VERSION
#define EB_DARKNET_VERSION "unknown"
#endif
#ifndef EB_LIBDARKNET_PATH
#define EB_LIBDARKNET_PATH "libdarknet.so"
#endif
#ifndef EB_DARKNET_OPENMP
#define EB_DARKNET_OPENMP 0
#endif

namespace eb {
namespace {

namespace fs = std::filesystem;

// libdarknet, loaded with dlopen(RTLD_LOCAL) on first use rather than linked:
// its exported names are generic (gemm, im2col_cpu, ... and error(), which
// glibc also exports), so linking it would put them in front of every other
// library's; and an edgebench that never prepares a Darknet model does not
// pay for loading it (with OpenCV's highgui, Qt, GDAL... behind it).
struct DarknetApi {
  decltype(&::parse_network_cfg) parse_network_cfg;
  decltype(&::load_weights) load_weights;
  decltype(&::set_batch_network) set_batch_network;
  decltype(&::network_predict) network_predict;
  decltype(&::free_network) free_network;
  decltype(&::fill_cpu) fill_cpu;
  int* gpu_index;
  // The OpenMP runtime an OpenMP build of libdarknet brings; null otherwise.
  int (*omp_get_max_threads)();
  void (*omp_set_num_threads)(int);
};

Result<const DarknetApi*> darknet_api() {
  // Loaded once per process and never unloaded (networks may outlive any one backend).
  static const Result<DarknetApi> api = []() -> Result<DarknetApi> {
    void* lib = ::dlopen(EB_LIBDARKNET_PATH, RTLD_NOW | RTLD_LOCAL);
    if (!lib) return io_error(std::string("darknet: cannot load libdarknet: ") + ::dlerror());
    DarknetApi a{};
    std::string missing;
    auto bind = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(lib, name));
      if (!fn) missing += std::string(missing.empty() ? "" : ", ") + name;
    };
    bind(a.parse_network_cfg, "parse_network_cfg");
    bind(a.load_weights, "load_weights");
    bind(a.set_batch_network, "set_batch_network");
    bind(a.network_predict, "network_predict");
    bind(a.free_network, "free_network");
    bind(a.fill_cpu, "fill_cpu");
    bind(a.gpu_index, "gpu_index");
    if (!missing.empty()) return io_error("darknet: " + std::string(EB_LIBDARKNET_PATH) + " lacks " + missing);
    // dlsym on the handle searches libdarknet's own dependencies too.
    a.omp_get_max_threads = reinterpret_cast<int (*)()>(::dlsym(lib, "omp_get_max_threads"));
    a.omp_set_num_threads = reinterpret_cast<void (*)(int)>(::dlsym(lib, "omp_set_num_threads"));
    return a;
  }();
  if (!api.is_ok()) return api.status();
  return &api.value();
}

// The threads Darknet's CPU layers use: 1 unless libdarknet was built with
// OpenMP (EB_DARKNET_OPENMP, from its dynamic section at configure time).
int darknet_threads() {
#if EB_DARKNET_OPENMP
  if (auto api = darknet_api(); api.is_ok() && (*api)->omp_get_max_threads) return (*api)->omp_get_max_threads();
#endif
  return 1;
}

void set_darknet_threads(const DarknetApi& api, int threads) {
  if (!EB_DARKNET_OPENMP || !api.omp_set_num_threads) return;
  if (threads <= 0) threads = static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
  api.omp_set_num_threads(threads);
}

// libdarknet prints its layer table and "Loading weights..." on stderr while
// loading; a benchmark's output is not the place. Process-wide, like the
// stream itself, for the duration of a load. EDGEBENCH_DARKNET_VERBOSE=1 in
// the environment keeps it (to see what libdarknet says before it exits).
class SilenceStderr {
 public:
  SilenceStderr() {
    if (const char* v = std::getenv("EDGEBENCH_DARKNET_VERBOSE"); v && *v && std::string(v) != "0") return;
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved_ >= 0 && null_fd >= 0) ::dup2(null_fd, STDERR_FILENO);
    if (null_fd >= 0) ::close(null_fd);
  }
  ~SilenceStderr() {
    std::fflush(stderr);
    if (saved_ >= 0) {
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
    }
  }
  SilenceStderr(const SilenceStderr&) = delete;
  SilenceStderr& operator=(const SilenceStderr&) = delete;

 private:
  int saved_ = -1;
};

// A private directory for the files libdarknet reads, removed on scope exit.
class TempDir {
 public:
  static Result<TempDir> create() {
    std::error_code ec;
    std::string pattern = (fs::temp_directory_path(ec) / "edgebench-darknet-XXXXXX").string();
    if (ec) pattern = "/tmp/edgebench-darknet-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return io_error("darknet: cannot create a temporary directory like " + pattern);
    return TempDir(pattern);
  }
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit TempDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

Status write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return io_error("darknet: cannot write " + path.string());
  return Status::ok();
}

// Darknet's section name for a layer type, as in its .cfg files.
const char* section_name(LAYER_TYPE type) {
  switch (type) {
    case CONVOLUTIONAL: return "convolutional";
    case DECONVOLUTIONAL: return "deconvolutional";
    case CONNECTED: return "connected";
    case MAXPOOL: return "maxpool";
    case SOFTMAX: return "softmax";
    case DETECTION: return "detection";
    case DROPOUT: return "dropout";
    case CROP: return "crop";
    case ROUTE: return "route";
    case COST: return "cost";
    case NORMALIZATION: return "normalization";
    case AVGPOOL: return "avgpool";
    case LOCAL: return "local";
    case SHORTCUT: return "shortcut";
    case ACTIVE: return "activation";
    case BATCHNORM: return "batchnorm";
    case REGION: return "region";
    case YOLO: return "yolo";
    case REORG: return "reorg";
    case UPSAMPLE: return "upsample";
    case L2NORM: return "l2norm";
    default: return "other";
  }
}

// Latency-breakdown category of a Darknet layer, through our op table.
OpCategory category_of(LAYER_TYPE type) {
  switch (type) {
    case CONVOLUTIONAL:
    case DECONVOLUTIONAL:
    case LOCAL: return schema(OpKind::Conv).category;
    case CONNECTED: return schema(OpKind::Gemm).category;
    case MAXPOOL: return schema(OpKind::MaxPool).category;
    case AVGPOOL: return schema(OpKind::GlobalAvgPool).category;
    case SOFTMAX: return schema(OpKind::Softmax).category;
    case NORMALIZATION: return schema(OpKind::Lrn).category;
    case SHORTCUT: return schema(OpKind::Add).category;
    case ACTIVE: return schema(OpKind::Relu).category;
    case BATCHNORM: return schema(OpKind::BatchNorm).category;
    case ROUTE: return schema(OpKind::Concat).category;
    case UPSAMPLE: return schema(OpKind::Upsample).category;
    case DROPOUT:
    case CROP:
    case REORG: return OpCategory::data_movement;
    default: return OpCategory::other;
  }
}

class DarknetModel final : public PreparedModel {
 public:
  DarknetModel(const DarknetApi& api, network* net, std::vector<float> input, std::vector<int> output_layers,
               std::vector<std::string> output_names)
      : api_(api), net_(net), input_(std::move(input)), output_layers_(std::move(output_layers)), output_names_(std::move(output_names)) {}
  ~DarknetModel() override { api_.free_network(net_); }
  DarknetModel(const DarknetModel&) = delete;
  DarknetModel& operator=(const DarknetModel&) = delete;

  Status set_input(std::size_t index, std::span<const float> data) override {
    if (index != 0) return invalid_argument("darknet: no input " + std::to_string(index) + " (a Darknet network has one)");
    if (data.size() != input_.size())
      return invalid_argument("darknet: the input takes " + std::to_string(input_.size()) + " floats, got " + std::to_string(data.size()));
    std::copy(data.begin(), data.end(), input_.begin());
    return Status::ok();
  }

  Status invoke() override {
    // network_predict points the network at our buffer for one forward pass
    // and restores it; the layers only read their input.
    api_.network_predict(net_, input_.data());
    invoked_ = true;
    return Status::ok();
  }

  Result<std::vector<float>> output(std::size_t index) override {
    if (index >= output_layers_.size())
      return invalid_argument("darknet: no output " + std::to_string(index) + " (the graph has " + std::to_string(output_layers_.size()) + ")");
    if (!invoked_) return internal_error("darknet: no results; invoke() first");
    const layer& l = net_->layers[output_layers_[index]];
    return std::vector<float>(l.output, l.output + l.outputs);
  }

  // forward_network's loop, with a timer around each layer.
  Result<std::vector<NodeTiming>> profile() override {
    network net = *net_;
    net.input = input_.data();
    net.truth = nullptr;
    net.train = 0;
    net.delta = nullptr;
    std::vector<NodeTiming> timings;
    timings.reserve(static_cast<std::size_t>(net.n));
    for (int i = 0; i < net.n; ++i) {
      net.index = i;
      layer l = net.layers[i];
      const auto start = std::chrono::steady_clock::now();
      if (l.delta) api_.fill_cpu(l.outputs * l.batch, 0, l.delta, 1);  // as forward_network does on every pass
      l.forward(l, net);
      const auto end = std::chrono::steady_clock::now();
      net.input = l.output;
      if (l.truth) net.truth = l.output;
      NodeTiming t;
      t.node = "layer " + std::to_string(i);
      for (std::size_t k = 0; k < output_layers_.size(); ++k)
        if (output_layers_[k] == i) t.node += " (" + output_names_[k] + ")";
      t.op = section_name(l.type);
      t.category = to_string(category_of(l.type));
      t.ms = std::chrono::duration<double, std::milli>(end - start).count();
      timings.push_back(std::move(t));
    }
    invoked_ = true;
    return timings;
  }

 private:
  const DarknetApi& api_;
  network* net_;
  std::vector<float> input_;
  std::vector<int> output_layers_;
  std::vector<std::string> output_names_;
  bool invoked_ = false;
};

class DarknetBackend final : public Backend {
 public:
  std::string id() const override { return "darknet"; }

  Capabilities capabilities() const override {
    Capabilities c;
    c.version = std::string("pjreddie darknet ") + EB_DARKNET_VERSION;
    c.devices = {"cpu"};
    c.precisions = {"fp32"};
    c.config["threads"] = std::to_string(darknet_threads());
    c.config["openmp"] = EB_DARKNET_OPENMP ? "yes" : "no (single-threaded)";
    if (!EB_DARKNET_OPENMP) c.config["max_threads"] = "1";  // check_options refuses more: callers can fall back to it
    c.config["gemm"] = "darknet's own gemm_cpu (im2col)";
    return c;
  }

  Status supports(const Graph& graph, const BackendOptions& options) const override {
    EB_RETURN_IF_ERROR(check_options(graph, options));
    return darknet_format::export_darknet_model(graph).status();
  }

  Result<std::unique_ptr<PreparedModel>> prepare(const Graph& graph, const BackendOptions& options) override {
    EB_RETURN_IF_ERROR(check_options(graph, options));
    // Everything libdarknet would refuse (with exit()) is refused here first.
    // A strided 1x1 convolution, which libdarknet computes wrong, is exported
    // as a 1x1 max pool and a stride-1 convolution (export_layers.cpp).
    EB_ASSIGN_OR_RETURN(darknet_format::DarknetExport exported, darknet_format::export_darknet_model(graph));
    const Shape& in_shape = graph.value(graph.inputs[0]).desc.shape;
    std::vector<int64_t> out_numel;
    std::vector<std::string> out_names;
    for (ValueId v : graph.outputs) {
      out_numel.push_back(graph.value(v).desc.shape.numel());
      out_names.push_back(graph.value(v).name);
    }
    if (exported.output_layers.size() != out_numel.size())
      return internal_error("darknet: the exporter placed " + std::to_string(exported.output_layers.size()) + " of " +
                            std::to_string(out_numel.size()) + " outputs");

    EB_ASSIGN_OR_RETURN(TempDir dir, TempDir::create());
    const fs::path cfg_path = dir.path() / "model.cfg";
    const fs::path weights_path = dir.path() / "model.weights";
    EB_RETURN_IF_ERROR(write_file(cfg_path, exported.cfg));
    EB_RETURN_IF_ERROR(write_file(weights_path, exported.weights));
    // libdarknet makes its own copy: no need to hold a third one meanwhile.
    std::string().swap(exported.weights);

    EB_ASSIGN_OR_RETURN(const DarknetApi* api, darknet_api());
    network* net = nullptr;
    try {
      SilenceStderr quiet;
      *api->gpu_index = -1;  // CPU (only matters for a CUDA build of libdarknet)
      std::string cfg = cfg_path.string(), weights = weights_path.string();
      net = api->parse_network_cfg(cfg.data());
      if (net) {
        api->load_weights(net, weights.data());
        api->set_batch_network(net, 1);
      }
    } catch (const std::bad_alloc&) {
      return Status(ErrorCode::out_of_memory, "darknet: out of memory loading '" + graph.name + "'");
    }
    if (!net) return internal_error("darknet: parse_network_cfg returned no network");
    // From here the model owns `net` (free_network in its destructor).
    const int64_t input_numel = in_shape.numel();
    auto model = std::make_unique<DarknetModel>(*api, net, std::vector<float>(static_cast<std::size_t>(input_numel), 0.0f),
                                                exported.output_layers, out_names);
    if (net->inputs != input_numel)
      return internal_error("darknet: the network takes " + std::to_string(net->inputs) + " inputs, the graph " +
                            std::to_string(input_numel));
    for (std::size_t k = 0; k < exported.output_layers.size(); ++k) {
      const int index = exported.output_layers[k];
      if (index < 0 || index >= net->n)
        return internal_error("darknet: output '" + out_names[k] + "' placed at layer " + std::to_string(index) + " of " +
                              std::to_string(net->n));
      if (net->layers[index].outputs != out_numel[k])
        return internal_error("darknet: layer " + std::to_string(index) + " holds " + std::to_string(net->layers[index].outputs) +
                              " values, graph output '" + out_names[k] + "' has " + std::to_string(out_numel[k]));
    }
    set_darknet_threads(*api, options.threads);
    return std::unique_ptr<PreparedModel>(std::move(model));
  }

 private:
  static Status check_options(const Graph& graph, const BackendOptions& options) {
    if (options.device != "cpu") return unsupported("darknet runs on cpu only here (libdarknet without CUDA), not '" + options.device + "'");
    if (options.precision != "fp32") return unsupported("darknet runs fp32 only, not '" + options.precision + "'");
    if (!options.mode.empty()) return invalid_argument("darknet: no modes, got '" + options.mode + "'");
    if (!EB_DARKNET_OPENMP && options.threads > 1)
      return unsupported("darknet: this libdarknet is single-threaded (built without OpenMP); " + std::to_string(options.threads) +
                         " threads requested");
    for (const Value& v : graph.values)
      if (v.desc.dtype != DType::f32) return unsupported("darknet: tensor '" + v.name + "' is " + to_string(v.desc.dtype));
    return Status::ok();
  }
};

}  // namespace

std::unique_ptr<Backend> make_darknet_backend() { return std::make_unique<DarknetBackend>(); }

}  // namespace eb
