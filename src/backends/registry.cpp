#include "backends/registry.h"

#include "backends/null/null_backend.h"
#ifdef EDGEBENCH_HAVE_NATIVE
#include "backends/native/native_backend.h"
#endif
#ifdef EDGEBENCH_HAVE_LIBTORCH
#include "backends/libtorch/libtorch_backend.h"
#endif
#ifdef EDGEBENCH_HAVE_OPENCV
#include "backends/opencv/opencv_backend.h"
#endif
#ifdef EDGEBENCH_HAVE_DARKNET
#include "backends/darknet/darknet_backend.h"
#endif

namespace eb {

const std::vector<BackendEntry>& backend_table() {
  static const std::vector<BackendEntry> table = {
#ifdef EDGEBENCH_HAVE_NATIVE
      {"native", "edgebench's own CPU runtime (oneDNN kernels, reference fallback)", make_native_backend, ""},
#else
      {"native", "edgebench's own CPU runtime", nullptr, "oneDNN (libdnnl-dev) not found at build time"},
#endif
#ifdef EDGEBENCH_HAVE_LIBTORCH
      {"libtorch", "PyTorch C++ (eager ops or frozen TorchScript; --mode eager|script)", make_libtorch_backend, ""},
#else
      {"libtorch", "PyTorch C++", nullptr, "LibTorch (libtorch-dev, TorchConfig.cmake) not found at build time"},
#endif
#ifdef EDGEBENCH_HAVE_OPENCV
      {"opencv", "OpenCV DNN (DNN_BACKEND_OPENCV, CPU) on the graph exported to ONNX", make_opencv_backend, ""},
#else
      {"opencv", "OpenCV DNN on the graph exported to ONNX", nullptr,
       "OpenCV's dnn module (libopencv-dev) or edgebench's ONNX exporter missing at build time"},
#endif
#ifdef EDGEBENCH_HAVE_DARKNET
      {"darknet", "Darknet (Debian's libdarknet, CPU) on the graph exported to .cfg/.weights", make_darknet_backend, ""},
#else
      {"darknet", "Darknet on the graph exported to .cfg/.weights", nullptr,
       "libdarknet and darknet.h (Debian: darknet) or edgebench's Darknet exporter missing at build time"},
#endif
      {"null", "does nothing: measures the harness's own overhead", make_null_backend, ""},
  };
  return table;
}

Result<const BackendEntry*> find_backend(const std::string& id) {
  std::string known;
  for (const BackendEntry& e : backend_table()) {
    if (e.id == id) return &e;
    known += (known.empty() ? "" : ", ") + e.id;
  }
  return invalid_argument("unknown backend '" + id + "'; known backends: " + known);
}

std::vector<std::string> backend_ids(bool built_only) {
  std::vector<std::string> ids;
  for (const BackendEntry& e : backend_table())
    if (!built_only || e.make) ids.push_back(e.id);
  return ids;
}

}  // namespace eb
