// A fresh directory for each test of the bench tests, named after the test
// (and the process, as ctest runs tests in parallel), removed afterwards:
// fixture trees of /proc and /sys, children's output, sweep databases.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace eb::bench {

class ScratchDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("eb_bench_" + std::string(test->test_suite_name()) + "_" + std::to_string(getpid()) + "_" + test->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes dir/relative, creating its directories.
  void write(const std::string& relative, const std::string& text) const {
    std::filesystem::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative) << text;
  }

  std::filesystem::path dir_;
};

}  // namespace eb::bench
