// libFuzzer target: arbitrary bytes as a Darknet .cfg. The importer must
// return a Status (never crash, hang or allocate without bound), and any
// graph it builds that the exporter accepts must import again from the
// exported .cfg/.weights: a failure there is a bug, so it aborts.
//
// Seeds: /usr/share/darknet/cfg/*.cfg (copied into a corpus folder).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "formats/darknet/darknet.h"

namespace {

eb::darknet_format::DarknetOptions fuzz_options() {
  eb::darknet_format::DarknetOptions o;
  o.zero_weights = true;  // drawing seeded normals would dominate every run
  o.max_tensor_elements = int64_t{1} << 20;
  o.max_total_weights = int64_t{1} << 22;
  return o;
}

[[noreturn]] void bug(const char* what, const eb::Status& st) {
  std::fprintf(stderr, "%s: %s\n", what, st.message().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eb::darknet_format;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const DarknetOptions options = fuzz_options();
  auto graph = import_darknet_cfg_text(text, options);
  if (!graph.is_ok()) return 0;

  auto exported = export_darknet_model(*graph);
  if (!exported.is_ok()) {
    if (exported.status().code() != eb::ErrorCode::unsupported) bug("export failed", exported.status());
    return 0;
  }
  auto cfg = parse_cfg(exported->cfg);
  if (!cfg.is_ok()) bug("exported cfg does not parse", cfg.status());
  auto weights = WeightsReader::open(exported->weights, "exported");
  if (!weights.is_ok()) bug("exported weights do not open", weights.status());
  auto again = import_darknet(*cfg, &*weights, options);
  if (!again.is_ok()) bug("exported model does not import", again.status());
  return 0;
}
