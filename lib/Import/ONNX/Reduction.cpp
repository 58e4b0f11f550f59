//===- Reduction.cpp - ONNX ops (being written) -----------------------------===//

#include "NodeImporter.h"

void qcc::onnx_import::addReductionOps(std::vector<OpSupport> &ops) {}
