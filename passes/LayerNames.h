//===- LayerNames.h - the user-facing name of a layer -----------*- C++ -*-===//
//
// The importer gives every op the location NameLoc("<ONNX node name>"), so
// that is the name users write in --keep-float patterns and read in reports.
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_LAYERNAMES_H
#define QC_PASSES_LAYERNAMES_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

#include <string>

namespace qc {

/// The first name in `loc` (through fused and call-site locations), or "".
inline std::string getLocationName(mlir::Location loc) {
  if (auto named = mlir::dyn_cast<mlir::NameLoc>(loc))
    return named.getName().str();
  if (auto fused = mlir::dyn_cast<mlir::FusedLoc>(loc))
    for (mlir::Location inner : fused.getLocations())
      if (std::string name = getLocationName(inner); !name.empty())
        return name;
  if (auto site = mlir::dyn_cast<mlir::CallSiteLoc>(loc))
    return getLocationName(site.getCallee());
  return "";
}

/// A layer's name, or "<op>@<index>" (its position among ops of its kind)
/// when its location has none.
inline std::string getLayerName(mlir::Operation *op, int64_t index) {
  std::string name = getLocationName(op->getLoc());
  return name.empty() ? op->getName().getStringRef().str() + "@" + std::to_string(index) : name;
}

} // namespace qc

#endif // QC_PASSES_LAYERNAMES_H
