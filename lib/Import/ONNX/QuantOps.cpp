//===- QuantOps.cpp - ONNX ops (being written) -----------------------------===//

#include "NodeImporter.h"

void qcc::onnx_import::addQuantOps(std::vector<OpSupport> &ops) {}
