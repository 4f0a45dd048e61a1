#include "runtime/thread_pool.h"

#include <algorithm>
#include <chrono>

#include <omp.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EB_CPU_RELAX() _mm_pause()
#else
#define EB_CPU_RELAX() ((void)0)
#endif

namespace eb::rt {
namespace {

// Spins until done() or `spin` elapses; true if done.
template <typename Done>
bool spin_until(Done done, std::chrono::microseconds spin) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 32; ++i) {
      if (done()) return true;
      EB_CPU_RELAX();
    }
    if (std::chrono::steady_clock::now() - start > spin) return done();
  }
}

constexpr uint32_t kJobMask = (1u << 24) - 1;
constexpr uint64_t kField = (1u << 20) - 1;

uint64_t pack(uint32_t job, uint64_t next, uint64_t end) { return (static_cast<uint64_t>(job) << 40) | (next << 20) | end; }
uint32_t job_of(uint64_t s) { return static_cast<uint32_t>(s >> 40); }
int next_of(uint64_t s) { return static_cast<int>((s >> 20) & kField); }
int end_of(uint64_t s) { return static_cast<int>(s & kField); }

}  // namespace

ThreadPool::ThreadPool(int threads, std::optional<std::chrono::microseconds> spin)
    : spin_(std::max(spin.value_or(threads > omp_get_num_procs() ? kOversubscribedSpin : kDefaultSpin), std::chrono::microseconds(0))),
      ranges_(new Range[threads > 1 ? threads : 1]) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  job_.fetch_add(1);
  job_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::drain(int self, uint32_t job) {
  const int n = threads();
  // Read the job's function before claiming a task; a successful claim
  // proves it belongs to that job (the next job starts only once all of
  // this one's tasks are done).
  const TaskFn fn = fn_.load(std::memory_order_relaxed);
  void* const context = context_.load(std::memory_order_relaxed);
  for (int k = 0; k < n; ++k) {
    Range& r = ranges_[(self + k) % n];
    uint64_t s = r.state.load(std::memory_order_acquire);
    while (job_of(s) == job && next_of(s) < end_of(s)) {
      if (!r.state.compare_exchange_weak(s, s + (1u << 20), std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      fn(context, next_of(s));
      // seq_cst: pairs with the caller's caller_sleeping_ store.
      if (pending_.fetch_sub(1) == 1 && caller_sleeping_.load()) pending_.notify_one();
      s = r.state.load(std::memory_order_acquire);
    }
  }
}

void ThreadPool::run(int tasks, TaskFn fn, void* context) {
  if (tasks <= 0) return;
  if (workers_.empty() || tasks == 1 || tasks > static_cast<int>(kField)) {
    for (int t = 0; t < tasks; ++t) fn(context, t);
    return;
  }
  const int n = threads();
  const uint32_t job = (job_.load(std::memory_order_relaxed) + 1) & kJobMask;
  fn_.store(fn, std::memory_order_relaxed);
  context_.store(context, std::memory_order_relaxed);
  pending_.store(tasks, std::memory_order_relaxed);
  for (int t = 0; t < n; ++t)
    ranges_[t].state.store(pack(job, static_cast<uint64_t>(tasks) * t / n, static_cast<uint64_t>(tasks) * (t + 1) / n),
                           std::memory_order_release);
  job_.store(job);  // seq_cst: pairs with the workers' sleeping_workers_ increment
  if (sleeping_workers_.load() > 0) job_.notify_all();

  drain(0, job);

  // Wait for parts other threads took.
  if (!spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; }, spin_)) {
    caller_sleeping_.store(1);
    for (int left = pending_.load(); left != 0; left = pending_.load()) pending_.wait(left);
    caller_sleeping_.store(0);
  }
}

void ThreadPool::worker_loop(int self) {
  // oneDNN runs sequentially in this thread: the pool is the parallelism.
  omp_set_num_threads(1);
  uint32_t seen = 0;
  for (;;) {
    if (!spin_until([&] { return job_.load(std::memory_order_acquire) != seen; }, spin_)) {
      sleeping_workers_.fetch_add(1);  // seq_cst: pairs with run()'s job_ store
      job_.wait(seen);
      sleeping_workers_.fetch_sub(1);
    }
    if (stop_.load()) return;
    seen = job_.load(std::memory_order_acquire);
    drain(self, seen);
  }
}

}  // namespace eb::rt
