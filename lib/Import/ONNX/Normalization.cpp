//===- Normalization.cpp - ONNX ops (being written) -----------------------------===//

#include "NodeImporter.h"

void qcc::onnx_import::addNormalizationOps(std::vector<OpSupport> &ops) {}
