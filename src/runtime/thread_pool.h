// The engine's own threads. oneDNN's Debian build threads with OpenMP,
// whose static work split and spinning barriers stall whenever one thread
// is descheduled (a busy machine, a shared core): every kernel then waits
// for the slowest thread. The engine instead runs oneDNN sequentially in
// each thread (one OpenMP thread per caller) and splits each kernel itself
// into independent parts (row bands, output-channel chunks) that the
// calling thread and the pool's workers take one by one from a shared
// counter: a late or descheduled worker just takes fewer parts.
//
// Waiting: workers spin for a short while (between kernels of one invoke
// they are needed again within microseconds), then sleep on a futex; the
// caller does the same while the last parts finish.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace eb::rt {

class ThreadPool {
 public:
  using TaskFn = void (*)(void* context, int task);

  // `threads` counts the calling thread: threads - 1 workers are started.
  explicit ThreadPool(int threads);
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
  void worker_loop();
  // Takes and runs tasks of the current job while any are left.
  void drain(uint64_t state);

  std::vector<std::thread> workers_;
  // (job number << 32) | next task: taking a task is one CAS that fails if
  // the job changed, so a worker never runs a task of a finished job.
  std::atomic<uint64_t> state_{0};
  std::atomic<uint32_t> job_{0};        // job number again, 32-bit for futex waits
  std::atomic<int> tasks_{0};
  std::atomic<TaskFn> fn_{nullptr};
  std::atomic<void*> context_{nullptr};
  std::atomic<int> pending_{0};         // tasks of the current job not yet finished
  std::atomic<int> sleeping_workers_{0};
  std::atomic<int> caller_sleeping_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace eb::rt
