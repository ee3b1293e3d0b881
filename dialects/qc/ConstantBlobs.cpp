//===- ConstantBlobs.cpp - read and write constant tensors ----------------===//

#include "dialects/qc/ConstantBlobs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

namespace qc {

std::optional<std::vector<char>> getElementsBytes(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  unsigned bits = type.getElementTypeBitWidth();
  if (!type.hasStaticShape() || bits % 8 != 0)
    return std::nullopt;
  size_t elementBytes = bits / 8, total = type.getNumElements() * elementBytes;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != total)
      return std::nullopt;
    return std::vector<char>(blob->getData().begin(), blob->getData().end());
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    ArrayRef<char> raw = dense.getRawData();
    if (!dense.isSplat())
      return std::vector<char>(raw.begin(), raw.end());
    std::vector<char> bytes(total);
    for (size_t offset = 0; offset < total; offset += elementBytes)
      std::memcpy(bytes.data() + offset, raw.data(), elementBytes);
    return bytes;
  }
  return std::nullopt;
}

std::optional<std::vector<char>> getConstantBytes(Value v) {
  auto constant = v.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto attr = dyn_cast<ElementsAttr>(constant.getValue());
  if (!attr)
    return std::nullopt;
  return getElementsBytes(attr);
}

std::optional<std::vector<double>> getElementsAsDoubles(ElementsAttr attr) {
  Type element = attr.getElementType();
  if (!element.isF32() && !element.isF64())
    return std::nullopt;
  std::optional<std::vector<char>> bytes = getElementsBytes(attr);
  if (!bytes)
    return std::nullopt;
  size_t count = attr.getNumElements();
  std::vector<double> values(count);
  for (size_t i = 0; i < count; ++i) {
    if (element.isF32()) {
      float f;
      std::memcpy(&f, bytes->data() + i * 4, 4);
      values[i] = f;
    } else {
      std::memcpy(&values[i], bytes->data() + i * 8, 8);
    }
  }
  return values;
}

std::optional<std::vector<float>> getConstantFloats(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.getElementType().isF32())
    return std::nullopt;
  std::optional<std::vector<char>> bytes = getConstantBytes(v);
  if (!bytes)
    return std::nullopt;
  std::vector<float> values(bytes->size() / sizeof(float));
  std::memcpy(values.data(), bytes->data(), bytes->size());
  return values;
}

Value makeBlobConstant(OpBuilder &b, Location loc, RankedTensorType type, ArrayRef<char> bytes,
                       StringRef name) {
  auto attr = DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 64));
  return arith::ConstantOp::create(b, loc, attr);
}

} // namespace qc
