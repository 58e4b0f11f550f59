//===- MatMul.cpp - ONNX ops (being written) -----------------------------===//

#include "NodeImporter.h"

void qcc::onnx_import::addMatMulOps(std::vector<OpSupport> &ops) {}
