// The run summary's sensor lines: energy, power and temperature from a run
// record, and the monitor's notes on what was not measured.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bench/record.h"

namespace eb::cli {

// (label, text) pairs, e.g. ("energy", "12.3 mJ/inference (net 4.56 mJ, ...)"),
// in the summary's order; none for what the record does not hold.
std::vector<std::pair<std::string, std::string>> sensor_summary_lines(const bench::RunRecord& record,
                                                                      const std::vector<std::string>& notes);

}  // namespace eb::cli
