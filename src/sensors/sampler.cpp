#include "sensors/sampler.h"

#include <algorithm>

#include "sensors/energy.h"

namespace eb::sensors {

namespace {
constexpr std::size_t kMaxErrorsKept = 64;
}

Sampler::Sampler(std::vector<std::unique_ptr<Source>> sources, SamplerOptions options) : options_(options) {
  for (auto& source : sources) {
    auto slot = std::make_unique<Slot>();
    slot->source = std::move(source);
    slots_.push_back(std::move(slot));
  }
}

Sampler::~Sampler() { stop(); }

std::chrono::nanoseconds Sampler::period(std::size_t i) const {
  return std::max(options_.period, slots_[i]->source->min_period());
}

Status Sampler::start() {
  if (running()) return Status::ok();
  if (options_.period <= std::chrono::nanoseconds::zero()) return invalid_argument("sampling period must be positive");
  for (auto& slot : slots_) {
    if (slot->source->is_log()) continue;
    if (auto first = poll(*slot); !first) return first.status().with_context(slot->source->info().id);
  }
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
  return Status::ok();
}

void Sampler::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

void Sampler::record_error(Slot& slot, std::int64_t t_ns, std::string message, bool counter_reset) {
  std::lock_guard lock(slot.data);
  // Resets are always kept: energy across one is unknown.
  if (slot.errors.size() < kMaxErrorsKept || counter_reset) {
    slot.errors.push_back({t_ns, std::move(message), counter_reset});
  } else {
    ++slot.dropped_errors;
  }
}

Result<Sample> Sampler::poll(Slot& slot) {
  std::lock_guard io(slot.io);
  // The sample's time is the middle of the read: a slow device (a serial
  // meter's round trip) measured somewhere in between.
  const std::int64_t before = now_ns();
  Result<double> value = slot.source->read();
  const std::int64_t t = before + (now_ns() - before) / 2;
  if (!value) {
    record_error(slot, t, value.status().message());
    return value.status();
  }
  Sample sample{t, *value};
  if (slot.source->info().kind == Kind::energy_counter) {
    if (slot.last_raw_j) {
      auto delta = counter_delta_j(*slot.last_raw_j, *value, slot.source->wrap_range_j());
      if (!delta) {
        // Keep the sample (the read itself worked) but flag the gap: energy
        // across it is unknown, and a window containing it fails.
        record_error(slot, t, "energy counter went backwards with no known wrap range (reset?)", true);
      }
      slot.unwrapped_j += delta.value_or(0.0);
    }
    slot.last_raw_j = *value;
    sample.value = slot.unwrapped_j;
  }
  {
    std::lock_guard lock(slot.data);
    slot.samples.push_back(sample);
  }
  {
    std::lock_guard lock(progress_mutex_);
  }
  progress_.notify_all();
  return sample;
}

Result<Sample> Sampler::read_now(std::size_t i) { return poll(*slots_[i]); }

void Sampler::run(std::stop_token stop) {
  using clock = std::chrono::steady_clock;
  std::vector<clock::time_point> due(slots_.size(), clock::now());
  for (std::size_t i = 0; i < slots_.size(); ++i) due[i] += period(i);
  while (!stop.stop_requested()) {
    auto next = clock::time_point::max();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i]->source->is_log()) continue;
      if (clock::now() >= due[i]) {
        (void)poll(*slots_[i]);  // failures are kept in errors()
        // Keep to the grid; after a stall (a slow read) resume from now
        // rather than firing a burst of catch-up reads.
        due[i] += period(i);
        if (due[i] < clock::now()) due[i] = clock::now() + period(i);
      }
      next = std::min(next, due[i]);
    }
    if (next == clock::time_point::max()) next = clock::now() + options_.period;
    std::unique_lock lock(wake_mutex_);
    wake_.wait_until(lock, stop, next, [] { return false; });
  }
}

bool Sampler::wait_for_samples_after(std::int64_t t_ns, std::chrono::nanoseconds timeout) {
  auto all_past = [&] {
    for (const auto& slot : slots_) {
      if (slot->source->is_log()) continue;
      std::lock_guard lock(slot->data);
      if (slot->samples.empty() || slot->samples.back().t_ns <= t_ns) return false;
    }
    return true;
  };
  std::unique_lock lock(progress_mutex_);
  return progress_.wait_for(lock, timeout, all_past);
}

Result<std::vector<Sample>> Sampler::samples(std::size_t i) const {
  const Slot& slot = *slots_[i];
  if (slot.source->is_log()) return slot.source->read_log();
  std::lock_guard lock(slot.data);
  return slot.samples;
}

std::vector<SampleError> Sampler::errors(std::size_t i) const {
  const Slot& slot = *slots_[i];
  std::lock_guard lock(slot.data);
  auto out = slot.errors;
  if (slot.dropped_errors > 0) {
    out.push_back({0, "... and " + std::to_string(slot.dropped_errors) + " more read errors"});
  }
  return out;
}

}  // namespace eb::sensors
