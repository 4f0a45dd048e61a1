#include "bench/profile.h"

#include <algorithm>
#include <map>
#include <new>
#include <stdexcept>

#include "bench/trace.h"
#include "graph/op.h"

namespace eb::bench {
namespace {

using nlohmann::json;

constexpr double kNsPerMs = 1e6;

// The lower middle, as stats.h's median: always a value that was observed.
double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[(values.size() - 1) / 2];
}

// Position in the op table's category order; unknown names after all of them.
int category_rank(const std::string& category) {
  constexpr OpCategory kOrder[] = {OpCategory::convolution, OpCategory::batch_norm,      OpCategory::activation,
                                   OpCategory::pooling,     OpCategory::fully_connected, OpCategory::elementwise,
                                   OpCategory::data_movement, OpCategory::other};
  for (int i = 0; i < static_cast<int>(std::size(kOrder)); ++i)
    if (category == to_string(kOrder[i])) return i;
  return static_cast<int>(std::size(kOrder));
}

// Every invoke must report the same nodes in the same order as the first.
Status check_same_nodes(std::span<const ProfiledInvoke> invokes) {
  const auto& first = invokes.front().nodes;
  for (std::size_t k = 1; k < invokes.size(); ++k) {
    const auto& nodes = invokes[k].nodes;
    const std::string which = "profiled invoke " + std::to_string(k + 1);
    if (nodes.size() != first.size())
      return invalid_argument(which + " reported " + std::to_string(nodes.size()) + " nodes, the first " +
                              std::to_string(first.size()) + ": the profiler's nodes vary between invokes");
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i].node != first[i].node)
        return invalid_argument(which + " reported node " + std::to_string(i) + " as '" + nodes[i].node + "', the first as '" +
                                first[i].node + "': the profiler's nodes vary between invokes");
  }
  return Status::ok();
}

}  // namespace

bool LatencyBreakdown::operator==(const LatencyBreakdown& o) const {
  auto same_node = [](const NodeTiming& a, const NodeTiming& b) {
    return a.node == b.node && a.op == b.op && a.category == b.category && a.ms == b.ms;
  };
  return invokes == o.invokes && wall_ms == o.wall_ms && nodes_ms == o.nodes_ms && overhead_ms == o.overhead_ms &&
         overhead_clamped_invokes == o.overhead_clamped_invokes && categories == o.categories &&
         std::equal(nodes.begin(), nodes.end(), o.nodes.begin(), o.nodes.end(), same_node);
}

Result<std::vector<ProfiledInvoke>> profile_invokes(PreparedModel& model, Clock& clock, int invokes) {
  if (invokes < 1) return invalid_argument("profiled invokes must be at least 1, got " + std::to_string(invokes));
  // A plain invoke first, so that the first profiled one finds caches and
  // threads as warm as the timed runs did, whatever ran in between.
  EB_RETURN_IF_ERROR(model.invoke().with_context("warm invoke before profiling"));
  std::vector<ProfiledInvoke> out;
  out.reserve(static_cast<std::size_t>(invokes));
  for (int k = 0; k < invokes; ++k) {
    ProfiledInvoke p;
    p.start_ns = clock.now_ns();
    auto nodes = model.profile();
    p.wall_ns = clock.now_ns() - p.start_ns;
    if (!nodes.is_ok()) {
      // The base class's "no profiler" reads better without the context.
      if (k == 0 && nodes.status().code() == ErrorCode::unsupported) return nodes.status();
      return nodes.status().with_context("profiled invoke " + std::to_string(k + 1));
    }
    if (nodes->empty()) return internal_error("profiled invoke " + std::to_string(k + 1) + ": the profiler reported no nodes");
    p.nodes = std::move(nodes).value();
    out.push_back(std::move(p));
  }
  return out;
}

Result<LatencyBreakdown> summarize_profile(std::span<const ProfiledInvoke> invokes) {
  if (invokes.empty()) return invalid_argument("no profiled invokes to summarize");
  EB_RETURN_IF_ERROR(check_same_nodes(invokes));

  LatencyBreakdown b;
  b.invokes = static_cast<int>(invokes.size());
  std::vector<double> walls, overheads;
  for (const auto& p : invokes) {
    const double wall_ms = static_cast<double>(p.wall_ns) / kNsPerMs;
    double nodes_ms = 0;
    for (const auto& n : p.nodes) nodes_ms += n.ms;
    walls.push_back(wall_ms);
    // A profiler's own timers can cost more than the harness's clock reads:
    // nodes past the wall are no overhead, not a negative one.
    if (nodes_ms > wall_ms) ++b.overhead_clamped_invokes;
    overheads.push_back(std::max(0.0, wall_ms - nodes_ms));
  }
  b.wall_ms = median_of(walls);
  b.overhead_ms = median_of(overheads);

  std::map<std::string, double> by_category;
  for (std::size_t i = 0; i < invokes.front().nodes.size(); ++i) {
    std::vector<double> times;
    for (const auto& p : invokes) times.push_back(p.nodes[i].ms);
    NodeTiming node = invokes.front().nodes[i];
    node.ms = median_of(std::move(times));
    b.nodes_ms += node.ms;
    by_category[node.category] += node.ms;
    b.nodes.push_back(std::move(node));
  }
  b.categories.assign(by_category.begin(), by_category.end());  // by name ...
  std::stable_sort(b.categories.begin(), b.categories.end(),     // ... within the op table's order
                   [](const auto& x, const auto& y) { return category_rank(x.first) < category_rank(y.first); });
  return b;
}

json to_json(const LatencyBreakdown& b) {
  json categories = json::array();
  for (const auto& [category, ms] : b.categories) categories.push_back({{"category", category}, {"ms", ms}});
  json nodes = json::array();
  for (const auto& n : b.nodes) nodes.push_back({{"node", n.node}, {"op", n.op}, {"category", n.category}, {"ms", n.ms}});
  return {{"invokes", b.invokes},
          {"wall_ms", b.wall_ms},
          {"nodes_ms", b.nodes_ms},
          {"overhead_ms", b.overhead_ms},
          {"overhead_clamped_invokes", b.overhead_clamped_invokes},
          {"categories", std::move(categories)},
          {"nodes", std::move(nodes)}};
}

Result<LatencyBreakdown> latency_breakdown_from_json(const json& j) {
  if (!j.is_object()) return invalid_argument("profile: expected an object");
  if (j.contains("error")) return invalid_argument("profile: not measured: " + j["error"].dump());
  try {
    LatencyBreakdown b;
    b.invokes = j.at("invokes").get<int>();
    b.wall_ms = j.at("wall_ms").get<double>();
    b.nodes_ms = j.at("nodes_ms").get<double>();
    b.overhead_ms = j.at("overhead_ms").get<double>();
    b.overhead_clamped_invokes = j.at("overhead_clamped_invokes").get<int>();
    for (const auto& c : j.at("categories")) b.categories.emplace_back(c.at("category").get<std::string>(), c.at("ms").get<double>());
    for (const auto& n : j.at("nodes"))
      b.nodes.push_back({n.at("node").get<std::string>(), n.at("op").get<std::string>(), n.at("category").get<std::string>(),
                         n.at("ms").get<double>()});
    return b;
  } catch (const json::exception& e) {
    return invalid_argument(std::string("profile: ") + e.what());
  }
}

json profile_error_json(const Status& status) { return {{"error", status.message()}}; }

void run_profiling_pass(const ProfileOptions& options, Clock& clock, PreparedModel& model, RunRecord& record) {
  try {
    auto invokes = profile_invokes(model, clock, options.invokes);
    if (!invokes.is_ok()) {
      record.profile = profile_error_json(invokes.status());
      return;
    }
    auto breakdown = summarize_profile(*invokes);
    if (!breakdown.is_ok()) {
      record.profile = profile_error_json(breakdown.status());
      return;
    }
    record.profile = to_json(*breakdown);
    if (!options.trace_path.empty()) {
      const json trace = chrome_trace(*invokes, TraceLabels{record.model, variant_label(record.backend, record.mode)});
      if (Status st = write_chrome_trace(options.trace_path, trace); st.is_ok()) {
        record.profile["trace"] = options.trace_path;
      } else {
        record.profile["trace_error"] = st.message();
      }
    }
  } catch (const std::bad_alloc&) {
    record.profile = profile_error_json(Status(ErrorCode::out_of_memory, "out of memory (std::bad_alloc) while profiling"));
  } catch (const std::exception& e) {
    record.profile = profile_error_json(internal_error(std::string("exception while profiling: ") + e.what()));
  }
}

}  // namespace eb::bench
