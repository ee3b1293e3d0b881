//===- QCAttrsTest.cpp - #qc.quant and #qc.stats ---------------------------===//

#include "dialects/qc/QCDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace qc;

namespace {

class QCAttrsTest : public ::testing::Test {
protected:
  QCAttrsTest() { context.loadDialect<QCDialect>(); }

  /// Builds a spec through the verifying path; returns null and records the
  /// diagnostic when the parameters are invalid.
  QuantSpecAttr spec(unsigned bits, Granularity granularity,
                     int64_t groupSize = 0, bool symmetric = true) {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      lastError = diag.str();
      return success();
    });
    return QuantSpecAttr::getChecked(
        [&] { return emitError(UnknownLoc::get(&context)); }, &context, bits,
        granularity, groupSize, symmetric);
  }

  MLIRContext context;
  std::string lastError;
};

TEST_F(QCAttrsTest, SymmetricRangeIsFullSignedRange) {
  for (unsigned bits = 2; bits <= 8; ++bits) {
    QuantSpecAttr s = spec(bits, Granularity::PerChannel);
    ASSERT_TRUE(s) << lastError;
    EXPECT_EQ(s.getQMin(), -(int64_t(1) << (bits - 1))) << bits;
    EXPECT_EQ(s.getQMax(), (int64_t(1) << (bits - 1)) - 1) << bits;
  }
  EXPECT_EQ(spec(4, Granularity::PerTensor).getQMin(), -8);
  EXPECT_EQ(spec(4, Granularity::PerTensor).getQMax(), 7);
}

TEST_F(QCAttrsTest, AsymmetricRangeIsUnsigned) {
  QuantSpecAttr s = spec(4, Granularity::PerGroup, 32, /*symmetric=*/false);
  ASSERT_TRUE(s) << lastError;
  EXPECT_EQ(s.getQMin(), 0);
  EXPECT_EQ(s.getQMax(), 15);
  EXPECT_EQ(spec(8, Granularity::PerToken, 0, false).getQMax(), 255);
}

TEST_F(QCAttrsTest, NumGroupsRoundsUpAlongReduction) {
  QuantSpecAttr s = spec(4, Granularity::PerGroup, 128);
  ASSERT_TRUE(s) << lastError;
  EXPECT_EQ(s.getNumGroups(384), 3);
  EXPECT_EQ(s.getNumGroups(4096), 32);
  EXPECT_EQ(s.getNumGroups(129), 2);
  EXPECT_EQ(spec(8, Granularity::PerChannel).getNumGroups(4096), 1);
}

TEST_F(QCAttrsTest, GranularityClassification) {
  EXPECT_TRUE(spec(8, Granularity::PerTensor).isWeightGranularity());
  EXPECT_TRUE(spec(8, Granularity::PerTensor).isActivationGranularity());
  EXPECT_TRUE(spec(8, Granularity::PerChannel).isWeightGranularity());
  EXPECT_FALSE(spec(8, Granularity::PerChannel).isActivationGranularity());
  EXPECT_FALSE(spec(8, Granularity::PerToken).isWeightGranularity());
  EXPECT_TRUE(spec(8, Granularity::PerToken).isActivationGranularity());
}

TEST_F(QCAttrsTest, RejectsBitsOutsideTwoToEight) {
  EXPECT_FALSE(spec(1, Granularity::PerTensor));
  EXPECT_NE(lastError.find("bits must be in [2, 8], got 1"), std::string::npos)
      << lastError;
  EXPECT_FALSE(spec(9, Granularity::PerTensor));
  EXPECT_NE(lastError.find("got 9"), std::string::npos) << lastError;
}

TEST_F(QCAttrsTest, RejectsGroupSizeMismatch) {
  EXPECT_FALSE(spec(4, Granularity::PerGroup, 0));
  EXPECT_NE(lastError.find("needs group_size > 0"), std::string::npos);
  EXPECT_FALSE(spec(4, Granularity::PerChannel, 64));
  EXPECT_NE(lastError.find("only meaningful with per_group"), std::string::npos);
}

TEST_F(QCAttrsTest, StatsCountChannelsAndRejectNegativeAbsmax) {
  auto type = RankedTensorType::get({3}, Float32Type::get(&context));
  auto good = DenseElementsAttr::get(type, ArrayRef<float>{0.5f, 2.0f, 0.0f});
  auto stats = TensorStatsAttr::get(&context, uint64_t{4},
                                    cast<ElementsAttr>(good), FloatAttr(),
                                    FloatAttr(), FloatAttr(), FloatAttr(),
                                    ElementsAttr());
  EXPECT_EQ(stats.getNumChannels(), 3);

  auto bad = DenseElementsAttr::get(type, ArrayRef<float>{0.5f, -2.0f, 0.0f});
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    lastError = diag.str();
    return success();
  });
  EXPECT_FALSE(TensorStatsAttr::getChecked(
      [&] { return emitError(UnknownLoc::get(&context)); }, &context,
      uint64_t{4}, cast<ElementsAttr>(bad), FloatAttr(), FloatAttr(), FloatAttr(),
      FloatAttr(), ElementsAttr()));
  EXPECT_NE(lastError.find("absmax[1] must be finite and >= 0"),
            std::string::npos)
      << lastError;
}

} // namespace
