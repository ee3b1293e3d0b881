//===- QuantizedLinearTarget.cpp - the registry of back-end targets -------===//

#include "passes/QuantizedLinearTarget.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringExtras.h"

#include <mutex>

using namespace mlir;

namespace qc {

QuantizedLinearTarget::~QuantizedLinearTarget() = default;

namespace {
struct Registry {
  std::mutex mutex;
  llvm::StringMap<std::unique_ptr<QuantizedLinearTarget>> targets;
};
Registry &getRegistry() {
  static Registry registry;
  return registry;
}
} // namespace

void registerQuantizedLinearTarget(std::unique_ptr<QuantizedLinearTarget> target) {
  Registry &r = getRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::string name = target->getName().str();
  r.targets.try_emplace(name, std::move(target));
}

const QuantizedLinearTarget *lookupQuantizedLinearTarget(llvm::StringRef name) {
  Registry &r = getRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.targets.find(name);
  return it == r.targets.end() ? nullptr : it->second.get();
}

std::string listQuantizedLinearTargets() {
  Registry &r = getRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const auto &entry : r.targets)
    names.push_back(entry.getKey().str());
  llvm::sort(names);
  return names.empty() ? "none registered" : llvm::join(names, ", ");
}

LogicalResult verifyPackedLayer(QuantizedLinearOp op) {
  WeightEncodingAttr encoding = op.getEncodingAttr();
  if (!encoding)
    return op.emitError("the layer is not packed");
  const QuantizedLinearTarget *target = lookupQuantizedLinearTarget(encoding.getTarget());
  if (!target)
    return op.emitError() << "packed for an unknown target '" << encoding.getTarget()
                          << "' (known: " << listQuantizedLinearTargets() << ")";
  LinearFormat format = op.getFormat();
  std::string why;
  std::string layout = target->chooseLayout(format, why);
  if (layout.empty())
    return op.emitError() << "target '" << target->getName() << "' cannot run this layer: " << why;
  if (layout != encoding.getLayout())
    return op.emitError() << "packed in layout '" << encoding.getLayout() << "', but target '"
                          << target->getName() << "' packs this format in '" << layout << "'";
  auto [bytes, floats] = target->getPackedSizes(format, layout);
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  auto sType = cast<RankedTensorType>(op.getScales().getType());
  if (wType.getDimSize(0) != bytes)
    return op.emitError() << "packed weight must be tensor<" << bytes << "xi8> in layout '"
                          << layout << "', got " << wType;
  if (sType.getDimSize(0) != floats)
    return op.emitError() << "packed scales must be tensor<" << floats << "xf32> in layout '"
                          << layout << "', got " << sType;
  return success();
}

} // namespace qc
