//===- WeightsObject.cpp - weights straight from blobs into an object ---===//
//
// The object: ELF64 little-endian relocatable with sections
//   [1] .rodata    the weights, each aligned as its global asks (>= 16);
//                  .lrodata (SHF_X86_64_LARGE) past the large-data size
//   [2] .symtab    one global hidden STT_OBJECT symbol per weight
//   [3] .strtab    their names
//   [4] .shstrtab  section names
// and no relocations: the weights are plain bytes. The data is streamed to
// the file from the blobs without an intermediate copy.
//
//===----------------------------------------------------------------------===//

#include "WeightsObject.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"

#include <cstring>

using namespace mlir;
namespace ELF = llvm::ELF;

namespace {

struct Weight {
  LLVM::GlobalOp global;
  ArrayRef<char> bytes;
  uint64_t offset = 0;
  uint32_t nameOffset = 0;
};

/// The bytes of a constant global's initializer, when they are its memory
/// image: a resource blob, or dense (non-splat) elements of byte-sized
/// integers or floats.
std::optional<ArrayRef<char>> imageOf(LLVM::GlobalOp global) {
  if (!global.getConstant() || !global.getValueOrNull())
    return std::nullopt;
  Attribute value = global.getValueOrNull();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    return blob->getData();
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    Type element = dense.getElementType();
    if (dense.isSplat() || !element.isIntOrFloat() ||
        element.getIntOrFloatBitWidth() % 8 != 0)
      return std::nullopt;
    return dense.getRawData();
  }
  return std::nullopt;
}

template <typename T> void writePod(llvm::raw_ostream &os, const T &value) {
  os.write(reinterpret_cast<const char *>(&value), sizeof(T));
}

void pad(llvm::raw_ostream &os, uint64_t &position, uint64_t to) {
  for (; position < to; ++position)
    os.write('\0');
}

} // namespace

FailureOr<qcc::driver::ExtractedWeights>
qcc::driver::extractWeights(ModuleOp module, const llvm::Triple &triple, StringRef objectPath,
                            uint64_t minBytes, uint64_t largeFromBytes, llvm::raw_ostream &errs) {
  ExtractedWeights extracted;
  uint16_t machine;
  if (triple.getArch() == llvm::Triple::x86_64)
    machine = ELF::EM_X86_64;
  else if (triple.getArch() == llvm::Triple::aarch64)
    machine = ELF::EM_AARCH64;
  else
    return extracted;

  std::vector<Weight> weights;
  std::string names(1, '\0');
  uint64_t size = 0;
  module.walk([&](LLVM::GlobalOp global) {
    std::optional<ArrayRef<char>> bytes = imageOf(global);
    if (!bytes || bytes->size() < minBytes)
      return;
    uint64_t align = std::max<uint64_t>(16, global.getAlignment().value_or(16));
    Weight weight{global, *bytes, llvm::alignTo(size, align), uint32_t(names.size())};
    size = weight.offset + bytes->size();
    names += global.getSymName().str();
    names.push_back('\0');
    weights.push_back(weight);
  });
  if (weights.empty())
    return extracted;
  extracted.large = machine == ELF::EM_X86_64 && size >= largeFromBytes;

  std::error_code ec;
  llvm::raw_fd_ostream os(objectPath, ec, llvm::sys::fs::OF_None);
  if (ec) {
    errs << "qcc: cannot write " << objectPath << ": " << ec.message() << "\n";
    return failure();
  }
  // Section names: [0] empty, then the data's, .symtab, .strtab, .shstrtab.
  std::string sectionNames(1, '\0');
  auto addName = [&](StringRef name) {
    uint32_t offset = sectionNames.size();
    sectionNames += name.str();
    sectionNames.push_back('\0');
    return offset;
  };
  const uint32_t rodataName = addName(extracted.large ? ".lrodata" : ".rodata");
  const uint32_t symtabName = addName(".symtab"), strtabName = addName(".strtab"),
                 shstrtabName = addName(".shstrtab");
  uint64_t dataOffset = 64; // after the ELF header
  uint64_t symtabOffset = llvm::alignTo(dataOffset + size, 8);
  uint64_t symtabSize = (weights.size() + 1) * sizeof(ELF::Elf64_Sym);
  uint64_t strtabOffset = symtabOffset + symtabSize;
  uint64_t shstrtabOffset = strtabOffset + names.size();
  uint64_t headersOffset = llvm::alignTo(shstrtabOffset + sectionNames.size(), 8);

  ELF::Elf64_Ehdr header{};
  std::memcpy(header.e_ident, ELF::ElfMagic, 4);
  header.e_ident[ELF::EI_CLASS] = ELF::ELFCLASS64;
  header.e_ident[ELF::EI_DATA] = ELF::ELFDATA2LSB;
  header.e_ident[ELF::EI_VERSION] = ELF::EV_CURRENT;
  header.e_ident[ELF::EI_OSABI] = ELF::ELFOSABI_NONE;
  header.e_type = ELF::ET_REL;
  header.e_machine = machine;
  header.e_version = ELF::EV_CURRENT;
  header.e_shoff = headersOffset;
  header.e_ehsize = sizeof(ELF::Elf64_Ehdr);
  header.e_shentsize = sizeof(ELF::Elf64_Shdr);
  header.e_shnum = 5;
  header.e_shstrndx = 4;
  uint64_t position = 0;
  writePod(os, header);
  position += sizeof(header);

  pad(os, position, dataOffset);
  for (const Weight &weight : weights) {
    pad(os, position, dataOffset + weight.offset);
    os.write(weight.bytes.data(), weight.bytes.size());
    position += weight.bytes.size();
  }

  pad(os, position, symtabOffset);
  ELF::Elf64_Sym null{};
  writePod(os, null);
  for (const Weight &weight : weights) {
    ELF::Elf64_Sym symbol{};
    symbol.st_name = weight.nameOffset;
    symbol.setBindingAndType(ELF::STB_GLOBAL, ELF::STT_OBJECT);
    symbol.st_other = ELF::STV_HIDDEN;
    symbol.st_shndx = 1;
    symbol.st_value = weight.offset;
    symbol.st_size = weight.bytes.size();
    writePod(os, symbol);
  }
  position += symtabSize;
  os.write(names.data(), names.size());
  position += names.size();
  os.write(sectionNames.data(), sectionNames.size());
  position += sectionNames.size();

  pad(os, position, headersOffset);
  auto section = [&](uint32_t name, uint32_t type, uint64_t flags, uint64_t offset,
                     uint64_t bytes, uint32_t link, uint32_t info, uint64_t align,
                     uint64_t entsize) {
    ELF::Elf64_Shdr shdr{};
    shdr.sh_name = name;
    shdr.sh_type = type;
    shdr.sh_flags = flags;
    shdr.sh_offset = offset;
    shdr.sh_size = bytes;
    shdr.sh_link = link;
    shdr.sh_info = info;
    shdr.sh_addralign = align;
    shdr.sh_entsize = entsize;
    writePod(os, shdr);
  };
  uint64_t rodataAlign = 16;
  for (Weight &weight : weights)
    rodataAlign = std::max<uint64_t>(rodataAlign,
                                     weight.global.getAlignment().value_or(16));
  section(0, ELF::SHT_NULL, 0, 0, 0, 0, 0, 0, 0);
  section(rodataName, ELF::SHT_PROGBITS,
          ELF::SHF_ALLOC | (extracted.large ? uint64_t(ELF::SHF_X86_64_LARGE) : 0), dataOffset,
          size, 0, 0, rodataAlign, 0);
  section(symtabName, ELF::SHT_SYMTAB, 0, symtabOffset, symtabSize, 3, 1, 8,
          sizeof(ELF::Elf64_Sym));
  section(strtabName, ELF::SHT_STRTAB, 0, strtabOffset, names.size(), 0, 0, 1, 0);
  section(shstrtabName, ELF::SHT_STRTAB, 0, shstrtabOffset, sectionNames.size(), 0, 0, 1, 0);
  os.close();
  if (os.has_error()) {
    errs << "qcc: cannot write " << objectPath << ": " << os.error().message() << "\n";
    os.clear_error();
    return failure();
  }

  // The module keeps declarations: hidden, so code reaches them directly.
  for (const Weight &weight : weights) {
    LLVM::GlobalOp global = weight.global;
    // The bytes are in the file: free the blob now (with the last one, the
    // ONNX protobuf the importer's blobs point into).
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(global.getValueOrNull()))
      if (auto *entry = resource.getRawHandle().getResource())
        entry->setBlob(AsmResourceBlob());
    global.removeValueAttr();
    global.setLinkage(LLVM::Linkage::External);
    global.setVisibility_(LLVM::Visibility::Hidden);
    global.setDsoLocal(true);
    extracted.symbols.push_back(global.getSymName().str());
  }
  extracted.bytes = size;
  return extracted;
}
