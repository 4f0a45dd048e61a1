// The report's charts, built from a ReportData: the same SVG documents are
// inlined in index.html and written beside report.md.
#pragma once

#include <string>
#include <vector>

#include "report/report_data.h"

namespace eb::report {

struct Figure {
  std::string file;     // "time_per_inference.svg"
  std::string title;    // "Time per inference"
  std::string caption;  // what is drawn and how to read it
  std::string svg;      // empty when there are no data ...
  std::string absent;   // ... and then one line saying why

  bool present() const { return !svg.empty(); }
};

struct Figures {
  Figure time;         // the study's Figures 2-4
  Figure speedup;      // Figures 7, 8, 10
  Figure breakdown;    // Figure 5
  Figure energy;       // Figure 11
  Figure power;        // Figure 12
  Figure power_trace;  // power over the measured window (no figure of the study)
  Figure temperature;  // Figure 14

  std::vector<const Figure*> all() const {
    return {&time, &speedup, &breakdown, &energy, &power, &power_trace, &temperature};
  }
};

Figures make_figures(const ReportData& data);

// Colours of the breakdown's categories, fixed so that a category keeps its
// colour across reports.
std::string category_color(const std::string& category, std::size_t fallback_index);
inline constexpr const char* kOverheadCategory = "framework overhead";

}  // namespace eb::report
