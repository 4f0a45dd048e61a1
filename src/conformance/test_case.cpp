#include "conformance/test_case.h"

#include <algorithm>
#include <regex>

namespace eb::conformance {
namespace fs = std::filesystem;

bool is_case_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "model.onnx", ec);
}

namespace {

// Cases under `root` (itself not a case); directory symlinks are not
// followed, so that a link cycle cannot loop.
std::vector<TestCase> cases_under(const fs::path& root) {
  std::vector<TestCase> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec) || !is_case_dir(it->path())) continue;
    found.push_back({it->path().lexically_relative(root).generic_string(), it->path()});
    it.disable_recursion_pending();
  }
  std::sort(found.begin(), found.end(), [](const TestCase& a, const TestCase& b) { return a.name < b.name; });
  return found;
}

}  // namespace

Result<std::vector<TestCase>> find_cases(const std::vector<std::string>& paths) {
  std::vector<TestCase> cases;
  for (const std::string& p : paths) {
    const fs::path path(p);
    std::error_code ec;
    if (!fs::exists(path, ec)) return not_found("no such file or directory '" + p + "'");
    if (is_case_dir(path)) {
      cases.push_back({path.lexically_normal().filename().string(), path});
      if (cases.back().name.empty()) cases.back().name = path.lexically_normal().parent_path().filename().string();
      continue;
    }
    if (!fs::is_directory(path, ec)) return invalid_argument("'" + p + "' is not a directory of ONNX test cases");
    std::vector<TestCase> under = cases_under(path);
    if (under.empty()) return invalid_argument("no ONNX test case (a directory with model.onnx) under '" + p + "'");
    cases.insert(cases.end(), std::make_move_iterator(under.begin()), std::make_move_iterator(under.end()));
  }
  return cases;
}

Result<std::vector<TestCase>> filter_cases(std::vector<TestCase> cases, const std::string& regex) {
  std::regex re;
  try {
    re = std::regex(regex, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return invalid_argument("malformed regular expression '" + regex + "': " + e.what());
  }
  std::erase_if(cases, [&](const TestCase& c) { return !std::regex_search(c.name, re); });
  return cases;
}

namespace {

// The N of "<prefix>N<suffix>", or -1 when the name is not of that form.
long number_in(const std::string& name, const std::string& prefix, const std::string& suffix) {
  if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return -1;
  const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return -1;
  return std::stol(digits);
}

}  // namespace

std::vector<fs::path> data_sets(const fs::path& case_dir) {
  std::vector<std::pair<long, fs::path>> numbered;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(case_dir, ec)) {
    const long n = number_in(e.path().filename().string(), "test_data_set_", "");
    if (n >= 0 && e.is_directory(ec)) numbered.emplace_back(n, e.path());
  }
  std::sort(numbered.begin(), numbered.end());
  std::vector<fs::path> out;
  for (auto& [n, p] : numbered) out.push_back(std::move(p));
  return out;
}

std::vector<fs::path> numbered_files(const fs::path& data_set, const std::string& prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (int k = 0;; ++k) {
    fs::path p = data_set / (prefix + std::to_string(k) + ".pb");
    if (!fs::is_regular_file(p, ec)) break;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace eb::conformance
