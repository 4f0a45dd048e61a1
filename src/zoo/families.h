// Internal to the zoo: one builder per model, defined in its family's file,
// and the few helpers that several families share. zoo.cpp lists the
// builders in the registry table.
#pragma once

#include <cstdint>

#include "graph/builder.h"
#include "zoo/zoo.h"

namespace eb::zoo {

// resnet.cpp
Result<Graph> build_resnet18(const BuildOptions& options);
Result<Graph> build_resnet50(const BuildOptions& options);
Result<Graph> build_resnet101(const BuildOptions& options);
// xception.cpp
Result<Graph> build_xception(const BuildOptions& options);
// mobilenet.cpp
Result<Graph> build_mobilenet_v2(const BuildOptions& options);
// inception.cpp
Result<Graph> build_inception_v4(const BuildOptions& options);
// alexnet.cpp
Result<Graph> build_alexnet(const BuildOptions& options);
// vgg.cpp
Result<Graph> build_vgg16(const BuildOptions& options);
Result<Graph> build_vgg19(const BuildOptions& options);
Result<Graph> build_vgg_s_32(const BuildOptions& options);
Result<Graph> build_vgg_s_224(const BuildOptions& options);
// cifarnet.cpp
Result<Graph> build_cifarnet(const BuildOptions& options);
// ssd.cpp
Result<Graph> build_ssd_mobilenet_v1(const BuildOptions& options);
// yolo.cpp
Result<Graph> build_yolov3(const BuildOptions& options);
Result<Graph> build_tiny_yolo(const BuildOptions& options);
// c3d.cpp
Result<Graph> build_c3d(const BuildOptions& options);

// The MobileNet-v1 feature extractor (Howard 2017, width 1.0, ReLU6, BN with
// TF's epsilon), defined in mobilenet.cpp and shared with SSD. Returns the
// outputs of the 11th and 13th pointwise convolutions (512 channels at
// stride 16, 1024 channels at stride 32), the maps SSD predicts from.
struct MobileNetV1Features {
  ValueId conv11;
  ValueId conv13;
};
MobileNetV1Features mobilenet_v1_features(GraphBuilder& b, ValueId x);

// H = W of the input: the caller's override or the model's default.
inline int64_t input_side(const BuildOptions& options, int64_t default_side) {
  return options.input_size > 0 ? options.input_size : default_side;
}

}  // namespace eb::zoo
