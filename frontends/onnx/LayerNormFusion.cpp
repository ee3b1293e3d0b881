//===- LayerNormFusion.cpp - find decomposed LayerNorms in a graph ---------===//

#include "frontends/onnx/LayerNormFusion.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace qc::onnx_frontend {
namespace {

class Matcher {
public:
  explicit Matcher(const onnx::GraphProto &graph) : graph(graph) {
    for (int i = 0; i < graph.node_size(); ++i)
      for (const std::string &input : graph.node(i).input()) {
        std::vector<int> &users = consumers[input];
        // A node that reads a value twice (Mul(d, d)) is one consumer.
        if (!input.empty() && (users.empty() || users.back() != i))
          users.push_back(i);
      }
    for (const auto &output : graph.output())
      graphOutputs.insert(output.name());
  }

  std::vector<LayerNormMatch> run() {
    std::vector<LayerNormMatch> matches;
    std::vector<bool> used(graph.node_size(), false);
    for (int i = 0; i < graph.node_size(); ++i) {
      if (used[i])
        continue;
      LayerNormMatch match;
      if (!matchAt(i, match) && !matchRMSAt(i, match))
        continue;
      bool overlaps = false;
      for (int n : match.nodes)
        overlaps |= used[n];
      if (overlaps)
        continue;
      for (int n : match.nodes)
        used[n] = true;
      matches.push_back(std::move(match));
    }
    return matches;
  }

private:
  const onnx::NodeProto &node(int i) const { return graph.node(i); }

  /// The single consumer of `value` (an intermediate: used once, not a
  /// graph output), or -1.
  int soleConsumer(const std::string &value) const {
    auto it = consumers.find(value);
    if (graphOutputs.count(value) || it == consumers.end() || it->second.size() != 1)
      return -1;
    return it->second[0];
  }

  bool isOp(int i, const char *type) const {
    const onnx::NodeProto &n = node(i);
    return i >= 0 && n.op_type() == type && (n.domain().empty() || n.domain() == "ai.onnx") &&
           n.output_size() == 1;
  }

  /// The ReduceMean's axes and keepdims == 1.
  bool reduceMeanAxes(int i, std::vector<int64_t> &axes, std::string &axesInput) const {
    const onnx::NodeProto &n = node(i);
    for (const auto &attr : n.attribute()) {
      if (attr.name() == "keepdims" && attr.i() != 1)
        return false;
      if (attr.name() == "axes")
        axes.assign(attr.ints().begin(), attr.ints().end());
    }
    if (n.input_size() > 1)
      axesInput = n.input(1);
    return !axes.empty() || !axesInput.empty();
  }

  /// The operand of binary node `i` other than `value`, or "" when `value`
  /// is not exactly one of its operands (at `position` if given).
  std::string other(int i, const std::string &value, int position = -1) const {
    const onnx::NodeProto &n = node(i);
    if (n.input_size() != 2)
      return "";
    if (n.input(0) == value && position != 1 && n.input(1) != value)
      return n.input(1);
    if (n.input(1) == value && position != 0 && n.input(0) != value)
      return n.input(0);
    return "";
  }

  bool matchAt(int i, LayerNormMatch &m) const {
    if (!isOp(i, "ReduceMean") || node(i).input_size() < 1)
      return false;
    std::vector<int64_t> axes;
    std::string axesInput;
    if (!reduceMeanAxes(i, axes, axesInput))
      return false;
    const std::string &x = node(i).input(0), &mean = node(i).output(0);
    int sub = soleConsumer(mean);
    if (!isOp(sub, "Sub") || node(sub).input(0) != x || node(sub).input(1) != mean)
      return false;
    const std::string &d = node(sub).output(0);
    // d feeds the variance (Pow or Mul) and the final Div.
    auto it = consumers.find(d);
    if (graphOutputs.count(d) || it == consumers.end() || it->second.size() != 2)
      return false;
    int sq = -1, div = -1;
    for (int c : it->second) {
      if (isOp(c, "Div") && node(c).input(0) == d)
        div = c;
      else if ((isOp(c, "Pow") && node(c).input(0) == d) ||
               (isOp(c, "Mul") && node(c).input_size() == 2 && node(c).input(0) == d &&
                node(c).input(1) == d))
        sq = c;
    }
    if (sq < 0 || div < 0)
      return false;
    std::string exponent = node(sq).op_type() == "Pow" ? node(sq).input(1) : "";
    int mean2 = soleConsumer(node(sq).output(0));
    if (!isOp(mean2, "ReduceMean"))
      return false;
    std::vector<int64_t> axes2;
    std::string axesInput2;
    if (!reduceMeanAxes(mean2, axes2, axesInput2) || axes2 != axes || axesInput2 != axesInput)
      return false;
    int add = soleConsumer(node(mean2).output(0));
    if (!isOp(add, "Add"))
      return false;
    std::string epsilon = other(add, node(mean2).output(0));
    int sqrt = soleConsumer(node(add).output(0));
    if (epsilon.empty() || !isOp(sqrt, "Sqrt") || soleConsumer(node(sqrt).output(0)) != div ||
        node(div).input(1) != node(sqrt).output(0))
      return false;

    m.nodes = {i, sub, sq, mean2, add, sqrt, div};
    m.input = x;
    m.epsilon = epsilon;
    m.axes = axes;
    m.axesInput = axesInput;
    m.exponent = exponent;
    m.output = node(div).output(0);
    // Optional affine: Mul by the scale, then Add the bias.
    int mul = soleConsumer(m.output);
    if (isOp(mul, "Mul")) {
      std::string scale = other(mul, m.output);
      if (!scale.empty()) {
        m.scale = scale;
        m.output = node(mul).output(0);
        m.nodes.push_back(mul);
        int addBias = soleConsumer(m.output);
        if (isOp(addBias, "Add")) {
          std::string bias = other(addBias, m.output);
          if (!bias.empty()) {
            m.bias = bias;
            m.output = node(addBias).output(0);
            m.nodes.push_back(addBias);
          }
        }
      }
    }
    std::sort(m.nodes.begin(), m.nodes.end());
    return true;
  }

  /// RMSNorm, from its square (Pow(x, 2) or Mul(x, x)).
  bool matchRMSAt(int i, LayerNormMatch &m) const {
    m = LayerNormMatch();
    bool isPow = isOp(i, "Pow") && node(i).input_size() == 2;
    bool isSquare = isOp(i, "Mul") && node(i).input_size() == 2 && node(i).input(0) == node(i).input(1);
    if (!isPow && !isSquare)
      return false;
    const std::string &x = node(i).input(0);
    int mean = soleConsumer(node(i).output(0));
    if (!isOp(mean, "ReduceMean"))
      return false;
    std::vector<int64_t> axes;
    std::string axesInput;
    if (!reduceMeanAxes(mean, axes, axesInput))
      return false;
    int add = soleConsumer(node(mean).output(0));
    if (!isOp(add, "Add"))
      return false;
    std::string epsilon = other(add, node(mean).output(0));
    int sqrt = soleConsumer(node(add).output(0));
    if (epsilon.empty() || !isOp(sqrt, "Sqrt"))
      return false;
    const std::string &s = node(sqrt).output(0);
    int next = soleConsumer(s);
    m.nodes = {i, mean, add, sqrt};
    if (isOp(next, "Div") && node(next).input(0) == x && node(next).input(1) == s) {
      m.nodes.push_back(next); // x / s
    } else if (isOp(next, "Reciprocal") ||
               (isOp(next, "Div") && node(next).input_size() == 2 && node(next).input(1) == s &&
                node(next).input(0) != x)) {
      if (node(next).op_type() == "Div")
        m.numerator = node(next).input(0);
      int mul = soleConsumer(node(next).output(0));
      if (!isOp(mul, "Mul") || other(mul, node(next).output(0)) != x)
        return false;
      m.nodes.push_back(next);
      m.nodes.push_back(mul); // x * (1 / s)
    } else {
      return false;
    }
    m.rms = true;
    m.input = x;
    m.epsilon = epsilon;
    m.axes = axes;
    m.axesInput = axesInput;
    m.exponent = isPow ? node(i).input(1) : "";
    m.output = node(m.nodes.back()).output(0);
    int scaleMul = soleConsumer(m.output);
    if (isOp(scaleMul, "Mul")) {
      std::string scale = other(scaleMul, m.output);
      if (!scale.empty() && scale != x) {
        m.scale = scale;
        m.output = node(scaleMul).output(0);
        m.nodes.push_back(scaleMul);
      }
    }
    std::sort(m.nodes.begin(), m.nodes.end());
    return true;
  }

  const onnx::GraphProto &graph;
  llvm::StringMap<std::vector<int>> consumers;
  llvm::StringSet<> graphOutputs;
};

} // namespace

std::vector<LayerNormMatch> findDecomposedLayerNorms(const onnx::GraphProto &graph) {
  return Matcher(graph).run();
}

} // namespace qc::onnx_frontend
