#include "backends/opencv/opencv_backend.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/core/version.hpp>
#include <opencv2/dnn.hpp>

#include <map>
#include <new>
#include <optional>
#include <sstream>
#include <string_view>

#include "formats/onnx/onnx.h"

namespace eb {
namespace {

// OpenCV's own message: e.err is the description alone, e.what() adds the
// version, file and line ("OpenCV(4.6.0) /build/...: error: (-2) ...").
std::string describe(const cv::Exception& e) {
  std::string message = e.err.empty() ? std::string(e.what()) : e.err;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (!e.func.empty()) message += " (in " + e.func + ")";
  return "OpenCV: " + message;
}

// The value of a "Key: value" line of cv::getBuildInformation(), e.g.
// "Parallel framework:" -> "TBB (ver 2021.8 interface 12080)".
std::string build_info(const std::string& key) {
  std::istringstream in(cv::getBuildInformation());
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos || line.compare(first, key.size() + 1, key + ":") != 0) continue;
    std::string value = line.substr(first + key.size() + 1);
    value.erase(0, value.find_first_not_of(' '));
    while (!value.empty() && value.back() == ' ') value.pop_back();
    return value;
  }
  return "unknown";
}

// OpenCV logs an importer's refusal on stderr before it throws; the message
// comes back in the exception (and the Status), so the log stays quiet while
// a model loads. OpenCV's log level is process-wide, restored on scope exit.
class QuietOpenCvLog {
 public:
  QuietOpenCvLog() : saved_(cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_FATAL)) {}
  ~QuietOpenCvLog() { cv::utils::logging::setLogLevel(saved_); }
  QuietOpenCvLog(const QuietOpenCvLog&) = delete;
  QuietOpenCvLog& operator=(const QuietOpenCvLog&) = delete;

 private:
  cv::utils::logging::LogLevel saved_;
};

// cv::setNumThreads is process-wide: 0 asks for OpenCV's default (all cores).
int apply_threads(int requested) {
  cv::setNumThreads(requested > 0 ? requested : -1);
  return cv::getNumThreads();
}

// Latency-breakdown category of an OpenCV layer type, through our op table
// where the type is one of our ops; other layers OpenCV inserts by itself.
std::string category_of_layer_type(const std::string& type) {
  static const std::map<std::string, OpKind> ops = {
      {"Convolution", OpKind::Conv},     {"BatchNorm", OpKind::BatchNorm},  {"ReLU", OpKind::Relu},
      {"ReLU6", OpKind::Clip},           {"Sigmoid", OpKind::Sigmoid},      {"Pooling", OpKind::MaxPool},
      {"InnerProduct", OpKind::Gemm},    {"Eltwise", OpKind::Add},          {"NaryEltwise", OpKind::Add},
      {"Concat", OpKind::Concat},        {"Flatten", OpKind::Flatten},      {"Reshape", OpKind::Reshape},
      {"Softmax", OpKind::Softmax},      {"LRN", OpKind::Lrn},              {"Resize", OpKind::Upsample},
      {"Padding", OpKind::Pad},
  };
  if (const auto it = ops.find(type); it != ops.end()) return to_string(schema(it->second).category);
  if (type == "Identity" || type == "Permute" || type == "Slice" || type == "Split" || type == "Crop")
    return to_string(OpCategory::data_movement);
  if (type == "Scale" || type == "Shift" || type == "Power") return to_string(OpCategory::elementwise);
  if (type == "ELU" || type == "TanH" || type == "Swish" || type == "Mish") return to_string(OpCategory::activation);
  return to_string(OpCategory::other);
}

constexpr const char* kOnnxNodePrefix = "onnx_node!";

struct GraphTensor {
  std::string name;
  std::vector<int> dims;
  int64_t numel = 0;
};

// Our node behind an OpenCV layer: OpenCV 4.6's ONNX importer names a layer
// "onnx_node!" + the ONNX node's name (our node's name, as exported), or
// after the node's first output when the node has no name.
struct NodeRef {
  std::string node;
  OpKind op;
};

class OpenCvModel final : public PreparedModel {
 public:
  OpenCvModel(cv::dnn::Net net, std::vector<GraphTensor> inputs, std::vector<GraphTensor> outputs,
              std::map<std::string, NodeRef> layer_nodes, int threads)
      : net_(std::move(net)),
        inputs_(std::move(inputs)),
        outputs_(std::move(outputs)),
        layer_nodes_(std::move(layer_nodes)),
        threads_(threads) {
    for (const GraphTensor& o : outputs_) output_names_.push_back(o.name);
  }

  Status set_input(std::size_t index, std::span<const float> data) override {
    if (index >= inputs_.size())
      return invalid_argument("opencv: no input " + std::to_string(index) + " (the graph has " + std::to_string(inputs_.size()) + ")");
    const GraphTensor& in = inputs_[index];
    if (static_cast<int64_t>(data.size()) != in.numel)
      return invalid_argument("opencv: input '" + in.name + "' takes " + std::to_string(in.numel) + " floats, got " +
                              std::to_string(data.size()));
    try {
      // setInput copies into OpenCV's own input blob; the Mat only borrows `data`.
      const cv::Mat blob(static_cast<int>(in.dims.size()), in.dims.data(), CV_32F, const_cast<float*>(data.data()));
      net_.setInput(blob, in.name);
    } catch (const cv::Exception& e) {
      return internal_error(describe(e) + " (setting input '" + in.name + "')");
    }
    return Status::ok();
  }

  Status invoke() override {
    // Another prepared model may have changed OpenCV's process-wide count.
    if (cv::getNumThreads() != threads_) cv::setNumThreads(threads_);
    try {
      net_.forward(results_, output_names_);
    } catch (const cv::Exception& e) {
      results_.clear();
      return internal_error(describe(e));
    } catch (const std::bad_alloc&) {
      results_.clear();
      return Status(ErrorCode::out_of_memory, "opencv: out of memory in forward()");
    }
    return Status::ok();
  }

  Result<std::vector<float>> output(std::size_t index) override {
    if (index >= outputs_.size())
      return invalid_argument("opencv: no output " + std::to_string(index) + " (the graph has " + std::to_string(outputs_.size()) + ")");
    if (results_.size() != outputs_.size()) return internal_error("opencv: no results; invoke() first");
    const GraphTensor& want = outputs_[index];
    cv::Mat m = results_[index];
    if (m.depth() != CV_32F || m.channels() != 1)
      return internal_error("opencv: output '" + want.name + "' is not float32 (OpenCV type " + std::to_string(m.type()) + ")");
    if (static_cast<int64_t>(m.total()) != want.numel)
      return internal_error("opencv: output '" + want.name + "' has " + std::to_string(m.total()) + " elements, the graph says " +
                            std::to_string(want.numel));
    if (!m.isContinuous()) m = m.clone();
    const float* p = m.ptr<float>();
    return std::vector<float>(p, p + m.total());
  }

  Result<std::vector<NodeTiming>> profile() override {
    EB_RETURN_IF_ERROR(invoke());
    std::vector<double> ticks;
    std::vector<cv::String> names;
    std::vector<NodeTiming> out;
    try {
      net_.getPerfProfile(ticks);
      names = net_.getLayerNames();
      // Both skip OpenCV's input layer (id 0): entry i is layer id i + 1.
      const double ms_per_tick = 1000.0 / cv::getTickFrequency();
      for (std::size_t i = 0; i < ticks.size() && i < names.size(); ++i) {
        const std::string type = net_.getLayer(static_cast<int>(i + 1))->type;
        NodeTiming t;
        t.ms = ticks[i] * ms_per_tick;  // 0 for a layer OpenCV fused into another
        std::string layer = names[i];
        if (layer.rfind(kOnnxNodePrefix, 0) == 0) layer.erase(0, std::string_view(kOnnxNodePrefix).size());
        if (const auto it = layer_nodes_.find(layer); it != layer_nodes_.end()) {
          t.node = it->second.node;
          t.op = std::string(op_name(it->second.op));
          t.category = to_string(schema(it->second.op).category);
        } else {
          t.node = names[i];
          t.op = type;
          t.category = category_of_layer_type(type);
        }
        out.push_back(std::move(t));
      }
    } catch (const cv::Exception& e) {
      return internal_error(describe(e) + " (reading the per-layer profile)");
    }
    return out;
  }

 private:
  cv::dnn::Net net_;
  std::vector<GraphTensor> inputs_;
  std::vector<GraphTensor> outputs_;
  std::vector<cv::String> output_names_;
  std::map<std::string, NodeRef> layer_nodes_;
  int threads_;
  std::vector<cv::Mat> results_;  // views of OpenCV's blobs, valid until the next forward()
};

GraphTensor tensor_of(const Graph& graph, ValueId id) {
  const Value& v = graph.value(id);
  GraphTensor t;
  t.name = v.name;
  for (int64_t d : v.desc.shape.dims()) t.dims.push_back(static_cast<int>(d));
  t.numel = v.desc.shape.numel();
  return t;
}

class OpenCvBackend final : public Backend {
 public:
  std::string id() const override { return "opencv"; }

  Capabilities capabilities() const override {
    Capabilities c;
    c.version = CV_VERSION;
    c.devices = {"cpu"};
    c.precisions = {"fp32"};
    c.config["threads"] = std::to_string(last_threads_ ? *last_threads_ : cv::getNumThreads());
    c.config["parallel_framework"] = build_info("Parallel framework");
    c.config["opencl_built"] = build_info("OpenCL");
    c.config["dnn_backend"] = "DNN_BACKEND_OPENCV";
    c.config["dnn_target"] = "DNN_TARGET_CPU";
    if (last_opset_) c.config["onnx_opset"] = std::to_string(*last_opset_);
    return c;
  }

  Status supports(const Graph& graph, const BackendOptions& options) const override {
    if (options.device != "cpu") return unsupported("opencv runs on cpu only here (DNN_TARGET_CPU), not '" + options.device + "'");
    if (options.precision != "fp32") return unsupported("opencv runs fp32 only, not '" + options.precision + "'");
    if (!options.mode.empty()) return invalid_argument("opencv: no modes, got '" + options.mode + "'");
    for (const Value& v : graph.values)
      if (v.desc.dtype != DType::f32) return unsupported("opencv: tensor '" + v.name + "' is " + to_string(v.desc.dtype));
    // Whether OpenCV can run the rest is its importer's call, made in prepare().
    return Status::ok();
  }

  Result<std::unique_ptr<PreparedModel>> prepare(const Graph& graph, const BackendOptions& options) override {
    EB_RETURN_IF_ERROR(supports(graph, options));
    EB_ASSIGN_OR_RETURN(const auto exported, export_for_opencv(graph));
    const auto& [bytes, opset] = exported;

    std::vector<GraphTensor> inputs, outputs;
    for (ValueId id : graph.inputs) inputs.push_back(tensor_of(graph, id));
    for (ValueId id : graph.outputs) outputs.push_back(tensor_of(graph, id));
    std::map<std::string, NodeRef> layer_nodes;
    for (const Node& n : graph.nodes) {
      layer_nodes.emplace(n.name, NodeRef{n.name, n.op});
      if (!n.outputs.empty()) layer_nodes.emplace(graph.value(n.outputs[0]).name, NodeRef{n.name, n.op});
    }

    try {
      QuietOpenCvLog quiet;
      cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
      net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
      net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
      const int threads = apply_threads(options.threads);
      std::vector<cv::String> names;
      for (const GraphTensor& o : outputs) {
        if (net.getLayerId(o.name) < 0) return unsupported("OpenCV: no layer computes graph output '" + o.name + "'");
        names.push_back(o.name);
      }
      // The first forward builds the layers, fuses and allocates: init work.
      for (const GraphTensor& in : inputs) net.setInput(cv::Mat(static_cast<int>(in.dims.size()), in.dims.data(), CV_32F, cv::Scalar(0)), in.name);
      std::vector<cv::Mat> results;
      net.forward(results, names);
      for (std::size_t k = 0; k < outputs.size(); ++k)
        if (k >= results.size() || static_cast<int64_t>(results[k].total()) != outputs[k].numel)
          return internal_error("OpenCV computes " + std::to_string(k < results.size() ? results[k].total() : 0) +
                                " elements for output '" + outputs[k].name + "', the graph " + std::to_string(outputs[k].numel));
      last_threads_ = threads;
      last_opset_ = opset;
      return std::unique_ptr<PreparedModel>(
          std::make_unique<OpenCvModel>(std::move(net), std::move(inputs), std::move(outputs), std::move(layer_nodes), threads));
    } catch (const cv::Exception& e) {
      return unsupported(describe(e));
    } catch (const std::bad_alloc&) {
      return Status(ErrorCode::out_of_memory, "opencv: out of memory preparing '" + graph.name + "'");
    } catch (const std::exception& e) {
      return unsupported(std::string("OpenCV: ") + e.what());
    }
  }

 private:
  // OpenCV 4.6 reads Clip only with attribute bounds (opset < 11): graphs
  // with Clip (ReLU6) go out at opset 10 when it can express them.
  static Result<std::pair<std::string, int>> export_for_opencv(const Graph& graph) {
    bool has_clip = false;
    for (const Node& n : graph.nodes) has_clip |= n.op == OpKind::Clip;
    if (has_clip) {
      auto legacy = onnx_format::export_onnx(graph, {onnx_format::kLegacyExportOpset});
      if (legacy.is_ok()) return std::pair{std::move(legacy).value(), onnx_format::kLegacyExportOpset};
      if (legacy.status().code() != ErrorCode::unsupported) return legacy.status().with_context("opencv: exporting ONNX");
    }
    auto current = onnx_format::export_onnx(graph);
    if (!current.is_ok()) return current.status().with_context("opencv: exporting ONNX");
    return std::pair{std::move(current).value(), onnx_format::kExportOpset};
  }

  // What the last prepare() chose, reported by capabilities().
  std::optional<int> last_threads_;
  std::optional<int> last_opset_;
};

}  // namespace

std::unique_ptr<Backend> make_opencv_backend() { return std::make_unique<OpenCvBackend>(); }

}  // namespace eb
