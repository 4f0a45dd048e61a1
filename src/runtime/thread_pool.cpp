#include "runtime/thread_pool.h"

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

// How long a thread spins before sleeping: long enough to bridge the gap
// between two kernels, short enough not to steal a busy machine's cores.
constexpr auto kSpin = std::chrono::microseconds(50);

// Spins until done() or kSpin elapses; true if done.
template <typename Done>
bool spin_until(Done done) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 32; ++i) {
      if (done()) return true;
      EB_CPU_RELAX();
    }
    if (std::chrono::steady_clock::now() - start > kSpin) return done();
  }
}

constexpr uint64_t kTaskMask = 0xffffffffull;

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  job_.fetch_add(1);
  job_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::drain(uint64_t state) {
  const uint32_t job = static_cast<uint32_t>(state >> 32);
  for (;;) {
    // Read the job before claiming a task; a successful claim proves they
    // belong to the same job (the next job starts only once all are done).
    const int tasks = tasks_.load(std::memory_order_relaxed);
    const TaskFn fn = fn_.load(std::memory_order_relaxed);
    void* const context = context_.load(std::memory_order_relaxed);
    if (static_cast<uint32_t>(state >> 32) != job || static_cast<int>(state & kTaskMask) >= tasks) return;
    if (!state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    fn(context, static_cast<int>(state & kTaskMask));
    // seq_cst: pairs with the caller's caller_sleeping_ store.
    if (pending_.fetch_sub(1) == 1 && caller_sleeping_.load()) pending_.notify_one();
    state = state_.load(std::memory_order_acquire);
  }
}

void ThreadPool::run(int tasks, TaskFn fn, void* context) {
  if (tasks <= 0) return;
  if (workers_.empty() || tasks == 1) {
    for (int t = 0; t < tasks; ++t) fn(context, t);
    return;
  }
  tasks_.store(tasks, std::memory_order_relaxed);
  fn_.store(fn, std::memory_order_relaxed);
  context_.store(context, std::memory_order_relaxed);
  pending_.store(tasks, std::memory_order_relaxed);
  const uint32_t job = job_.load(std::memory_order_relaxed) + 1;
  const uint64_t state = static_cast<uint64_t>(job) << 32;
  state_.store(state, std::memory_order_release);
  job_.store(job);  // seq_cst: pairs with the workers' sleeping_workers_ increment
  if (sleeping_workers_.load() > 0) job_.notify_all();

  drain(state);

  // Wait for parts other threads took.
  if (!spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; })) {
    caller_sleeping_.store(1);
    for (int left = pending_.load(); left != 0; left = pending_.load()) pending_.wait(left);
    caller_sleeping_.store(0);
  }
}

void ThreadPool::worker_loop() {
  // oneDNN runs sequentially in this thread: the pool is the parallelism.
  omp_set_num_threads(1);
  uint32_t seen = 0;
  for (;;) {
    if (!spin_until([&] { return job_.load(std::memory_order_acquire) != seen; })) {
      sleeping_workers_.fetch_add(1);  // seq_cst: pairs with run()'s job_ store
      job_.wait(seen);
      sleeping_workers_.fetch_sub(1);
    }
    if (stop_.load()) return;
    seen = job_.load(std::memory_order_acquire);
    drain(state_.load(std::memory_order_acquire));
  }
}

}  // namespace eb::rt
