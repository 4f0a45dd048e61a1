#include "backends/libtorch/torchscript_codegen.h"

#include <set>
#include <sstream>

namespace eb::torch_lowering {
namespace {

std::string list(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

const char* py_bool(bool b) { return b ? "True" : "False"; }

std::string nd(const char* base, int spatial) { return std::string("torch.") + base + std::to_string(spatial) + "d"; }

class Writer {
 public:
  explicit Writer(const Graph& graph) : graph_(graph) {}

  std::string name(ValueId id) { return script_value_name(graph_, id); }

  // Emits "    <lhs> = <rhs>" and returns lhs.
  std::string let(const std::string& lhs, const std::string& rhs) {
    body_ << "    " << lhs << " = " << rhs << "\n";
    line_node_.push_back(current_);
    return lhs;
  }
  std::string temp(const NodePlan& np, const char* what) { return "v" + std::to_string(np.output) + "_" + what; }

  Status node(const NodePlan& np, ScriptSource& src) {
    current_ = np.index;
    const std::string out = name(np.output);
    std::vector<std::string> in;
    for (ValueId id : np.inputs) in.push_back(name(id));
    switch (np.op) {
      case OpKind::Conv: {
        const auto& p = std::get<ConvPlan>(np.plan);
        std::string x = in[0];
        if (!p.pre_pad.empty()) x = let(temp(np, "pad"), "torch.constant_pad_nd(" + x + ", " + list(p.pre_pad) + ", 0.0)");
        let(out, nd("conv", p.spatial) + "(" + x + ", " + in[1] + ", " + (p.bias ? in[2] : "None") + ", " + list(p.stride) + ", " +
                     list(p.padding) + ", " + list(p.dilation) + ", " + std::to_string(p.groups) + ")");
        break;
      }
      case OpKind::BatchNorm: {
        const auto& p = std::get<BatchNormPlan>(np.plan);
        let(out, "torch.batch_norm(" + in[0] + ", " + in[1] + ", " + in[2] + ", " + in[3] + ", " + in[4] + ", False, 0.1, " +
                     float_literal(p.eps) + ", True)");
        break;
      }
      case OpKind::Relu: let(out, "torch.relu(" + in[0] + ")"); break;
      case OpKind::Sigmoid: let(out, "torch.sigmoid(" + in[0] + ")"); break;
      case OpKind::Add: let(out, "torch.add(" + in[0] + ", " + in[1] + ")"); break;
      case OpKind::Clip: {
        const auto& p = std::get<ClipPlan>(np.plan);
        let(out, std::string(p.relu6 ? "torch.hardtanh(" : "torch.clamp(") + in[0] + ", " + float_literal(p.min) + ", " +
                     float_literal(p.max) + ")");
        break;
      }
      case OpKind::LeakyRelu:
        let(out, "torch.leaky_relu(" + in[0] + ", " + float_literal(std::get<LeakyReluPlan>(np.plan).alpha) + ")");
        break;
      case OpKind::MaxPool:
      case OpKind::AvgPool: {
        const auto& p = std::get<PoolPlan>(np.plan);
        std::string x = in[0];
        if (!p.pre_pad.empty())
          x = let(temp(np, "pad"), "torch.constant_pad_nd(" + x + ", " + list(p.pre_pad) + ", " + float_literal(p.pad_value) + ")");
        std::string call;
        if (p.max) {
          call = nd("max_pool", p.spatial) + "(" + x + ", " + list(p.kernel) + ", " + list(p.stride) + ", " + list(p.padding) + ", " +
                 list(std::vector<int64_t>(p.kernel.size(), 1)) + ", " + py_bool(p.ceil_mode) + ")";
        } else {
          call = nd("avg_pool", p.spatial) + "(" + x + ", " + list(p.kernel) + ", " + list(p.stride) + ", " + list(p.padding) + ", " +
                 py_bool(p.ceil_mode) + ", " + py_bool(p.count_include_pad) + (p.spatial == 1 ? ")" : ", None)");
        }
        const bool more = p.narrow || p.divide_by_valid_count;
        std::string y = let(more ? temp(np, "pool") : out, call);
        if (p.narrow) {
          for (std::size_t i = 0; i < p.out_spatial.size(); ++i) {
            const bool last = i + 1 == p.out_spatial.size() && !p.divide_by_valid_count;
            y = let(last ? out : temp(np, ("cut" + std::to_string(i)).c_str()),
                    "torch.narrow(" + y + ", " + std::to_string(2 + i) + ", 0, " + std::to_string(p.out_spatial[i]) + ")");
          }
        }
        if (p.divide_by_valid_count) {
          const std::string d = "d" + std::to_string(np.index);
          src.divisors.emplace_back(d, np.index);
          let(out, "torch.div(" + y + ", self." + d + ")");
        }
        break;
      }
      case OpKind::GlobalAvgPool:
      case OpKind::GlobalMaxPool: {
        const auto& p = std::get<GlobalPoolPlan>(np.plan);
        if (p.max)
          let(out, "torch.amax(" + in[0] + ", " + list(p.dims) + ", True)");
        else if (p.adaptive)
          let(out, nd("adaptive_avg_pool", p.spatial) + "(" + in[0] + ", " + list(std::vector<int64_t>(p.dims.size(), 1)) + ")");
        else
          let(out, "torch.mean(" + in[0] + ", " + list(p.dims) + ", True)");
        break;
      }
      case OpKind::Gemm:
        let(out, "torch.linear(" + in[0] + ", " + in[1] + ", " + (std::get<GemmPlan>(np.plan).bias ? in[2] : "None") + ")");
        break;
      case OpKind::Concat: {
        std::string xs;
        for (std::size_t i = 0; i < in.size(); ++i) xs += (i ? ", " : "") + in[i];
        let(out, "torch.cat([" + xs + "], " + std::to_string(std::get<AxisPlan>(np.plan).axis) + ")");
        break;
      }
      case OpKind::Softmax:
        let(out, "torch.softmax(" + in[0] + ", " + std::to_string(std::get<AxisPlan>(np.plan).axis) + ")");
        break;
      case OpKind::Flatten:
      case OpKind::Reshape: {
        const auto& p = std::get<ShapePlan>(np.plan);
        let(out, p.torch_flatten ? "torch.flatten(" + in[0] + ", 1)" : "torch.reshape(" + in[0] + ", " + list(p.shape) + ")");
        break;
      }
      case OpKind::Lrn: {
        // F.local_response_norm: average the squares over a channel window.
        const auto& p = std::get<LrnPlan>(np.plan);
        std::string s = let(temp(np, "sq"), "torch.reshape(torch.mul(" + in[0] + ", " + in[0] + "), " + list(p.as4d) + ")");
        s = let(temp(np, "sqpad"), "torch.constant_pad_nd(" + s + ", " + list({0, 0, p.front, p.back}) + ", 0.0)");
        s = let(temp(np, "avg"), "torch.avg_pool2d(" + s + ", " + list({p.size, 1}) + ", [1, 1], [0, 0], False, True, None)");
        s = let(temp(np, "avg4"), "torch.reshape(" + s + ", " + list(p.shape) + ")");
        s = let(temp(np, "den"), "torch.pow(torch.add(torch.mul(" + s + ", " + float_literal(p.alpha) + "), " + float_literal(p.bias) +
                                     "), " + float_literal(p.beta) + ")");
        let(out, "torch.div(" + in[0] + ", " + s + ")");
        break;
      }
      case OpKind::Upsample: {
        const auto& p = std::get<UpsamplePlan>(np.plan);
        if (p.native) {
          let(out, nd("upsample_nearest", p.spatial) + "(" + in[0] + ", " + list(p.out_size) + ")");
        } else {
          std::string x = in[0];
          for (std::size_t i = 0; i < p.repeats.size(); ++i) {
            const bool last = i + 1 == p.repeats.size();
            x = let(last ? out : temp(np, ("rep" + std::to_string(i)).c_str()),
                    "torch.repeat_interleave(" + x + ", " + std::to_string(p.repeats[i].second) + ", " +
                        std::to_string(p.repeats[i].first) + ")");
          }
          if (p.repeats.empty()) let(out, in[0]);
        }
        break;
      }
      case OpKind::Pad: {
        const auto& p = std::get<PadPlan>(np.plan);
        let(out, "torch.constant_pad_nd(" + in[0] + ", " + list(p.pads) + ", " + float_literal(p.value) + ")");
        break;
      }
      default:
        return unsupported("libtorch script: node '" + np.name + "' (" + std::string(op_name(np.op)) + ") has no TorchScript form");
    }
    return Status::ok();
  }

  std::string body() const { return body_.str(); }
  const std::vector<int>& line_node() const { return line_node_; }

 private:
  const Graph& graph_;
  std::ostringstream body_;
  std::vector<int> line_node_;  // body lines only
  int current_ = -1;
};

}  // namespace

std::string script_value_name(const Graph& graph, ValueId id) {
  return (graph.value(id).is_initializer() ? "self.p" : "v") + std::to_string(id);
}

Result<ScriptSource> generate_torchscript(const Graph& graph, const std::vector<NodePlan>& plans) {
  ScriptSource src;
  Writer w(graph);
  for (const NodePlan& np : plans) EB_RETURN_IF_ERROR(w.node(np, src));

  // Every initializer the source reads becomes an attribute; BN statistics
  // are buffers, as in nn.BatchNorm2d.
  std::set<ValueId> seen;
  const auto add_attr = [&](ValueId id, bool buffer) {
    if (!graph.value(id).is_initializer() || !seen.insert(id).second) return;
    (buffer ? src.buffers : src.parameters).emplace_back("p" + std::to_string(id), id);
  };
  for (const Node& node : graph.nodes) {
    const OpSchema& s = schema(node.op);
    for (std::size_t i = 0; i < node.inputs.size(); ++i)
      if (node.inputs[i] != kNoValue) add_attr(node.inputs[i], is_buffer(s.roles[std::min(i, s.roles.size() - 1)]));
  }
  for (ValueId id : graph.outputs) add_attr(id, false);

  std::string args;
  for (ValueId id : graph.inputs) args += ", " + w.name(id);
  std::string rets;
  for (ValueId id : graph.outputs) rets += (rets.empty() ? "" : ", ") + w.name(id);
  if (graph.outputs.size() == 1) rets += ",";
  src.text = "def forward(self" + args + "):\n" + w.body() + "    return (" + rets + ")\n";
  src.line_node = {-1};  // the def line
  src.line_node.insert(src.line_node.end(), w.line_node().begin(), w.line_node().end());
  src.line_node.push_back(-1);  // the return line
  return src;
}

}  // namespace eb::torch_lowering
