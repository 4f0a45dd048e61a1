// Measures what the run policy costs per iteration, with an invoke that does
// nothing (what the null backend measures end to end):
//   in-sample: the median sample, i.e. what the harness adds to every
//              reported latency (clock reads + the type-erased call);
//   loop:      window wall time / iterations, i.e. the in-sample part plus
//              the bookkeeping between iterations (push_back, stop checks,
//              amortized CI evaluations);
//   loop cpu:  the same from this thread's CPU time, which leaves out time
//              the thread spent descheduled (a loaded machine inflates
//              "loop" but not this).
// Prints a table; not a test, because timings depend on the machine.
#include <time.h>

#include <cstdio>

#include "bench/clock.h"
#include "bench/run_policy.h"
#include "bench/stats.h"

namespace {

double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

}  // namespace

int main() {
  using namespace eb::bench;
  SteadyClock clock;
  std::printf("%-30s %10s %12s %12s %12s %7s\n", "configuration", "iterations", "in-sample ns", "loop ns/iter",
              "cpu ns/iter", "stable");
  struct Case {
    const char* name;
    RunOptions options;
  };
  RunOptions defaults;
  RunOptions short_window;
  short_window.warmup_secs = 0.1;
  short_window.min_secs = 0.5;
  short_window.max_secs = 5;
  RunOptions uncapped = short_window;
  uncapped.max_runs = 0;
  for (const Case& c : {Case{"defaults (max_runs 1e6)", defaults}, Case{"min_secs 0.5, max_runs 1e6", short_window},
                        Case{"min_secs 0.5, no max_runs", uncapped}}) {
    const Invoke noop = [] { return eb::Status::ok(); };
    // The window hooks bracket exactly the measured phase.
    double cpu_start = 0;
    double cpu_ns = 0;
    WindowHooks hooks;
    hooks.on_window_start = [&](int64_t) { cpu_start = thread_cpu_ns(); };
    hooks.on_window_end = [&](int64_t) { cpu_ns = thread_cpu_ns() - cpu_start; };
    auto timings = run_measurement(c.options, clock, noop, hooks);
    if (!timings.is_ok()) {
      std::fprintf(stderr, "%s\n", timings.status().message().c_str());
      return 1;
    }
    const auto summary = summarize(timings->samples_ns);
    const double n = static_cast<double>(timings->samples_ns.size());
    const double loop_ns = static_cast<double>(timings->window_end_ns - timings->window_start_ns) / n;
    std::printf("%-30s %10.0f %12.1f %12.1f %12.1f %7s\n", c.name, n, summary->median_ms * 1e6, loop_ns,
                cpu_ns / n, timings->stable ? "yes" : "no");
  }
  std::printf("estimate_harness_overhead_ns: %lld ns\n",
              static_cast<long long>(estimate_harness_overhead_ns(clock)));
  return 0;
}
