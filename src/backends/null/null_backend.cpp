#include "backends/null/null_backend.h"

namespace eb {
namespace {

class NullModel final : public PreparedModel {
 public:
  explicit NullModel(std::vector<Shape> outputs) : outputs_(std::move(outputs)) {}

  Status set_input(std::size_t, std::span<const float>) override { return Status::ok(); }
  Status invoke() override { return Status::ok(); }
  Result<std::vector<float>> output(std::size_t index) override {
    if (index >= outputs_.size()) return invalid_argument("null backend: no output " + std::to_string(index));
    // Zeros of the right size: the null backend computes nothing, it is never verified.
    return std::vector<float>(static_cast<std::size_t>(outputs_[index].numel()), 0.0f);
  }

 private:
  std::vector<Shape> outputs_;
};

class NullBackend final : public Backend {
 public:
  std::string id() const override { return "null"; }
  Capabilities capabilities() const override {
    Capabilities c;
    c.version = "edgebench null backend (does nothing; measures harness overhead)";
    c.devices = {"cpu"};
    c.precisions = {"fp32", "fp16", "bf16", "int8"};
    return c;
  }
  Status supports(const Graph&, const BackendOptions&) const override { return Status::ok(); }
  Result<std::unique_ptr<PreparedModel>> prepare(const Graph& graph, const BackendOptions&) override {
    std::vector<Shape> outputs;
    for (ValueId id : graph.outputs) outputs.push_back(graph.value(id).desc.shape);
    return std::unique_ptr<PreparedModel>(std::make_unique<NullModel>(std::move(outputs)));
  }
};

}  // namespace

std::unique_ptr<Backend> make_null_backend() { return std::make_unique<NullBackend>(); }

}  // namespace eb
