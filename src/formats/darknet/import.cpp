// The import driver: [net], the walk over layers, shared helpers, files.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "formats/darknet/importer.h"

namespace eb::darknet_format {
namespace detail {
namespace {

// Sections Darknet knows whose inference meaning our IR cannot express, with
// the reason; anything not here and not handled is an unknown section.
const char* why_unsupported(std::string_view type) {
  if (type == "local") return "a locally connected layer (unshared weights per position)";
  if (type == "deconvolutional" || type == "deconv") return "a transposed convolution";
  if (type == "rnn" || type == "gru" || type == "lstm" || type == "crnn") return "a recurrent layer";
  if (type == "normalization" || type == "lrn")
    return "Darknet's LRN, whose channel window differs from ONNX LRN at the first channels";
  if (type == "l2norm") return "an L2 normalization";
  if (type == "logistic") return "a logistic cross-entropy training layer";
  if (type == "iseg") return "an instance segmentation head";
  return nullptr;
}

}  // namespace

Importer::Importer(std::string graph_name, WeightsReader* weights, const DarknetOptions& options)
    : b_(std::move(graph_name), options.seed), weights_(weights), options_(options) {}

Result<DarknetModel> Importer::run(const CfgFile& cfg) {
  if (cfg.sections.empty()) return invalid_argument("no sections: a Darknet cfg starts with [net]");
  const CfgSection& net = cfg.sections.front();
  if (net.type != "net" && net.type != "network")
    return invalid_argument("the first section is " + net.where() + "; a Darknet cfg starts with [net]");
  EB_RETURN_IF_ERROR(read_net(net));
  if (cfg.sections.size() == 1) return invalid_argument("no layers after [net]");

  DarknetModel model;
  for (std::size_t i = 1; i < cfg.sections.size(); ++i) {
    index_ = static_cast<int>(i - 1);
    fresh_.clear();
    const Options o(cfg.sections[i]);
    Result<LayerOut> out = read_layer(o);
    if (!out.is_ok()) return out.status().with_context("layer " + std::to_string(index_));
    if (!b_.ok()) return builder_error(o).with_context("layer " + std::to_string(index_));
    if (out->value != kNoValue) {
      const std::string what = "layer " + std::to_string(index_) + " " + o.section().where() + ": its output";
      EB_RETURN_IF_ERROR(elements(b_.shape(out->value).dims(), what).status());
    }
    model.layers.push_back(LayerSummary{o.section().type, o.section().line, out->c, out->h, out->w, out->outputs,
                                        out->unusable.empty() ? out->value : kNoValue});
    layers_.push_back(*out);
    prev_ = std::move(*out);
  }

  if (weights_ && weights_->bytes_left() > 0 && !options_.allow_trailing_weights)
    return invalid_argument("weights '" + weights_->name() + "' have " + std::to_string(weights_->bytes_left()) +
                            " bytes left after the last layer: are they for another cfg?");

  // Outputs: every detection head's input, then Darknet's network output, the
  // last layer that is not a [cost] (get_network_output_layer()).
  std::vector<ValueId> outputs = heads_;
  for (std::size_t i = layers_.size(); i-- > 0;) {
    if (cfg.sections[i + 1].type == "cost") continue;
    const LayerOut& last = layers_[i];
    if (last.unusable.empty() && std::find(outputs.begin(), outputs.end(), last.value) == outputs.end())
      outputs.push_back(last.value);
    break;
  }
  for (ValueId v : outputs) b_.output(v);
  EB_ASSIGN_OR_RETURN(model.graph, std::move(b_).finish());
  return model;
}

Status Importer::read_net(const CfgSection& net) {
  const Options o(net);
  EB_ASSIGN_OR_RETURN(int64_t h, o.integer_at_least("height", 0, 0));
  EB_ASSIGN_OR_RETURN(int64_t w, o.integer_at_least("width", 0, 0));
  EB_ASSIGN_OR_RETURN(const int64_t c, o.integer_at_least("channels", 0, 0));
  if (options_.height < 0 || options_.width < 0) return invalid_argument("negative width/height override");
  if (options_.height > 0) h = options_.height;
  if (options_.width > 0) w = options_.width;
  if (h > 0 && w > 0 && c > 0) {
    EB_ASSIGN_OR_RETURN(const int64_t n, elements({c, h, w}, "the input"));
    prev_ = LayerOut{b_.input("input", Shape{1, c, h, w}), c, h, w, n, {}};
    return Status::ok();
  }
  // Non-image networks (RNNs, MLPs) give their input size as inputs=N.
  EB_ASSIGN_OR_RETURN(const int64_t inputs, o.integer_at_least("inputs", 0, 0));
  if (h == 0 && w == 0 && c == 0 && inputs > 0) {
    EB_RETURN_IF_ERROR(elements({inputs}, "the input").status());
    prev_ = LayerOut{b_.input("input", Shape{1, inputs}), 0, 0, 0, inputs, {}};
    return Status::ok();
  }
  return invalid_argument(net.where() + ": width, height and channels must all be positive (or all absent, with inputs=N)");
}

Result<LayerOut> Importer::read_layer(const Options& o) {
  const std::string& t = o.section().type;
  if (t == "convolutional" || t == "conv") return convolutional(o);
  if (t == "connected" || t == "conn") return connected(o);
  if (t == "maxpool" || t == "max") return maxpool(o);
  if (t == "avgpool" || t == "avg") return avgpool(o);
  if (t == "route") return route(o);
  if (t == "shortcut") return shortcut(o);
  if (t == "softmax" || t == "soft") return softmax(o);
  if (t == "upsample") return upsample(o);
  if (t == "reorg") return reorg(o);
  if (t == "crop") return crop(o);
  if (t == "batchnorm") return batchnorm(o);
  if (t == "activation") return activation(o);
  if (t == "yolo" || t == "region" || t == "detection") return head(o);
  // Inference no-ops: dropout scales only while training; cost layers
  // compute a loss beside the network and Darknet skips them for its output
  // (and leaves their out_c/h/w 0).
  if (t == "dropout") return prev_;
  if (t == "cost") return LayerOut{prev_.value, 0, 0, 0, prev_.outputs, prev_.unusable};
  if (t == "net" || t == "network") return invalid_argument(o.section().where() + ": [net] may only be the first section");
  if (const char* why = why_unsupported(t)) return unsupported(o.section().where() + " is " + why + ", which has no expression in the graph IR");
  return invalid_argument(o.section().where() + ": unknown section type [" + t + "]");
}

// ---- helpers shared by the layers ----------------------------------------

Result<ValueId> Importer::image(const LayerOut& in, const Options& o) {
  if (!in.unusable.empty()) return unsupported(o.section().where() + " reads " + in.unusable);
  if (!in.is_image())
    return invalid_argument(o.section().where() + " needs an image input (c x h x w), the layer before gives " +
                            std::to_string(in.outputs) + " values without image dims");
  if (b_.shape(in.value).rank() == 4) return in.value;
  // A flat output with image dims (a [connected] layer is N x 1 x 1).
  return b_.reshape(in.value, {1, in.c, in.h, in.w}, fresh("as_image"));
}

Result<ValueId> Importer::flat(const LayerOut& in, const Options& o) {
  if (!in.unusable.empty()) return unsupported(o.section().where() + " reads " + in.unusable);
  if (b_.shape(in.value).rank() == 2) return in.value;
  return b_.flatten(in.value, 1, fresh("flatten"));
}

Result<ValueId> Importer::activate(ValueId x, const Options& o, std::string_view fallback) {
  const std::string a = o.text("activation", fallback);
  if (a == "linear") return x;
  if (a == "relu") return b_.relu(x, name("relu"));
  if (a == "leaky") return b_.leaky_relu(x, 0.1f, name("leaky"));  // Darknet: x > 0 ? x : .1 * x
  if (a == "logistic") return b_.sigmoid(x, name("logistic"));
  if (a == "ramp") {  // x * (x > 0) + .1 * x
    const ValueId tenth = scale(x, 0.1f, "ramp_scale");
    return b_.add(b_.relu(x, name("ramp_relu")), tenth, name("ramp"));
  }
  for (const char* known : {"loggy", "relie", "plse", "tanh", "stair", "hardtan", "lhtan", "elu", "selu"})
    if (a == known) return unsupported(o.section().where() + ": activation=" + a + " has no expression in the graph IR");
  // Darknet would warn and use ReLU; a typo should not silently change a model.
  return o.error("activation", "is not a Darknet activation");
}

ValueId Importer::scale(ValueId x, float factor, const std::string& what) {
  const Shape s = b_.shape(x);
  const bool is_flat = s.rank() == 2;
  const int64_t c = s[1];
  ValueId y = is_flat ? b_.reshape(x, {1, c, 1, 1}, fresh(what + "_in")) : x;
  const std::string conv = fresh(what);
  const ValueId w = b_.constant(conv + ".weight", Shape{c, 1, 1, 1}, std::vector<float>(static_cast<std::size_t>(c), factor));
  const ConvAttrs a{{1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, c};
  y = b_.node(OpKind::Conv, {y, w}, a, conv);
  return is_flat ? b_.reshape(y, {1, c}, fresh(what + "_out")) : y;
}

Result<int> Importer::reference(const Options& o, std::string_view key, int64_t value) {
  const int64_t i = value < 0 ? index_ + value : value;
  if (i < 0 || i >= index_)
    return o.error(key, "refers to layer " + std::to_string(i) + ", which is not an earlier layer");
  if (!layers_[i].unusable.empty()) return unsupported(o.section().where() + " reads " + layers_[i].unusable);
  return static_cast<int>(i);
}

Result<int64_t> Importer::elements(const std::vector<int64_t>& dims, const std::string& what) const {
  int64_t n = 1;
  for (int64_t d : dims)
    if (d < 0 || __builtin_mul_overflow(n, d, &n) || n > options_.max_tensor_elements)
      return invalid_argument(what + " would exceed " + std::to_string(options_.max_tensor_elements) + " elements");
  return n;
}

Status Importer::charge(int64_t count, const std::string& what) {
  if (count > options_.max_tensor_elements || __builtin_add_overflow(total_weights_, count, &total_weights_) ||
      total_weights_ > options_.max_total_weights)
    return invalid_argument(what + ": the model's weights would exceed " + std::to_string(options_.max_total_weights) + " elements");
  return Status::ok();
}

Result<std::vector<float>> Importer::take(int64_t count, const std::string& what) {
  const std::string full = "layer " + std::to_string(index_) + " " + what;
  EB_RETURN_IF_ERROR(charge(count, full));
  if (weights_) return weights_->take(count, full);
  return std::vector<float>(static_cast<std::size_t>(count), 0.0f);
}

ValueId Importer::constant(const std::string& what, Shape shape, std::vector<float> data) {
  return b_.constant(name(what), std::move(shape), std::move(data));
}

Status Importer::builder_error(const Options& o) {
  return std::move(b_).finish().status().with_context(o.section().where());
}

}  // namespace detail

// ---- public entry points --------------------------------------------------

Result<DarknetModel> import_darknet(const CfgFile& cfg, WeightsReader* weights, const DarknetOptions& options) {
  detail::Importer importer(options.name.empty() ? "darknet" : options.name, weights, options);
  return importer.run(cfg);
}

Result<Graph> import_darknet_cfg_text(std::string_view text, const DarknetOptions& options) {
  EB_ASSIGN_OR_RETURN(const CfgFile cfg, parse_cfg(text));
  EB_ASSIGN_OR_RETURN(DarknetModel model, import_darknet(cfg, nullptr, options));
  return std::move(model.graph);
}

namespace {

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return not_found("no such file: " + path);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) return io_error("cannot read " + path);
  return bytes.str();
}

}  // namespace

Result<DarknetModel> load_darknet_model(const std::string& cfg_path, const std::string& weights_path,
                                        const DarknetOptions& options) {
  EB_ASSIGN_OR_RETURN(const std::string text, read_file(cfg_path));
  Result<CfgFile> cfg = parse_cfg(text);
  if (!cfg.is_ok()) return cfg.status().with_context(cfg_path);
  DarknetOptions named = options;
  if (named.name.empty()) named.name = std::filesystem::path(cfg_path).stem().string();
  std::optional<WeightsReader> weights;
  if (!weights_path.empty()) {
    EB_ASSIGN_OR_RETURN(std::string bytes, read_file(weights_path));
    EB_ASSIGN_OR_RETURN(weights, WeightsReader::open(std::move(bytes), weights_path));
  }
  Result<DarknetModel> model = import_darknet(*cfg, weights ? &*weights : nullptr, named);
  if (!model.is_ok()) return model.status().with_context(cfg_path);
  return model;
}

Result<Graph> load_darknet(const std::string& cfg_path, const std::string& weights_path, const DarknetOptions& options) {
  EB_ASSIGN_OR_RETURN(DarknetModel model, load_darknet_model(cfg_path, weights_path, options));
  return std::move(model.graph);
}

}  // namespace eb::darknet_format
