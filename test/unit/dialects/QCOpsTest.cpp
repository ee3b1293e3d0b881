//===- QCOpsTest.cpp - building and verifying qc ops from C++ --------------===//
//
// The importer and the passes build qc ops through these C++ builders; the
// tests pin the inferred types and the verifier's answers on that path.

#include "dialects/qc/QCDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace qc;

namespace {

class QCOpsTest : public ::testing::Test {
protected:
  QCOpsTest() : builder(&context) {
    context.loadDialect<QCDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// A function whose arguments have `types`; the builder is left inside it.
  func::FuncOp makeFunc(TypeRange types) {
    auto func = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                     builder.getFunctionType(types, {}));
    builder.setInsertionPointToStart(func.addEntryBlock());
    return func;
  }

  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

TEST_F(QCOpsTest, LinearBuilderInfersResultShape) {
  int64_t dyn = ShapedType::kDynamic;
  func::FuncOp func =
      makeFunc({f32({dyn, 128, 64}), f32({256, 64}), f32({256})});
  auto linear = LinearOp::create(builder, builder.getUnknownLoc(),
                                 func.getArgument(0), func.getArgument(1),
                                 func.getArgument(2));
  EXPECT_EQ(linear.getType(), f32({dyn, 128, 256}));
  EXPECT_EQ(linear.getInFeatures(), 64);
  EXPECT_EQ(linear.getOutFeatures(), 256);
  func::ReturnOp::create(builder, builder.getUnknownLoc());
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(QCOpsTest, LinearVerifierRejectsMismatchedReduction) {
  func::FuncOp func = makeFunc({f32({4, 32}), f32({16, 48})});
  LinearOp::create(builder, builder.getUnknownLoc(), func.getArgument(0),
                   func.getArgument(1));
  func::ReturnOp::create(builder, builder.getUnknownLoc());

  std::string error;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    error = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(verify(*module)));
  EXPECT_NE(error.find("input has 32 channels but the weight expects K = 48"),
            std::string::npos)
      << error;
}

TEST_F(QCOpsTest, ParsedAttributesAreTyped) {
  const char *source = R"mlir(
    func.func @f(%x: tensor<2x64xf32>, %w: tensor<8x64xf32>) -> tensor<2x8xf32> {
      %y = qc.linear %x, %w {weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32>}
          : (tensor<2x64xf32>, tensor<8x64xf32>) -> tensor<2x8xf32>
      return %y : tensor<2x8xf32>
    })mlir";
  OwningOpRef<ModuleOp> parsed = parseSourceString<ModuleOp>(source, &context);
  ASSERT_TRUE(parsed);
  LinearOp linear;
  parsed->walk([&](LinearOp op) { linear = op; });
  ASSERT_TRUE(linear);
  QuantSpecAttr spec = linear.getWeightQuantAttr();
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec.getBits(), 4u);
  EXPECT_EQ(spec.getGranularity(), Granularity::PerGroup);
  EXPECT_EQ(spec.getNumGroups(linear.getInFeatures()), 2);
  EXPECT_TRUE(spec.getSymmetric());
  EXPECT_FALSE(linear.getBias());
}

} // namespace
