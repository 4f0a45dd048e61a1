// Shared helpers for the store tests: a fresh directory per test and a
// representative run record.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "bench/record.h"

namespace eb::store::testing {

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("eb_store_" + std::to_string(getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

inline bench::RunRecord sample_record(const std::string& model = "resnet18", const std::string& backend = "native",
                                      int threads = 4) {
  bench::RunRecord r;
  r.model = model;
  r.backend = backend;
  r.threads = threads;
  r.init_ms = 12.5;
  r.load_ms = 2.0;
  r.first_ms = 30.25;
  r.warmup_runs = 3;
  r.runs = 5;
  r.latency_ms = bench::LatencyMs{10.5, 10.25, 11.0, 12.0, 9.75, 12.0, 0.5, std::nullopt, std::nullopt};
  r.cv = 0.047;
  r.stable = true;
  r.harness_overhead_ns = 31;
  r.peak_rss_bytes = 50'000'000;
  r.model_info = {{"params", 11689512}};
  r.energy = bench::Energy{"rapl", 30.0, 10.0, 315.0, 210.0};
  r.env.host = "bench-host";
  r.env.cpu = "Test CPU";
  r.env.cores = 2;
  r.env.cores_available = 2;
  r.env.kernel = "Linux 6.1";
  r.env.compiler = "gcc 12";
  r.env.edgebench_version = "0.1.0";
  r.env.git = "abc1234";
  r.timestamp = "2024-05-01T12:00:00.000Z";
  return r;
}

// A one-value query through a separate raw connection: checks what is on
// disk, not what the store believes.
inline std::string query_text(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  std::string out = "<error>";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(stmt, 0);
    out = text ? reinterpret_cast<const char*>(text) : "NULL";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

}  // namespace eb::store::testing
