// A plain text table with aligned columns, for terminal output.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace eb::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns listed in `right` are right-aligned (numbers).
  void print(std::ostream& os, const std::vector<bool>& right = {}) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// "12,345,678"
std::string with_commas(long long n);
// Fixed decimals: fixed(3.14159, 2) == "3.14".
std::string fixed(double v, int decimals);

}  // namespace eb::cli
