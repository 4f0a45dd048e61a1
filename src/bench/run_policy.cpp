#include "bench/run_policy.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "bench/stats.h"

namespace eb::bench {
namespace {

int64_t secs_to_ns(double secs) { return static_cast<int64_t>(std::llround(secs * 1e9)); }

std::string describe(double v) {
  std::string s = std::to_string(v);
  // to_string prints six decimals; trim them for messages.
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// The timed section, shared with estimate_harness_overhead_ns so that the
// overhead estimate measures exactly what the samples contain.
inline Status timed_invoke(Clock& clock, const Invoke& invoke, int64_t& start_ns, int64_t& end_ns) {
  start_ns = clock.now_ns();
  Status status = invoke();
  end_ns = clock.now_ns();
  return status;
}

// Re-evaluating the CI costs O(n); growing the gap with n keeps that O(1)
// amortized per iteration while slow devices (few samples) still check often.
size_t next_ci_check(size_t n) { return n + std::max<size_t>(1, n / 16); }

}  // namespace

Status validate(const RunOptions& o) {
  if (o.warmup_runs < 0) return invalid_argument("--warmup-runs must be >= 0, got " + std::to_string(o.warmup_runs));
  if (!(o.warmup_secs >= 0)) return invalid_argument("--warmup-secs must be >= 0, got " + describe(o.warmup_secs));
  if (o.runs < 1) return invalid_argument("--runs must be >= 1, got " + std::to_string(o.runs));
  if (!(o.min_secs >= 0)) return invalid_argument("--min-secs must be >= 0, got " + describe(o.min_secs));
  if (!(o.max_secs > 0)) return invalid_argument("--max-secs must be > 0, got " + describe(o.max_secs));
  if (o.min_secs > o.max_secs) {
    return invalid_argument("--min-secs (" + describe(o.min_secs) + ") is greater than --max-secs (" +
                            describe(o.max_secs) + ")");
  }
  if (!(o.target_ci_pct > 0)) return invalid_argument("--target-ci must be > 0, got " + describe(o.target_ci_pct));
  if (o.max_runs < 0) return invalid_argument("max_runs must be >= 0, got " + std::to_string(o.max_runs));
  if (o.max_runs > 0 && o.max_runs < o.runs) {
    return invalid_argument("max_runs (" + std::to_string(o.max_runs) + ") is less than --runs (" +
                            std::to_string(o.runs) + ")");
  }
  return Status::ok();
}

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::target_met: return "target_met";
    case StopReason::max_secs: return "max_secs";
    case StopReason::max_runs: return "max_runs";
  }
  return "unknown";
}

Result<RunTimings> run_measurement(const RunOptions& options, Clock& clock, const Invoke& invoke,
                                   const WindowHooks& hooks) {
  EB_RETURN_IF_ERROR(validate(options));
  RunTimings out;
  int64_t t0 = 0;
  int64_t t1 = 0;

  // Phase 3: cold caches and lazy allocation make the first inference
  // different in kind; it is reported, never mixed into the samples.
  EB_RETURN_IF_ERROR(timed_invoke(clock, invoke, t0, t1).with_context("first inference"));
  out.first_ns = t1 - t0;

  // Phase 4: both a count and a duration, so fast devices warm up for long
  // enough (frequency ramp-up) and slow ones still run a few iterations.
  const int64_t warmup_ns = secs_to_ns(options.warmup_secs);
  const int64_t warmup_start = clock.now_ns();
  int64_t now = warmup_start;
  while (out.warmup_runs < options.warmup_runs || now - warmup_start < warmup_ns) {
    EB_RETURN_IF_ERROR(timed_invoke(clock, invoke, t0, t1)
                           .with_context("warmup inference " + std::to_string(out.warmup_runs + 1)));
    ++out.warmup_runs;
    now = t1;
  }
  out.warmup_ns = now - warmup_start;

  // Reserve from the warmup rate so the vector rarely reallocates (a large
  // copy between iterations would evict the model's data from the caches).
  const auto cap = static_cast<size_t>(options.max_runs > 0 ? options.max_runs : INT64_MAX);
  const int64_t min_ns = secs_to_ns(options.min_secs);
  const int64_t max_ns = secs_to_ns(options.max_secs);
  constexpr double kMaxReserve = 1 << 22;  // 32 MB; beyond that, let it grow
  double expected = static_cast<double>(options.runs);
  if (out.warmup_runs > 0 && out.warmup_ns > 0) {
    const double per_run = static_cast<double>(out.warmup_ns) / static_cast<double>(out.warmup_runs);
    expected = std::max(expected, 1.25 * static_cast<double>(min_ns) / per_run);
  }
  out.samples_ns.reserve(std::min(static_cast<size_t>(std::min(expected, kMaxReserve)), cap));

  // Phase 5.
  const double target = options.target_ci_pct / 100.0;
  std::vector<int64_t> scratch;
  auto ci_met = [&] {
    const auto half_width = median_ci_relative_half_width(out.samples_ns, scratch);
    return half_width && *half_width <= target;
  };
  const auto runs = static_cast<size_t>(options.runs);
  size_t ci_check_at = runs;
  bool ci_ok = false;

  out.window_start_ns = clock.now_ns();
  if (hooks.on_window_start) hooks.on_window_start(out.window_start_ns);
  for (;;) {
    Status status = timed_invoke(clock, invoke, t0, t1);
    if (!status.is_ok()) {
      out.window_end_ns = t1;
      if (hooks.on_window_end) hooks.on_window_end(out.window_end_ns);
      return status.with_context("measured inference " + std::to_string(out.samples_ns.size() + 1));
    }
    out.samples_ns.push_back(t1 - t0);
    const size_t n = out.samples_ns.size();
    const int64_t elapsed = t1 - out.window_start_ns;
    if (n >= runs && elapsed >= min_ns) {
      if (n >= ci_check_at) {
        ci_ok = ci_met();
        ci_check_at = next_ci_check(n);
      }
      if (ci_ok && (!hooks.ready_to_stop || hooks.ready_to_stop(t1))) {
        out.stop_reason = StopReason::target_met;
        break;
      }
    }
    if (elapsed >= max_ns) {
      out.stop_reason = StopReason::max_secs;
      break;
    }
    if (n >= cap) {
      out.stop_reason = StopReason::max_runs;
      break;
    }
  }
  out.window_end_ns = t1;
  if (hooks.on_window_end) hooks.on_window_end(out.window_end_ns);

  // Phase 6 keeps every sample. `stable` says whether the median is known
  // to the target precision from the samples kept, however the run ended: a
  // run cut by max_secs or max_runs whose CI is tight is still stable.
  out.stable = out.stop_reason == StopReason::target_met || (out.samples_ns.size() >= runs && ci_met());
  return out;
}

int64_t estimate_harness_overhead_ns(Clock& clock, int iterations) {
  const Invoke noop = [] { return Status::ok(); };
  std::vector<int64_t> samples(static_cast<size_t>(std::max(iterations, 1)));
  int64_t t0 = 0;
  int64_t t1 = 0;
  for (auto& s : samples) {
    (void)timed_invoke(clock, noop, t0, t1);
    s = t1 - t0;
  }
  const size_t mid = nearest_rank(samples.size(), 50) - 1;
  std::nth_element(samples.begin(), samples.begin() + static_cast<ptrdiff_t>(mid), samples.end());
  return samples[mid];
}

}  // namespace eb::bench
