//===- Registration.cpp - register qcc's passes and pipelines ---------===//

#include "qcc/Passes/Passes.h"

namespace qcc {
namespace {
#define GEN_PASS_REGISTRATION
#include "qcc/Passes/Passes.h.inc"
} // namespace

void registerPasses() { registerQCCPasses(); }
} // namespace qcc
