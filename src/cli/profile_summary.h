// The run summary's latency breakdown (edgebench run --profile): the
// record's "profile" as a table of op categories and framework overhead, in
// ms and % of the profiled wall time, or the reason there is none.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace eb::cli {

// Prints nothing for a null profile (the run was not profiled).
void print_profile_summary(std::ostream& os, const nlohmann::json& profile);

}  // namespace eb::cli
