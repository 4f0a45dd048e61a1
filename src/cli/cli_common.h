// Helpers shared by the subcommands: exit codes, errors, output formats.
#pragma once

#include <iostream>
#include <string>

#include "common/status.h"

namespace eb::cli {

// DESIGN.md: 0 success; 1 a check failed; 2 bad usage or bad input.
enum ExitCode { kExitOk = 0, kExitCheckFailed = 1, kExitUsage = 2 };

inline int exit_code_for(const Status& st) {
  if (st.is_ok()) return kExitOk;
  switch (st.code()) {
    case ErrorCode::invalid_argument:
    case ErrorCode::not_found:
      return kExitUsage;
    default:
      return kExitCheckFailed;
  }
}

// Prints "edgebench: <message>" on stderr and returns the exit code.
inline int report_error(const Status& st) {
  std::cerr << "edgebench: " << st.message() << "\n";
  return exit_code_for(st);
}

}  // namespace eb::cli
