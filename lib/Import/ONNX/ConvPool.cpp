//===- ConvPool.cpp - ONNX ops (being written) -----------------------------===//

#include "NodeImporter.h"

void qcc::onnx_import::addConvPoolOps(std::vector<OpSupport> &ops) {}
