// The engine's own threads. oneDNN's Debian build threads with OpenMP,
// whose static work split and spinning barriers stall whenever one thread
// is descheduled (a busy machine, a shared core): every kernel then waits
// for the slowest thread. The engine instead runs oneDNN sequentially in
// each thread (one OpenMP thread per caller) and splits each kernel itself
// into independent parts (row bands, output-channel chunks).
//
// Parts are handed out with locality and balance: each thread owns a
// contiguous range of the parts (thread t the t-th share, so the same
// thread computes the same rows layer after layer and finds them in its
// own cache) and takes them in order; a thread done with its range takes
// what is left of the others', so a late or descheduled thread just does
// less.
//
// Waiting: workers spin for a while (between kernels of one invoke they
// are needed again within microseconds), then sleep on a futex; the caller
// does the same while the last parts finish. A sleeping thread costs a
// futex wake to the thread that needs it, and on a virtual machine an idle
// vCPU halts: waking it takes the hypervisor tens of microseconds or more.
// So the spin has to outlast the usual gap, which is how much later the
// slower thread finishes one kernel than the faster (docs/runtime.md).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace eb::rt {

class ThreadPool {
 public:
  using TaskFn = void (*)(void* context, int task);

  // How long a waiting thread spins before it sleeps, unless told otherwise:
  // on a 2-vCPU VM 50 us let a thread fall asleep (and need waking) in
  // around 40% of ResNet-101's kernels, 1 ms in under 1%.
  static constexpr std::chrono::microseconds kDefaultSpin{1000};
  // Where threads outnumber cores, a spinning thread holds a core that a
  // thread with work may need: spin only briefly.
  static constexpr std::chrono::microseconds kOversubscribedSpin{50};

  // `threads` counts the calling thread: threads - 1 workers are started.
  // `spin`: how long a thread waiting for work (or, the caller, for the
  // other threads' parts) spins before it sleeps; zero sleeps at once.
  // Unset: kDefaultSpin, or kOversubscribedSpin with more threads than cores.
  explicit ThreadPool(int threads, std::optional<std::chrono::microseconds> spin = std::nullopt);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs fn(context, t) for every t in [0, tasks) on the calling thread and
  // the workers; returns once all have finished. One caller at a time.
  void run(int tasks, TaskFn fn, void* context);

  template <typename F>
  void run(int tasks, F& f) {
    run(tasks, [](void* c, int t) { (*static_cast<F*>(c))(t); }, &f);
  }

 private:
  // One thread's share of the current job's tasks, in one word so that a
  // claim is a single CAS that fails once the job has changed:
  // job (24 bits) | next task (20 bits) | end (20 bits).
  struct alignas(64) Range {
    std::atomic<uint64_t> state{0};
  };

  void worker_loop(int self);
  // Runs tasks of job `job`: this thread's range first, then the others'.
  void drain(int self, uint32_t job);

  const std::chrono::microseconds spin_;
  std::vector<std::thread> workers_;
  std::unique_ptr<Range[]> ranges_;
  std::atomic<uint32_t> job_{0};  // the current job's number (24 bits used), also the futex word
  std::atomic<TaskFn> fn_{nullptr};
  std::atomic<void*> context_{nullptr};
  std::atomic<int> pending_{0};   // tasks of the current job not yet finished
  std::atomic<int> sleeping_workers_{0};
  std::atomic<int> caller_sleeping_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace eb::rt
