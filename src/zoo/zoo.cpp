// The registry: one row per model, in the study's Table I order. Adding a
// model means writing its builder in its family's file, declaring it in
// families.h and adding a row here; nothing registers itself.
#include "zoo/zoo.h"

#include <string>

#include "zoo/families.h"

namespace eb::zoo {

const std::vector<ModelEntry>& models() {
  // study: {input, FLOP (giga), params (M), FLOP/Param} exactly as Table I prints them.
  static const std::vector<ModelEntry> table = {
      {"resnet18", "resnet", "ResNet-18, basic blocks (torchvision)", Shape{1, 3, 224, 224},
       {"224x224", 1.83, 11.69, 156.54}, build_resnet18},
      {"resnet50", "resnet", "ResNet-50, bottleneck blocks, stride on the 3x3 (torchvision v1.5)", Shape{1, 3, 224, 224},
       {"224x224", 4.14, 25.56, 161.97}, build_resnet50},
      {"resnet101", "resnet", "ResNet-101, bottleneck blocks 3-4-23-3 (torchvision v1.5)", Shape{1, 3, 224, 224},
       {"224x224", 7.87, 44.55, 176.66}, build_resnet101},
      {"xception", "xception", "Xception: entry, 8 middle blocks, exit flow (Keras)", Shape{1, 3, 224, 224},
       {"224x224", 4.65, 22.91, 202.97}, build_xception},
      {"mobilenet_v2", "mobilenet", "MobileNet-v2, width 1.0, ReLU6 (torchvision)", Shape{1, 3, 224, 224},
       {"224x224", 0.32, 3.53, 90.65}, build_mobilenet_v2},
      {"inception_v4", "inception", "Inception-v4: stem, 4xA, red-A, 7xB, red-B, 3xC, no aux head", Shape{1, 3, 224, 224},
       {"224x224", 12.27, 42.71, 287.29}, build_inception_v4},
      {"alexnet", "alexnet", "AlexNet, the study's variant: same convs, LRN after each, 2x2 pools, softmax",
       Shape{1, 3, 224, 224}, {"224x224", 0.72, 102.14, 7.05}, build_alexnet},
      {"vgg16", "vgg", "VGG-16, config D (torchvision, no BN)", Shape{1, 3, 224, 224},
       {"224x224", 15.47, 138.36, 111.81}, build_vgg16},
      {"vgg19", "vgg", "VGG-19, config E (torchvision, no BN)", Shape{1, 3, 224, 224},
       {"224x224", 19.63, 143.66, 136.64}, build_vgg19},
      {"vgg_s_32", "vgg", "VGG-CNN-S adapted to 32x32: same layers, 16x downsampling, 10 classes", Shape{1, 3, 32, 32},
       {"32x32", 0.11, 32.11, 3.42}, build_vgg_s_32},
      {"vgg_s_224", "vgg", "VGG-CNN-S (Chatfield 2014), Caffe ceil-mode pools", Shape{1, 3, 224, 224},
       {"224x224", 3.27, 102.91, 31.77}, build_vgg_s_224},
      {"cifarnet", "cifarnet", "CifarNet, the study's: 2x (conv5x5, BN, ReLU, pool), FC 384-192-10", Shape{1, 3, 32, 32},
       {"32x32", 0.01, 0.79, 12.65}, build_cifarnet},
      {"ssd_mobilenet_v1", "ssd", "SSDLite on MobileNet-v1, 6 maps, 1917 anchors, 91 classes, raw heads (no NMS)",
       Shape{1, 3, 300, 300}, {"300x300", 0.98, 4.23, 236.07}, build_ssd_mobilenet_v1},
      {"yolov3", "yolo", "YOLOv3 as Darknet's yolov3.cfg (80 classes); outputs the three 255-channel heads",
       Shape{1, 3, 224, 224}, {"224x224", 38.97, 62.00, 628.54}, build_yolov3},
      {"tiny_yolo", "yolo", "YOLOv2-tiny VOC as Darknet's yolov2-tiny-voc.cfg; outputs the 125-channel map",
       Shape{1, 3, 224, 224}, {"224x224", 5.56, 15.87, 350.35}, build_tiny_yolo},
      {"c3d", "c3d", "C3D: 8 conv3d 3x3x3, 5 max pools, FC 4096-4096-487; 16 frames", Shape{1, 3, 16, 112, 112},
       {"12x112x112", 57.99, 89.00, 734.05}, build_c3d},
  };
  return table;
}

const ModelEntry* find(std::string_view id) {
  for (const ModelEntry& m : models())
    if (m.id == id) return &m;
  return nullptr;
}

Result<Graph> build(std::string_view id, const BuildOptions& options) {
  const ModelEntry* entry = find(id);
  if (entry == nullptr) {
    std::string known;
    for (const ModelEntry& m : models()) {
      if (!known.empty()) known += ' ';
      known += m.id;
    }
    return invalid_argument("unknown model '" + std::string(id) + "'; known models: " + known);
  }
  if (options.input_size < 0)
    return invalid_argument("model '" + std::string(id) + "': input_size must be positive (or 0 for the default), got " +
                            std::to_string(options.input_size));
  Result<Graph> graph = entry->build(options);
  if (!graph.is_ok()) {
    return graph.status().with_context("model '" + std::string(id) + "' at input size " +
                                       std::to_string(options.input_size ? options.input_size : entry->input.dims().back()));
  }
  return graph;
}

}  // namespace eb::zoo
