// The engine's thread pool: every task of every job runs exactly once, on
// any number of threads, job after job (the pattern of an invoke).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "runtime/thread_pool.h"

namespace eb::rt {
namespace {

TEST(ThreadPool, RunsEachTaskOnce) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (int tasks : {0, 1, 2, 7, 64}) {
      std::vector<std::atomic<int>> hits(static_cast<std::size_t>(tasks));
      auto fn = [&](int t) { hits[static_cast<std::size_t>(t)].fetch_add(1); };
      pool.run(tasks, fn);
      for (int t = 0; t < tasks; ++t) EXPECT_EQ(hits[static_cast<std::size_t>(t)].load(), 1) << threads << " threads, task " << t;
    }
  }
}

TEST(ThreadPool, ManyJobsBackToBack) {
  // Spin 0: every wait sleeps on the futex at once, so the wake-ups race
  // with the next job's start on every job.
  for (auto spin : {ThreadPool::kDefaultSpin, std::chrono::microseconds(0)}) {
    ThreadPool pool(3, spin);
    std::atomic<long> sum{0};
    for (int job = 0; job < 20000; ++job) {
      auto fn = [&](int t) { sum.fetch_add(t + 1); };
      pool.run(4, fn);
    }
    EXPECT_EQ(sum.load(), 20000L * 10) << "spin " << spin.count() << " us";
  }
}

TEST(ThreadPool, WorkersThatSleptWakeUp) {
  ThreadPool pool(2);
  std::atomic<int> count{0};
  for (int job = 0; job < 3; ++job) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // longer than the spin: workers sleep
    auto fn = [&](int) { count.fetch_add(1); };
    pool.run(8, fn);
  }
  EXPECT_EQ(count.load(), 24);
}

TEST(ThreadPool, UnevenTasksAllFinishBeforeRunReturns) {
  // Spin 0 and 50 us: the caller sleeps while a slow part finishes.
  for (auto spin : {ThreadPool::kDefaultSpin, std::chrono::microseconds(0), std::chrono::microseconds(50)}) {
    ThreadPool pool(2, spin);
    std::vector<int> out(16, 0);
    auto fn = [&](int t) {
      if (t % 5 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
      out[static_cast<std::size_t>(t)] = t * t;
    };
    pool.run(16, fn);
    for (int t = 0; t < 16; ++t) EXPECT_EQ(out[static_cast<std::size_t>(t)], t * t) << "spin " << spin.count() << " us";
  }
}

}  // namespace
}  // namespace eb::rt
