// The opencv backend: OpenCV's DNN module (cv::dnn, DNN_BACKEND_OPENCV on
// DNN_TARGET_CPU) running the graph, exported to ONNX in memory.
//
//   prepare: export ONNX (opset 13; opset 10 for graphs with Clip, which
//            OpenCV 4.6 reads only in its attribute form), readNetFromONNX
//            from the buffer, set threads, one forward() on zeros (OpenCV
//            builds and allocates its layers lazily, on the first forward:
//            that work is init, and a model OpenCV cannot run fails here)
//   set_input: copies into OpenCV's input blob (setInput)
//   invoke: forward() of every graph output, by name
//   profile: OpenCV's own per-layer timings (Net::getPerfProfile)
//
// A model OpenCV refuses (its importer or a layer throws) is `unsupported`
// with OpenCV's own message. docs/backends.md ("OpenCV DNN") has the details.
#pragma once

#include <memory>

#include "backends/backend.h"

namespace eb {

std::unique_ptr<Backend> make_opencv_backend();

}  // namespace eb
