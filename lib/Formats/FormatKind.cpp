//===- FormatKind.cpp - Element format descriptors ------------------------===//

#include "qcc/Formats/FormatKind.h"

#include "qcc/Formats/MiniFloat.h"

#include <cctype>

namespace qcc::formats {

namespace {
/// The fixed-width kinds: name, code width and minifloat (if any).
struct FixedKindInfo {
  FormatKind kind;
  const char *name;
  unsigned width;
  const MiniFloatFormat *miniFloat;
};
} // namespace

static const FixedKindInfo kFixedKinds[] = {
    {FormatKind::Ternary2, "ternary2", 2, nullptr},
    {FormatKind::TernaryBase3, "ternary1.6", 0, nullptr},
    {FormatKind::Float8E4M3FN, "f8E4M3FN", 8, &kFloat8E4M3FN},
    {FormatKind::Float8E4M3FNUZ, "f8E4M3FNUZ", 8, &kFloat8E4M3FNUZ},
    {FormatKind::Float8E5M2, "f8E5M2", 8, &kFloat8E5M2},
    {FormatKind::Float8E5M2FNUZ, "f8E5M2FNUZ", 8, &kFloat8E5M2FNUZ},
    {FormatKind::Float6E2M3FN, "f6E2M3FN", 6, &kFloat6E2M3FN},
    {FormatKind::Float6E3M2FN, "f6E3M2FN", 6, &kFloat6E3M2FN},
    {FormatKind::Float4E2M1FN, "f4E2M1FN", 4, &kFloat4E2M1FN},
    {FormatKind::Float8E8M0FNU, "f8E8M0FNU", 8, &kFloat8E8M0FNU},
    {FormatKind::NF4, "nf4", 4, nullptr},
};

static const FixedKindInfo *lookup(FormatKind kind) {
  for (const FixedKindInfo &info : kFixedKinds)
    if (info.kind == kind)
      return &info;
  return nullptr;
}

ElementFormat ElementFormat::get(FormatKind kind) {
  const FixedKindInfo *info = lookup(kind);
  return {kind, info ? info->width : 8};
}

bool ElementFormat::isValid() const {
  switch (kind) {
  case FormatKind::SignedInt:
  case FormatKind::UnsignedInt:
    return (width >= 1 && width <= 8) || width == 16;
  case FormatKind::Codebook:
    return width >= 1 && width <= 8;
  default:
    return width == lookup(kind)->width;
  }
}

double ElementFormat::bitsPerElement() const {
  return kind == FormatKind::TernaryBase3 ? 8.0 / 5.0 : width;
}

size_t ElementFormat::packedByteCount(size_t numElements) const {
  if (kind == FormatKind::TernaryBase3)
    return (numElements + 4) / 5;
  return (numElements * width + 7) / 8;
}

std::optional<MiniFloatFormat> ElementFormat::getMiniFloat() const {
  const FixedKindInfo *info = lookup(kind);
  if (!info || !info->miniFloat)
    return std::nullopt;
  return *info->miniFloat;
}

std::string ElementFormat::getName() const {
  switch (kind) {
  case FormatKind::SignedInt:
    return "i" + std::to_string(width);
  case FormatKind::UnsignedInt:
    return "u" + std::to_string(width);
  case FormatKind::Codebook:
    return "cb" + std::to_string(width);
  default:
    return lookup(kind)->name;
  }
}

std::optional<ElementFormat> ElementFormat::parse(const std::string &name) {
  for (const FixedKindInfo &info : kFixedKinds)
    if (name == info.name)
      return ElementFormat{info.kind, info.width};
  auto withWidth = [&](size_t prefixLength,
                       FormatKind kind) -> std::optional<ElementFormat> {
    std::string digits = name.substr(prefixLength);
    if (digits.empty() || digits.size() > 2 || digits[0] == '0')
      return std::nullopt;
    for (char c : digits)
      if (!std::isdigit(static_cast<unsigned char>(c)))
        return std::nullopt;
    ElementFormat fmt{kind, static_cast<unsigned>(std::stoi(digits))};
    if (!fmt.isValid())
      return std::nullopt;
    return fmt;
  };
  if (name.rfind("cb", 0) == 0)
    return withWidth(2, FormatKind::Codebook);
  if (name.rfind("i", 0) == 0)
    return withWidth(1, FormatKind::SignedInt);
  if (name.rfind("u", 0) == 0)
    return withWidth(1, FormatKind::UnsignedInt);
  return std::nullopt;
}

} // namespace qcc::formats
