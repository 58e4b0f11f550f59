//===- ResourceBlobs.h - freeing weight blobs nobody reads -------*- C++ -*-===//
//
// Compile memory (USERS #10): a pass that repacks or transposes a weight
// writes a new blob; the old one stays in the context (attributes are
// immortal) until it is released. Released as soon as no op refers to it,
// the peak holds one layer's two copies, not the whole model's.
//
// The blobs are the context's: these assume one module per context, as the
// driver and qcc-opt have.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_RESOURCEBLOBS_H
#define QCC_PASSES_RESOURCEBLOBS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringSet.h"

namespace qcc {

/// The resource blobs `op`'s own attributes refer to (the discardable ones
/// and each inherent one; nested regions are not visited).
llvm::SmallVector<mlir::DenseResourceElementsAttr> resourcesOf(mlir::Operation *op);

/// Releases the blob of each of `resources` that no op under `root` refers
/// to any more. For a pass that has just erased the op holding them; does
/// nothing unless `root` is a top-level op (the module), since the blobs
/// are the context's and other functions may read them.
void releaseIfUnreferenced(mlir::Operation *root,
                           llvm::ArrayRef<mlir::DenseResourceElementsAttr> resources);

/// Releases every blob of the context that no op under `root` refers to.
void releaseUnreferencedBlobs(mlir::Operation *root);

/// For a pass that replaces weights one by one: collects the blobs of the
/// ops it erases and releases those no op refers to any more in batches,
/// each one walk of `root` (a walk per weight made a 390-layer pass
/// quadratic), whenever a sixteenth of the context's blob bytes (at least
/// 16 MB) are pending, and at the end: the peak holds at most that much
/// more than one layer's two copies.
class BlobReleaser {
public:
  explicit BlobReleaser(mlir::Operation *root);
  ~BlobReleaser() { flush(); }
  BlobReleaser(const BlobReleaser &) = delete;
  BlobReleaser &operator=(const BlobReleaser &) = delete;

  /// `resources` were held by an op just erased.
  void erased(llvm::ArrayRef<mlir::DenseResourceElementsAttr> resources);
  void flush();

private:
  mlir::Operation *root;
  uint64_t batchBytes = 0, pendingBytes = 0;
  llvm::SmallVector<mlir::DenseResourceElementsAttr> pending;
  llvm::StringSet<> pendingKeys; // one blob may come through several attributes
};

} // namespace qcc

#endif // QCC_PASSES_RESOURCEBLOBS_H
