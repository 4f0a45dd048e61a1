// A power log recorded by any meter, as CSV lines "time_s,watts".
//
// An optional header line is allowed before the data; blank lines and lines
// starting with '#' are skipped; further columns are ignored. time_s is either
// UNIX time (values above 1e9, as most logging tools write) and is then mapped
// onto the steady clock, or already steady-clock seconds (what edgebench itself
// exports). Id: "csv:<path>".
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sensors/source.h"

namespace eb::sensors {

struct TimedWatts {
  double time_s = 0.0;
  double watts = 0.0;
};

// Parses the text; `name` (the file) prefixes errors, which name the line:
// "log.csv:7: bad number 'x1.2' in column watts".
Result<std::vector<TimedWatts>> parse_power_csv(std::string_view text, std::string_view name);

// Maps logged times onto the steady clock. system_minus_steady_ns is the
// offset between the two clocks (measured when the log is read).
std::vector<Sample> to_steady_samples(const std::vector<TimedWatts>& rows,
                                      std::int64_t system_minus_steady_ns);

// A log Source: not polled; read_log() parses the file once the window is over.
Result<std::unique_ptr<Source>> open_csv_meter(std::string_view id);
SourceInfo probe_csv_meter(std::string_view id);

}  // namespace eb::sensors
