//===- ResourceBlobs.cpp - freeing weight blobs nobody reads -------------===//

#include "qcc/Passes/ResourceBlobs.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

/// Calls `fn` on each resource attribute `op`'s attributes hold: the
/// discardable ones and each inherent one (properties), not through
/// getAttrDictionary(), which would intern a new dictionary per op.
template <typename Fn> static void visitResources(Operation *op, Fn fn) {
  auto visit = [&](Attribute attr) {
    if (attr)
      attr.walk([&](DenseResourceElementsAttr resource) { fn(resource); });
  };
  visit(op->getRawDictionaryAttrs());
  if (std::optional<RegisteredOperationName> info = op->getRegisteredInfo())
    for (StringAttr name : info->getAttributeNames())
      if (std::optional<Attribute> inherent = op->getInherentAttr(name.getValue()))
        visit(*inherent);
}

SmallVector<DenseResourceElementsAttr> qcc::resourcesOf(Operation *op) {
  SmallVector<DenseResourceElementsAttr> resources;
  visitResources(op, [&](DenseResourceElementsAttr r) { resources.push_back(r); });
  return resources;
}

/// A released entry keeps an empty blob.
static bool holdsData(const AsmResourceBlob *blob) {
  return blob && !blob->getData().empty();
}

static void release(DenseResourceElementsAttr resource) {
  if (auto *entry = resource.getRawHandle().getResource())
    entry->setBlob(AsmResourceBlob());
}

void qcc::releaseIfUnreferenced(Operation *root,
                                ArrayRef<DenseResourceElementsAttr> resources) {
  // The blobs are the context's: from a function-level pipeline another
  // function may read them, and functions run on threads.
  if (root->getParentOp())
    return;
  llvm::StringSet<> pending;
  for (DenseResourceElementsAttr resource : resources)
    if (holdsData(resource.getRawHandle().getBlob()))
      pending.insert(resource.getRawHandle().getKey());
  if (pending.empty())
    return;
  // One walk for all of them (the ops' attributes, not their data),
  // stopped once each is found.
  root->walk([&](Operation *op) {
    visitResources(op, [&](DenseResourceElementsAttr r) {
      pending.erase(r.getRawHandle().getKey());
    });
    return pending.empty() ? WalkResult::interrupt() : WalkResult::advance();
  });
  for (DenseResourceElementsAttr resource : resources)
    if (pending.contains(resource.getRawHandle().getKey()))
      release(resource);
}

void qcc::releaseUnreferencedBlobs(Operation *root) {
  llvm::StringSet<> used;
  root->walk([&](Operation *op) {
    visitResources(op, [&](DenseResourceElementsAttr r) {
      used.insert(r.getRawHandle().getKey());
    });
  });
  auto &manager = DenseResourceElementsHandle::getManagerInterface(root->getContext());
  SmallVector<std::string> unused;
  using BlobMap = llvm::StringMap<DialectResourceBlobManager::BlobEntry>;
  manager.getBlobManager().getBlobMap([&](const BlobMap &blobs) {
    for (const auto &entry : blobs)
      if (holdsData(entry.getValue().getBlob()) && !used.contains(entry.getKey()))
        unused.push_back(entry.getKey().str());
  });
  for (const std::string &name : unused)
    manager.getBlobManager().update(name, AsmResourceBlob());
}

qcc::BlobReleaser::BlobReleaser(Operation *root) : root(root) {
  if (root->getParentOp())
    return; // releaseIfUnreferenced does nothing there
  uint64_t total = 0;
  auto &manager = DenseResourceElementsHandle::getManagerInterface(root->getContext());
  using BlobMap = llvm::StringMap<DialectResourceBlobManager::BlobEntry>;
  manager.getBlobManager().getBlobMap([&](const BlobMap &blobs) {
    for (const auto &entry : blobs)
      if (const AsmResourceBlob *blob = entry.getValue().getBlob())
        total += blob->getData().size();
  });
  batchBytes = std::max<uint64_t>(uint64_t(16) << 20, total / 16);
}

void qcc::BlobReleaser::erased(ArrayRef<DenseResourceElementsAttr> resources) {
  for (DenseResourceElementsAttr resource : resources)
    if (const AsmResourceBlob *blob = resource.getRawHandle().getBlob();
        holdsData(blob) && pendingKeys.insert(resource.getRawHandle().getKey()).second) {
      pending.push_back(resource);
      pendingBytes += blob->getData().size();
    }
  if (pendingBytes >= batchBytes)
    flush();
}

void qcc::BlobReleaser::flush() {
  releaseIfUnreferenced(root, pending);
  pending.clear();
  pendingKeys.clear();
  pendingBytes = 0;
}
