// ONNX backend-test cases on disk: a directory holding model.onnx and
// test_data_set_N/{input,output}_K.pb (ONNX's own layout, shipped by Debian's
// libonnx-testdata). Finding them under user-given paths and listing their
// data sets and tensor files in numeric order.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace eb::conformance {

struct TestCase {
  std::string name;            // relative to the path it was found under ("node/test_relu"), or the dir's own name
  std::filesystem::path dir;   // holds model.onnx
};

// Whether `dir` is a case (has a model.onnx).
bool is_case_dir(const std::filesystem::path& dir);

// The cases at or under each path, recursively (a case dir is not searched
// further), each path's cases sorted by name. not_found for a path that does
// not exist, invalid_argument for one that holds no case.
Result<std::vector<TestCase>> find_cases(const std::vector<std::string>& paths);

// The cases whose name matches `regex` anywhere (ECMAScript syntax);
// invalid_argument for a malformed expression.
Result<std::vector<TestCase>> filter_cases(std::vector<TestCase> cases, const std::string& regex);

// test_data_set_0, test_data_set_1, ... test_data_set_10 (numeric order).
std::vector<std::filesystem::path> data_sets(const std::filesystem::path& case_dir);

// <prefix>0.pb, <prefix>1.pb, ... in a data set, up to the first number missing.
std::vector<std::filesystem::path> numbered_files(const std::filesystem::path& data_set, const std::string& prefix);

}  // namespace eb::conformance
