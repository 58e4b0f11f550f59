//===- Linker.cpp - objects into a shared library ----------------------===//

#include "Linker.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace qcc::driver;

static std::string findLinker() {
  for (const char *name : {"ld.lld-22", "ld.lld"})
    if (auto path = llvm::sys::findProgramByName(name))
      return *path;
  if (llvm::sys::fs::can_execute("/usr/lib/llvm-22/bin/ld.lld"))
    return "/usr/lib/llvm-22/bin/ld.lld";
  return "";
}

mlir::LogicalResult qcc::driver::linkSharedLibrary(llvm::StringRef objectPath,
                                                   llvm::StringRef outputPath,
                                                   const llvm::Triple &triple,
                                                   bool forHost,
                                                   llvm::raw_ostream &errs,
                                                   llvm::StringRef weightsObject) {
  std::string linker = findLinker();
  if (linker.empty()) {
    errs << "qcc: no linker found: install lld-22 (apt-get install lld-22)\n";
    return mlir::failure();
  }
  std::string soname = llvm::sys::path::filename(outputPath).str();
  std::vector<std::string> args = {linker, "-shared", "--gc-sections",
                                   "-z", "noexecstack", "-z", "relro",
                                   "--hash-style=gnu", "-soname", soname,
                                   "-o", outputPath.str(), objectPath.str()};
  if (!weightsObject.empty())
    args.push_back(weightsObject.str());
  if (forHost && triple.isOSLinux()) {
    // libm for the math the generated code calls; libc for malloc/memcpy.
    for (const char *dir : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                            "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu"})
      if (llvm::sys::fs::is_directory(dir))
        args.push_back(std::string("-L") + dir);
    args.insert(args.end(), {"--as-needed", "-lm", "-lc"});
  }
  std::vector<llvm::StringRef> refs(args.begin(), args.end());
  std::string message;
  int status = llvm::sys::ExecuteAndWait(linker, refs, std::nullopt, {}, 0, 0,
                                         &message);
  if (status != 0) {
    errs << "qcc: linking " << outputPath << " failed"
         << (message.empty() ? "" : ": " + message) << "\n";
    return mlir::failure();
  }
  return mlir::success();
}
