//===- LayerNormFusion.h - find decomposed LayerNorms in a graph -*- C++ -*-===//
//
// Exporters before opset 17 (and many after) write LayerNorm as nine nodes:
//   m = ReduceMean(x); d = Sub(x, m); p = Pow(d, 2) | Mul(d, d);
//   v = ReduceMean(p); e = Add(v, eps); s = Sqrt(e); n = Div(d, s);
//   [y = Mul(n, gamma)]; [z = Add(y, beta)]
// and PyTorch exports RMSNorm (Llama, T5) as six or seven:
//   p = Pow(x, 2) | Mul(x, x); v = ReduceMean(p); e = Add(v, eps);
//   s = Sqrt(e); n = Div(x, s) | Mul(x, Reciprocal(s)) | Mul(x, Div(1, s));
//   [y = Mul(n, gamma)]
// The importer turns each match into one qc.layer_norm or qc.rms_norm, so
// quantization passes see the norm (and fold it) like an opset-17
// LayerNormalization.
//
//===----------------------------------------------------------------------===//

#ifndef QC_FRONTENDS_ONNX_LAYERNORMFUSION_H
#define QC_FRONTENDS_ONNX_LAYERNORMFUSION_H

#include "onnx/onnx_pb.h"

#include <string>
#include <vector>

namespace qc::onnx_frontend {

struct LayerNormMatch {
  /// Indices of the graph's nodes the pattern covers, in graph order.
  std::vector<int> nodes;
  std::string input, epsilon, scale, bias, output;
  /// The ReduceMean axes (attribute or constant input name).
  std::vector<int64_t> axes;
  std::string axesInput;
  /// The second operand of the variance: the exponent of Pow (empty for
  /// Mul(d, d)).
  std::string exponent;
  /// An RMSNorm (no mean subtracted, no bias).
  bool rms = false;
  /// RMSNorm written as Mul(x, Div(numerator, s)): the numerator, which
  /// must be the constant 1.
  std::string numerator;
};

/// All non-overlapping matches whose intermediate values are used only
/// inside the pattern and are not graph outputs.
std::vector<LayerNormMatch> findDecomposedLayerNorms(const onnx::GraphProto &graph);

} // namespace qc::onnx_frontend

#endif // QC_FRONTENDS_ONNX_LAYERNORMFUSION_H
