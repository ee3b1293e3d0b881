//===- NodeImporter.h - what one ONNX op conversion sees --------*- C++ -*-===//
//
// Each ONNX op has one conversion function, `LogicalResult (NodeImporter &)`.
// It reads its inputs and attributes through the NodeImporter, builds MLIR
// with `b` at `loc`, and sets the node's outputs. Errors are reported with
// `fail(reason)`; the importer adds the file, node name, op type and opset.
//
//===----------------------------------------------------------------------===//

#ifndef QC_FRONTENDS_ONNX_NODEIMPORTER_H
#define QC_FRONTENDS_ONNX_NODEIMPORTER_H

#include "onnx/onnx_pb.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace qc::onnx_frontend {

/// An ONNX tensor as the importer tracks it. MLIR integers are signless, so
/// the ONNX signedness travels beside the value.
struct TensorValue {
  mlir::Value value;
  bool isUnsigned = false;
};

class GraphImporter;

class NodeImporter {
public:
  NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
               int64_t opset, mlir::OpBuilder &builder, mlir::Location loc)
      : b(builder), loc(loc), graph(graph), node(node), opset(opset) {}

  mlir::OpBuilder &b;
  mlir::Location loc;

  const onnx::NodeProto &getNode() const { return node; }
  int64_t getOpset() const { return opset; }
  mlir::MLIRContext *getContext() { return b.getContext(); }

  //===--- Inputs ----------------------------------------------------------===//

  /// Number of inputs as written (optional ones may be empty names).
  unsigned getNumInputs() const { return node.input_size(); }
  /// Input `i` is given (present and not the empty name).
  bool hasInput(unsigned i) const {
    return i < getNumInputs() && !node.input(i).empty();
  }
  mlir::Value input(unsigned i);
  /// Any value of the graph by its ONNX name (null if not defined yet).
  mlir::Value lookupValue(llvm::StringRef name);
  mlir::RankedTensorType inputType(unsigned i);
  bool isUnsignedInput(unsigned i);
  /// The input's values when it is an integer tensor known at import time
  /// (an initializer, a Constant, or a folded shape computation).
  std::optional<llvm::SmallVector<int64_t>> getConstantInts(unsigned i);
  /// The input's values when it is a float tensor known at import time.
  std::optional<llvm::SmallVector<double>> getConstantFloats(unsigned i);
  /// The constant behind input `i`, or null.
  mlir::ElementsAttr getConstant(unsigned i);
  /// The raw bytes of a constant (splats expanded), for rewriting weights.
  std::optional<std::vector<char>> getConstantBytes(unsigned i);

  /// Fails unless the node has between `min` and `max` inputs.
  mlir::LogicalResult expectInputs(unsigned min, unsigned max);

  //===--- Outputs ---------------------------------------------------------===//

  unsigned getNumOutputs() const { return node.output_size(); }
  void setOutput(unsigned i, mlir::Value value, bool isUnsigned = false);

  //===--- Attributes ------------------------------------------------------===//
  // A present attribute of the wrong type is an error (recorded; the getter
  // returns the default).

  bool hasAttr(llvm::StringRef name) const;
  int64_t getInt(llvm::StringRef name, int64_t defaultValue);
  float getFloat(llvm::StringRef name, float defaultValue);
  std::string getString(llvm::StringRef name, llvm::StringRef defaultValue);
  std::optional<llvm::SmallVector<int64_t>> getInts(llvm::StringRef name);
  std::optional<llvm::SmallVector<float>> getFloats(llvm::StringRef name);
  const onnx::TensorProto *getTensor(llvm::StringRef name);

  //===--- Constants and errors --------------------------------------------===//

  /// A constant tensor from ONNX tensor data (initializers, attributes).
  mlir::FailureOr<mlir::Value> importTensor(const onnx::TensorProto &tensor,
                                            bool *isUnsigned = nullptr);
  /// The MLIR element type of an ONNX data type (signless integers), or
  /// failure (recorded) for types qc does not handle.
  mlir::FailureOr<mlir::Type> getElementType(int32_t onnxType);
  /// A constant tensor of `type` from packed bytes.
  mlir::Value makeConstant(mlir::RankedTensorType type,
                           llvm::ArrayRef<char> bytes, llvm::StringRef name);

  /// Records `reason` as the node's error and returns failure.
  mlir::LogicalResult fail(const llvm::Twine &reason);
  bool hasError() const { return !error.empty(); }
  const std::string &getError() const { return error; }

private:
  const onnx::AttributeProto *findAttr(llvm::StringRef name) const;
  bool checkAttrType(const onnx::AttributeProto *attr, int type,
                     const char *typeName);

  GraphImporter &graph;
  const onnx::NodeProto &node;
  int64_t opset;
  std::string error;
};

/// One entry of the conversion table.
struct OpConversion {
  const char *opType;
  /// The conversion handles opsets from `sinceOpset` on (up to kMaxOpset).
  int sinceOpset;
  mlir::LogicalResult (*convert)(NodeImporter &);
  /// What the conversion handles (attributes, types); for docs/onnx-ops.md.
  const char *notes;
};

} // namespace qc::onnx_frontend

#endif // QC_FRONTENDS_ONNX_NODEIMPORTER_H
