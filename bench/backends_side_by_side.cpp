// backends_side_by_side: every built backend on every zoo model, in one run,
// with the same weights, the same input and the same thread count; median
// and p90 latency of each, with their ratios to the native runtime.
//
// Per model: build it once (seeded weights), draw the input once (the
// harness's make_inputs, so `edgebench run` and `verify` see the same
// numbers), then prepare each backend variant in turn through the registry
// ("id" or "id:mode"; libtorch counts twice, eager and script). Native is
// always first: it is the baseline of the ratios and the reference of the
// output check. A variant whose output is not within 1e-3 of native's
// (verify/compare.h's measure) is marked mismatch and not timed: a fast
// wrong answer is not a result. The others stay prepared and are timed in
// rounds; each round gives each of them a block of --block-secs of
// back-to-back invokes (the starting variant rotates from round to round),
// so that drift of a shared machine (other jobs, clocks, heat) hits all of
// them alike. After the rounds each output is checked again (a backend that
// clobbers its input would otherwise go unnoticed). Then the model's
// prepared backends are released before the next model is built.
//
// A backend that takes fewer threads than --threads (its capabilities'
// config "max_threads": Debian's libdarknet, built without OpenMP, takes 1)
// would refuse the run and never be timed; it runs on the most it takes
// instead, its row says so ("darknet (1 thread)") and a note under the table
// says why: its ratios compare fewer threads with --threads.
//
// Only the Backend interface is used: no framework header is included here.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/registry.h"
#include "bench/clock.h"
#include "bench/runner.h"
#include "bench/stats.h"
#include "verify/compare.h"
#include "zoo/zoo.h"

namespace {

using eb::Status;
using eb::bench::Clock;

constexpr std::string_view kBaseline = "native";

// A backend of the registry, optionally in one of its modes.
struct Variant {
  std::string id;
  std::string mode;
  std::optional<int> capped_threads;  // set where the backend takes fewer than --threads
  std::string name() const { return mode.empty() ? id : id + ":" + mode; }
  std::string label() const {
    if (!capped_threads) return name();
    return name() + " (" + std::to_string(*capped_threads) + (*capped_threads == 1 ? " thread)" : " threads)");
  }
};

struct Options {
  std::vector<std::string> models;
  std::vector<Variant> variants;  // native first
  int threads = 2;
  int rounds = 3;
  double block_secs = 0.5;
  int64_t input_size = 0;
  bool csv = false;
  bool help = false;
};

enum class RowStatus { ok, mismatch, unsupported, failed, not_built, no_reference };

const char* to_string(RowStatus s) {
  switch (s) {
    case RowStatus::ok: return "ok";
    case RowStatus::mismatch: return "mismatch";
    case RowStatus::unsupported: return "unsupported";
    case RowStatus::failed: return "failed";
    case RowStatus::not_built: return "not built";
    case RowStatus::no_reference: return "not checked";
  }
  return "failed";
}

// One (model, variant) line of the table.
struct Row {
  std::string model;
  std::string backend;
  RowStatus status = RowStatus::ok;
  std::string message;
  double max_rel_error = NAN;  // against native's output; 0 for native
  std::vector<int64_t> samples_ns;
  std::optional<eb::bench::Summary> summary;
};

// ---- usage ----------------------------------------------------------------

void print_usage() {
  std::printf(
               "usage: backends_side_by_side [--models a,b,...] [--backends id[:mode],...] [--threads N]\n"
               "                             [--rounds N] [--block-secs S] [--input-size N] [--format text|csv]\n"
               "  --models      zoo ids (default: all 16)\n"
               "  --backends    registry ids, id:mode for a mode (default: every built backend but null,\n"
               "                each of its modes apart); native is always added as the baseline\n"
               "  --threads     threads for every backend (default 2); one that takes fewer runs on\n"
               "                the most it takes, labelled so\n"
               "  --rounds      rounds of alternating blocks (default 3)\n"
               "  --block-secs  seconds of back-to-back invokes per backend per round (default 0.5)\n"
               "  --input-size  H = W of the input (default: each model's own)\n");
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find(sep, start), s.size());
    if (end > start) parts.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

template <class T>
eb::Result<T> parse_number(const std::string& flag, const std::string& text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return eb::invalid_argument(flag + ": '" + text + "' is not a number");
  return value;
}

// The modes a built backend lists in its capabilities ("eager, script"); none: {}.
std::vector<std::string> modes_of(const eb::Backend& backend) {
  const auto caps = backend.capabilities();
  const auto it = caps.config.find("modes");
  std::vector<std::string> modes;
  if (it == caps.config.end()) return modes;
  for (std::string m : split(it->second, ',')) {
    m.erase(0, m.find_first_not_of(' '));
    m.erase(m.find_last_not_of(' ') + 1);
    if (!m.empty()) modes.push_back(m);
  }
  return modes;
}

// The most threads a built backend takes (its capabilities' "max_threads"),
// or none where it sets no limit.
std::optional<int> max_threads_of(const eb::Backend& backend) {
  const auto caps = backend.capabilities();
  const auto it = caps.config.find("max_threads");
  if (it == caps.config.end()) return std::nullopt;
  auto value = parse_number<int>("max_threads", it->second);
  if (!value.is_ok() || *value < 1) return std::nullopt;  // not a limit: the backend's own check has the last word
  return *value;
}

// Caps the variant at the threads its backend takes, when fewer than asked.
void cap_threads(Variant& v, int requested) {
  auto entry = eb::find_backend(v.id);
  if (!entry.is_ok() || !(*entry)->make) return;
  const std::optional<int> most = max_threads_of(*(*entry)->make());
  if (most && *most < requested) v.capped_threads = *most;
}

eb::Result<Variant> parse_variant(const std::string& text) {
  const std::size_t colon = text.find(':');
  Variant v{text.substr(0, colon), colon == std::string::npos ? "" : text.substr(colon + 1), std::nullopt};
  EB_ASSIGN_OR_RETURN(const eb::BackendEntry* entry, eb::find_backend(v.id));
  if (v.id == "null") return eb::invalid_argument("the null backend computes nothing; it has no place in this table");
  if (!entry->make || v.mode.empty()) return v;  // a backend not built shows as such in the table
  const auto modes = modes_of(*entry->make());
  if (std::find(modes.begin(), modes.end(), v.mode) == modes.end())
    return eb::invalid_argument("backend '" + v.id + "' has no mode '" + v.mode + "'" +
                                (modes.empty() ? " (it has no modes)" : ""));
  return v;
}

// Every built backend but null, each of its modes apart.
std::vector<Variant> default_variants() {
  std::vector<Variant> variants;
  for (const eb::BackendEntry& e : eb::backend_table()) {
    if (e.id == "null" || !e.make) continue;
    const auto modes = modes_of(*e.make());
    if (modes.empty()) variants.push_back({e.id, "", std::nullopt});
    for (const std::string& m : modes) variants.push_back({e.id, m, std::nullopt});
  }
  return variants;
}

eb::Result<Options> parse_options(int argc, char** argv) {
  Options o;
  std::string backends;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      return o;
    }
    if (i + 1 >= argc) return eb::invalid_argument(flag.rfind("--", 0) == 0 ? flag + " needs a value" : "unexpected '" + flag + "'");
    const std::string value = argv[++i];
    if (flag == "--models") {
      o.models = split(value, ',');
    } else if (flag == "--backends") {
      backends = value;
    } else if (flag == "--threads") {
      EB_ASSIGN_OR_RETURN(o.threads, parse_number<int>(flag, value));
    } else if (flag == "--rounds") {
      EB_ASSIGN_OR_RETURN(o.rounds, parse_number<int>(flag, value));
    } else if (flag == "--block-secs") {
      EB_ASSIGN_OR_RETURN(o.block_secs, parse_number<double>(flag, value));
    } else if (flag == "--input-size") {
      EB_ASSIGN_OR_RETURN(o.input_size, parse_number<int64_t>(flag, value));
    } else if (flag == "--format") {
      if (value != "text" && value != "csv") return eb::invalid_argument("--format: 'text' or 'csv', not '" + value + "'");
      o.csv = value == "csv";
    } else {
      return eb::invalid_argument("unknown option '" + flag + "'");
    }
  }
  if (o.threads < 1) return eb::invalid_argument("--threads must be at least 1");
  if (o.rounds < 1) return eb::invalid_argument("--rounds must be at least 1");
  if (!(o.block_secs > 0)) return eb::invalid_argument("--block-secs must be positive");
  if (o.input_size < 0) return eb::invalid_argument("--input-size must be positive");

  if (o.models.empty())
    for (const auto& m : eb::zoo::models()) o.models.emplace_back(m.id);
  for (const std::string& m : o.models) {
    if (eb::zoo::find(m)) continue;
    std::string known;
    for (const auto& e : eb::zoo::models()) known += (known.empty() ? "" : ", ") + std::string(e.id);
    return eb::invalid_argument("unknown model '" + m + "'; known models: " + known);
  }

  std::vector<Variant> chosen;
  if (backends.empty() || backends == "all") {
    chosen = default_variants();
  } else {
    for (const std::string& text : split(backends, ',')) {
      EB_ASSIGN_OR_RETURN(Variant v, parse_variant(text));
      chosen.push_back(std::move(v));
    }
    if (chosen.empty()) return eb::invalid_argument("--backends: no backend given");
  }
  // Native, once and first: every ratio and every output check refer to it.
  o.variants.push_back({std::string(kBaseline), "", std::nullopt});
  for (Variant& v : chosen) {
    const bool seen = std::any_of(o.variants.begin(), o.variants.end(), [&](const Variant& w) { return w.name() == v.name(); });
    if (!seen) o.variants.push_back(std::move(v));
  }
  for (Variant& v : o.variants) cap_threads(v, o.threads);
  return o;
}

// ---- running one model -----------------------------------------------------

// Backends report errors as statuses; a framework that throws anyway must
// not take the whole table down.
Status guarded(const std::string& phase, const std::function<Status()>& step) {
  try {
    return step();
  } catch (const std::bad_alloc&) {
    return Status(eb::ErrorCode::out_of_memory, "out of memory (std::bad_alloc) during " + phase);
  } catch (const std::exception& e) {
    return eb::internal_error("exception during " + phase + ": " + e.what());
  } catch (...) {
    return eb::internal_error("unknown exception during " + phase);
  }
}

RowStatus status_for(const Status& st) { return st.code() == eb::ErrorCode::unsupported ? RowStatus::unsupported : RowStatus::failed; }

// A variant prepared on the current model, with its input bound.
struct Contender {
  std::size_t row = 0;  // its line in the table
  std::unique_ptr<eb::Backend> backend;
  std::unique_ptr<eb::PreparedModel> model;  // declared after backend: released first
};

eb::Result<std::vector<std::vector<float>>> read_outputs(eb::PreparedModel& model, std::size_t count) {
  std::vector<std::vector<float>> outputs(count);
  for (std::size_t i = 0; i < count; ++i) {
    EB_RETURN_IF_ERROR(guarded("output " + std::to_string(i), [&]() -> Status {
      EB_ASSIGN_OR_RETURN(outputs[i], model.output(i));
      return Status::ok();
    }));
  }
  return outputs;
}

// The worst relative error over all outputs, or why they cannot be compared.
eb::Result<double> worst_error(const std::vector<std::vector<float>>& actual, const std::vector<std::vector<float>>& reference) {
  double worst = 0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    auto stats = eb::verify::compare(actual[i], reference[i]);
    if (!stats.is_ok()) return stats.status().with_context("output " + std::to_string(i));
    worst = std::max(worst, stats->max_rel_error);
  }
  return worst;
}

// Reads the model's outputs and holds them against the reference: false
// (with the row marked) when they cannot be read or are not close enough.
bool outputs_agree(eb::PreparedModel& model, const std::vector<std::vector<float>>& reference, const std::string& when, Row& row) {
  auto outputs = read_outputs(model, reference.size());
  if (!outputs.is_ok()) {
    row.status = RowStatus::failed;
    row.message = outputs.status().message();
    return false;
  }
  auto error = worst_error(*outputs, reference);
  if (!error.is_ok() || !(*error <= eb::verify::kDefaultTolerance)) {
    row.status = RowStatus::mismatch;
    row.message = when + (error.is_ok() ? ": relative error " + std::to_string(*error) + " > 1e-3 against native"
                                        : ": " + error.status().message());
    if (error.is_ok()) row.max_rel_error = *error;
    return false;
  }
  row.max_rel_error = std::max(std::isnan(row.max_rel_error) ? 0.0 : row.max_rel_error, *error);
  return true;
}

// Prepares one variant, binds the input and runs it once. Null (with the
// row saying why) when it cannot take part.
std::optional<Contender> prepare_variant(const Variant& v, const eb::Graph& graph, const std::vector<std::vector<float>>& inputs,
                                         const Options& o, Row& row) {
  auto entry = eb::find_backend(v.id);
  if (!entry.is_ok() || !(*entry)->make) {
    row.status = RowStatus::not_built;
    row.message = entry.is_ok() ? (*entry)->not_built_reason : entry.status().message();
    return std::nullopt;
  }
  Contender c;
  eb::BackendOptions bo;
  bo.threads = v.capped_threads.value_or(o.threads);
  bo.mode = v.mode;
  Status st = guarded("creating the backend", [&] {
    c.backend = (*entry)->make();
    return c.backend->supports(graph, bo);
  });
  if (!st.is_ok()) {
    row.status = c.backend ? RowStatus::unsupported : RowStatus::failed;
    row.message = st.message();
    return std::nullopt;
  }
  st = guarded("prepare", [&]() -> Status {
    EB_ASSIGN_OR_RETURN(c.model, c.backend->prepare(graph, bo));
    for (std::size_t i = 0; i < inputs.size(); ++i) EB_RETURN_IF_ERROR(c.model->set_input(i, inputs[i]).with_context("set_input"));
    return c.model->invoke().with_context("first invoke");
  });
  if (!st.is_ok()) {
    row.status = status_for(st);
    row.message = st.message();
    return std::nullopt;
  }
  return c;
}

// One block: back-to-back invokes until `block_secs` have passed (at least one).
Status time_block(eb::PreparedModel& model, double block_secs, Clock& clock, std::vector<int64_t>& samples) {
  const int64_t block_end = clock.now_ns() + static_cast<int64_t>(block_secs * 1e9);
  for (;;) {
    const int64_t start = clock.now_ns();
    EB_RETURN_IF_ERROR(guarded("invoke", [&] { return model.invoke(); }));
    const int64_t end = clock.now_ns();
    samples.push_back(end - start);
    if (end >= block_end) return Status::ok();
  }
}

// The model's rows, one per variant in options order.
std::vector<Row> run_model(const std::string& model_id, const Options& o, Clock& clock) {
  std::vector<Row> rows;
  for (const Variant& v : o.variants) {
    Row row;
    row.model = model_id;
    row.backend = v.label();
    rows.push_back(std::move(row));
  }
  const auto fail_all = [&](RowStatus status, const std::string& message) {
    for (Row& r : rows) {
      r.status = status;
      r.message = message;
    }
  };

  std::vector<Contender> contenders;
  std::vector<std::vector<float>> reference;  // native's outputs
  {
    eb::zoo::BuildOptions build_options;
    build_options.input_size = o.input_size;
    auto graph = eb::zoo::build(model_id, build_options);
    if (!graph.is_ok()) {
      fail_all(RowStatus::failed, "building the model: " + graph.status().message());
      return rows;
    }
    const auto inputs = eb::bench::make_inputs(*graph, eb::zoo::kDefaultSeed);
    for (std::size_t k = 0; k < o.variants.size(); ++k) {
      Row& row = rows[k];
      if (k > 0 && reference.empty()) {
        row.status = RowStatus::no_reference;
        row.message = "native, the reference, did not run: nothing to check the output against";
        continue;
      }
      auto c = prepare_variant(o.variants[k], *graph, inputs, o, row);
      if (c && k == 0) {
        auto outputs = read_outputs(*c->model, graph->outputs.size());
        if (!outputs.is_ok()) {
          row.status = RowStatus::failed;
          row.message = outputs.status().message();
        } else {
          reference = std::move(*outputs);
          row.max_rel_error = 0;
        }
      } else if (c && !outputs_agree(*c->model, reference, "first output", row)) {
        c.reset();  // a wrong answer is not timed
      }
      const bool taking_part = c && row.status == RowStatus::ok;
      std::fprintf(stderr, "%s %s: %s%s%s\n", model_id.c_str(), row.backend.c_str(), taking_part ? "prepared" : to_string(row.status),
                   row.message.empty() ? "" : ": ", row.message.c_str());
      if (taking_part) {
        c->row = k;
        contenders.push_back(std::move(*c));
      }
    }
  }  // the graph's weights are released here: the prepared models own copies

  // Alternating blocks; the variant that opens a round rotates.
  const std::size_t n = contenders.size();
  for (int round = 0; round < o.rounds; ++round) {
    for (std::size_t k = 0; k < n; ++k) {
      Contender& c = contenders[(static_cast<std::size_t>(round) + k) % n];
      if (!c.model) continue;
      Row& row = rows[c.row];
      const Status st = time_block(*c.model, o.block_secs, clock, row.samples_ns);
      if (!st.is_ok()) {
        row.status = status_for(st);
        row.message = "during timing: " + st.message();
        c.model.reset();
      }
    }
  }
  for (Contender& c : contenders) {
    Row& row = rows[c.row];
    if (!c.model || !outputs_agree(*c.model, reference, "output after the timed runs", row)) continue;
    auto summary = eb::bench::summarize(row.samples_ns);
    if (summary.is_ok()) row.summary = *summary;
  }
  return rows;
}

// ---- output ----------------------------------------------------------------

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char ch : s) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return quoted + "\"";
}

std::string number(double v, const char* format) {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

struct Ratios {
  double median = NAN;
  double p90 = NAN;
};

Ratios ratios_to(const Row& row, const Row& baseline) {
  if (!row.summary || !baseline.summary) return {};
  return {row.summary->median_ms / baseline.summary->median_ms, row.summary->p90_ms / baseline.summary->p90_ms};
}

void print_text_header() {
  std::printf("%-17s %-20s %10s %10s %8s %9s %6s %9s\n", "model", "backend", "median ms", "p90 ms", "x native", "p90 x nat", "runs",
              "rel err");
}

void print_text_rows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    std::printf("%-17s %-20s ", row.model.c_str(), row.backend.c_str());
    if (row.summary) {
      const Ratios r = ratios_to(row, rows.front());
      std::printf("%10.3f %10.3f %8s %9s %6zu %9s\n", row.summary->median_ms, row.summary->p90_ms, number(r.median, "%.2f").c_str(),
                  number(r.p90, "%.2f").c_str(), row.summary->count,
                  row.backend == kBaseline ? "ref" : number(row.max_rel_error, "%.1e").c_str());
    } else {
      std::printf("%s: %s\n", to_string(row.status), one_line(row.message).c_str());
    }
  }
}

void print_csv_header() { std::printf("model,backend,status,median_ms,p90_ms,ratio_median,ratio_p90,runs,max_rel_error,message\n"); }

void print_csv_rows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    const Ratios r = ratios_to(row, rows.front());
    std::printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", csv_field(row.model).c_str(), csv_field(row.backend).c_str(),
                row.status == RowStatus::ok ? "ok" : to_string(row.status),
                number(row.summary ? row.summary->median_ms : NAN, "%.4f").c_str(),
                number(row.summary ? row.summary->p90_ms : NAN, "%.4f").c_str(), number(r.median, "%.4f").c_str(),
                number(r.p90, "%.4f").c_str(), row.summary ? std::to_string(row.summary->count).c_str() : "",
                number(row.max_rel_error, "%.3e").c_str(), csv_field(one_line(row.message)).c_str());
  }
}

// Per backend, the geometric mean of its median ratio over the models where
// both it and native were timed.
void print_geomeans(const Options& o, const std::vector<std::vector<Row>>& all) {
  std::printf("\ngeometric mean of the median ratio to native, over the models both ran:\n");
  for (std::size_t k = 1; k < o.variants.size(); ++k) {
    double log_sum = 0;
    int count = 0;
    for (const auto& rows : all) {
      const double r = ratios_to(rows[k], rows.front()).median;
      if (std::isfinite(r) && r > 0) {
        log_sum += std::log(r);
        ++count;
      }
    }
    if (count == 0) {
      std::printf("  %-20s no model timed\n", o.variants[k].label().c_str());
    } else {
      std::printf("  %-20s %.2f (%d models)\n", o.variants[k].label().c_str(), std::exp(log_sum / count), count);
    }
  }
}

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  double one = NAN, five = NAN, fifteen = NAN;
  if (!(f >> one >> five >> fifteen)) return "unknown";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %.2f %.2f", one, five, fifteen);
  return buf;
}

bool any_capped(const Options& o) {
  return std::any_of(o.variants.begin(), o.variants.end(), [](const Variant& v) { return v.capped_threads.has_value(); });
}

// Why a row ran on fewer threads than the others: its ratios are not like for like.
void print_capped_note(std::FILE* to, const Options& o) {
  for (const Variant& v : o.variants) {
    if (!v.capped_threads) continue;
    const int n = *v.capped_threads;
    std::fprintf(to, "note: %s ran on %d thread%s, not %d: %s takes at most %d (max_threads in 'edgebench backends') and refuses "
                 "more as unsupported; its ratios compare %d thread%s with native's %d\n",
                 v.label().c_str(), n, n == 1 ? "" : "s", o.threads, v.id.c_str(), n, n, n == 1 ? "" : "s", o.threads);
  }
}

// What was compared, under which conditions: a table without it cannot be read.
void print_preamble(std::FILE* to, const Options& o) {
  std::fprintf(to, "threads %d for every backend%s; %d rounds of %.2f s blocks per backend; input %s; output check: relative error <= 1e-3 "
               "against native\n",
               o.threads, any_capped(o) ? " that takes them (the others: as labelled, see the note under the table)" : "", o.rounds,
               o.block_secs, o.input_size ? (std::to_string(o.input_size) + "x" + std::to_string(o.input_size)).c_str()
                                                                : "each model's own");
  for (const Variant& v : o.variants) {
    auto entry = eb::find_backend(v.id);
    std::string version = "not built";
    if (entry.is_ok() && (*entry)->make) version = (*entry)->make()->capabilities().version;
    std::fprintf(to, "  %-20s %s\n", v.label().c_str(), version.c_str());
  }
  std::fprintf(to, "load average at start: %s\n", load_average().c_str());
  std::fprintf(to, "ratios: backend / native (above 1: slower than native); medians and p90 are nearest-rank over all blocks\n\n");
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options.is_ok()) {
    std::fprintf(stderr, "backends_side_by_side: %s (--help lists the options)\n", options.status().message().c_str());
    return 2;
  }
  const Options& o = *options;
  if (o.help) {
    print_usage();
    return 0;
  }
  print_preamble(o.csv ? stderr : stdout, o);
  o.csv ? print_csv_header() : print_text_header();
  std::fflush(stdout);

  eb::bench::SteadyClock clock;
  std::vector<std::vector<Row>> all;
  bool all_well = true;
  for (const std::string& model : o.models) {
    std::vector<Row> rows = run_model(model, o, clock);
    o.csv ? print_csv_rows(rows) : print_text_rows(rows);
    std::fflush(stdout);
    for (const Row& r : rows) all_well = all_well && r.status != RowStatus::failed && r.status != RowStatus::mismatch;
    all.push_back(std::move(rows));
  }
  if (o.csv) {
    print_capped_note(stderr, o);
  } else {
    print_capped_note(stdout, o);
    print_geomeans(o, all);
    std::printf("load average at end: %s\n", load_average().c_str());
  }
  return all_well ? 0 : 1;
}
