#include "report/report.h"

#include <fstream>
#include <system_error>

#include "report/figures.h"
#include "report/pages.h"

namespace eb::report {
namespace {

Status write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return io_error("cannot write " + path.string());
  return Status::ok();
}

}  // namespace

Status write_report(const ReportData& data, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("cannot create directory " + dir.string() + ": " + ec.message());
  const Figures figures = make_figures(data);
  for (const Figure* f : figures.all()) {
    const auto path = dir / f->file;
    if (f->present()) {
      EB_RETURN_IF_ERROR(write_file(path, f->svg));
    } else {
      std::filesystem::remove(path, ec);
      if (ec) return io_error("cannot remove stale chart " + path.string() + ": " + ec.message());
    }
  }
  EB_RETURN_IF_ERROR(write_file(dir / "report.md", render_markdown(data, figures)));
  return write_file(dir / "index.html", render_html(data, figures));
}

}  // namespace eb::report
