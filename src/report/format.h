// Text shared by the pages, tables and charts: status symbols, numbers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bench/record.h"

namespace eb::report {

// Between the parts of a label: "libtorch · cuda", "resnet18 · libtorch".
inline constexpr const char* kSeparator = " \xC2\xB7 ";

// The compatibility matrix's symbols: ✓ ok, ✗ failed, ⊘ unsupported,
// OOM out_of_memory, ☠ crashed, ⌛ timeout, — not_built.
const char* status_symbol(bench::RunStatus status);

// Three significant digits, no exponent: "0.0123", "1.23", "12.3", "123", "1235".
std::string format_sig(double value);
std::string format_fixed(double value, int decimals);
// "+1.25%", "-0.40%", "0.00%"
std::string format_signed_pct(double value);

// An op category as people read it: "fully_connected" -> "fully connected".
std::string category_label(std::string_view category);

}  // namespace eb::report
