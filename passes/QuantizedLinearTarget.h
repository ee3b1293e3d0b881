//===- QuantizedLinearTarget.h - what a back end packs and runs -*- C++ -*-===//
//
// qc.quantized_linear is logical: codes, scales, zero points and a format
// (dialects/qc/LinearFormat.h). The byte layout its kernels read belongs to
// a back end, which implements this interface and registers it by name;
// qc-pack{target=NAME} asks it for a layout (#qc.encoding) and for the
// packed bytes, and the back end's lowering checks what it gets. The passes
// know only the interface, so no pass depends on a back end or its kernels.
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_QUANTIZEDLINEARTARGET_H
#define QC_PASSES_QUANTIZEDLINEARTARGET_H

#include "dialects/qc/QCDialect.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <string>
#include <vector>

namespace qc {

class QuantizedLinearTarget {
public:
  virtual ~QuantizedLinearTarget();

  /// The name qc-pack's `target` option and #qc.encoding's `target` use.
  virtual llvm::StringRef getName() const = 0;

  /// The layout this target's kernels read `format` in; empty with `why`
  /// set when they cannot run the format.
  virtual std::string chooseLayout(const LinearFormat &format, std::string &why) const = 0;

  /// Sizes of the packed operands of `format` in `layout`: bytes of weight
  /// and floats of parameters.
  virtual std::pair<int64_t, int64_t> getPackedSizes(const LinearFormat &format,
                                                     llvm::StringRef layout) const = 0;

  /// Lays the logical form out: `codes` N x K, `scales` and `zeroPoints`
  /// (empty when symmetric) N x G, row-major.
  virtual void pack(const LinearFormat &format, llvm::StringRef layout,
                    llvm::ArrayRef<int8_t> codes, llvm::ArrayRef<float> scales,
                    llvm::ArrayRef<int8_t> zeroPoints, std::vector<int8_t> &weight,
                    std::vector<float> &params) const = 0;
};

/// Registers `target` under its name; a second target of the same name is
/// ignored (registration may run more than once).
void registerQuantizedLinearTarget(std::unique_ptr<QuantizedLinearTarget> target);

/// The target registered as `name`, or null.
const QuantizedLinearTarget *lookupQuantizedLinearTarget(llvm::StringRef name);

/// The registered names, sorted, for messages.
std::string listQuantizedLinearTargets();

/// Checks a packed layer against the target its #qc.encoding names: the
/// target exists, the layout is the one it packs this format in, and the
/// operand sizes are that layout's. Emits an error on the op otherwise.
mlir::LogicalResult verifyPackedLayer(QuantizedLinearOp op);

} // namespace qc

#endif // QC_PASSES_QUANTIZEDLINEARTARGET_H
