//===- ShapeOps.cpp - ONNX ops (being written) -----------------------------===//

#include "NodeImporter.h"

void qcc::onnx_import::addShapeOps(std::vector<OpSupport> &ops) {}
