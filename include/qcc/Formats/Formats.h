//===- Formats.h - Umbrella header of qcc's numeric formats -----*- C++ -*-===//
//
// Plain C++17 with no MLIR/LLVM dependency: shared by the compiler and the
// runtime. See docs/formats.md.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_FORMATS_FORMATS_H
#define QCC_FORMATS_FORMATS_H

#include "qcc/Formats/BitPacking.h"
#include "qcc/Formats/BlockScaling.h"
#include "qcc/Formats/Codebook.h"
#include "qcc/Formats/FormatKind.h"
#include "qcc/Formats/Integer.h"
#include "qcc/Formats/Microscaling.h"
#include "qcc/Formats/MiniFloat.h"
#include "qcc/Formats/Ternary.h"

#endif // QCC_FORMATS_FORMATS_H
