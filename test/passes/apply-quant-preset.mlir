// RUN: qc-opt %s -split-input-file -qc-apply-quant-preset=preset=w4a16 -verify-diagnostics | FileCheck %s --check-prefix=W4A16
// RUN: qc-opt %s -split-input-file -qc-apply-quant-preset="preset=w8a8 keep-float=*head*" | FileCheck %s --check-prefix=W8A8
// RUN: qc-opt %s -split-input-file -qc-apply-quant-preset="preset=w4a8 group-size=0 per-tensor-activations symmetry=symmetric" | FileCheck %s --check-prefix=W4A8
// RUN: not qc-opt %s -qc-apply-quant-preset=preset=w3a3 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: qc-opt %s -split-input-file -qc-apply-quant-preset="preset=w4a4 activation-clip=0.9" | FileCheck %s --check-prefix=W4A4
// RUN: not qc-opt %s -qc-apply-quant-preset="preset=w4a4 activation-clip=0" 2>&1 | FileCheck %s --check-prefix=CLIP
// CLIP: activation-clip must be in (0, 1], got 0
// BAD: unknown quantization preset 'w3a3' (expected w8a8, w4a16, w4a8, w8a16 or w4a4)
// RUN: not qc-opt %s -qc-apply-quant-preset=symmetry=sideways 2>&1 | FileCheck %s --check-prefix=SYM
// SYM: unknown weight symmetry 'sideways' (expected preset, symmetric or asymmetric)
// RUN: qc-opt %s -split-input-file -qc-apply-quant-preset="preset=w4a4 group-size=64 layer-quant=*fc1=w8a8,lm_*=w4a16,*head=w8a16" | FileCheck %s --check-prefix=LAYER
// RUN: not qc-opt %s -qc-apply-quant-preset="preset=w4a4 layer-quant=*fc1" 2>&1 | FileCheck %s --check-prefix=LAYER-BAD
// RUN: not qc-opt %s -qc-apply-quant-preset="preset=w4a4 layer-quant=*fc1=w5a5" 2>&1 | FileCheck %s --check-prefix=LAYER-BAD5
// LAYER-BAD: bad layer-quant '*fc1': expected PATTERN=PRESET with a preset of w8a8, w4a16, w4a8, w8a16 or w4a4
// LAYER-BAD5: bad layer-quant '*fc1=w5a5': expected PATTERN=PRESET

// W4A16-LABEL: func.func @layers
// W4A16: qc.linear {{.*}}weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 128, symmetric = false>
// W4A16-NOT: input_quant
// W4A16: qc.linear {{.*}}weight_quant = #qc.quant<bits = 4, granularity = per_channel, symmetric = false>
// W4A16: qc.linear {{.*}}weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 40, symmetric = false>
// W4A16: qc.linear %{{[^{]*}}: (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>

// W8A8-LABEL: func.func @layers
// W8A8: qc.linear {{.*}}{input_quant = #qc.quant<bits = 8, granularity = per_token>, weight_quant = #qc.quant<bits = 8, granularity = per_channel>}
// W8A8: qc.linear {{.*}}{input_quant = #qc.quant<bits = 8, granularity = per_token>, weight_quant = #qc.quant<bits = 8, granularity = per_channel>}
// W8A8: qc.linear {{.*}}{input_quant = #qc.quant<bits = 8, granularity = per_token>, weight_quant = #qc.quant<bits = 8, granularity = per_channel>}
// The lm_head layer matches keep-float; the run-time weight is never quantized.
// W8A8: qc.linear %{{[^{]*}}: (tensor<2x256xf32>, tensor<4x256xf32>) -> tensor<2x4xf32>
// W8A8: qc.linear %{{[^{]*}}: (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>

// W4A4-LABEL: func.func @layers
// W4A4: qc.linear {{.*}}{input_quant = #qc.quant<bits = 4, granularity = per_token, clip = 0.899999976 : f32>, weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 128, symmetric = false>}

// An overridden layer takes its own preset's format (w8a8: per channel,
// symmetric, 8-bit activations); the first matching override wins (lm_head
// is w4a16, not w8a16); the others keep the main preset with group-size=64
// (fitted: 48 for K = 96, 40 for K = 200).
// LAYER-LABEL: func.func @layers
// LAYER: qc.linear {{.*}}{input_quant = #qc.quant<bits = 8, granularity = per_token>, weight_quant = #qc.quant<bits = 8, granularity = per_channel>}
// LAYER: qc.linear {{.*}}{input_quant = #qc.quant<bits = 4, granularity = per_token>, weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 48, symmetric = false>}
// LAYER: qc.linear {{.*}}{input_quant = #qc.quant<bits = 4, granularity = per_token>, weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 40, symmetric = false>}
// LAYER: qc.linear {{.*}}{weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 128, symmetric = false>} :

// W4A8-LABEL: func.func @layers
// W4A8: qc.linear {{.*}}{input_quant = #qc.quant<bits = 8, granularity = per_tensor>, weight_quant = #qc.quant<bits = 4, granularity = per_channel>}
func.func @layers(%x: tensor<2x256xf32>, %x96: tensor<2x96xf32>, %x200: tensor<2x200xf32>,
                  %a: tensor<2x8xf32>, %b: tensor<8x8xf32>) {
  %w = arith.constant dense<0.5> : tensor<4x256xf32>
  %w96 = arith.constant dense<0.5> : tensor<4x96xf32>
  %w200 = arith.constant dense<0.5> : tensor<4x200xf32>
  %0 = qc.linear %x, %w : (tensor<2x256xf32>, tensor<4x256xf32>) -> tensor<2x4xf32> loc("encoder/fc1")
  // The group (128) is not smaller than K: one scale per channel.
  %1 = qc.linear %x96, %w96 : (tensor<2x96xf32>, tensor<4x96xf32>) -> tensor<2x4xf32>
  // expected-remark@+1 {{group size 128 does not divide K = 200; using groups of 40}}
  %2 = qc.linear %x200, %w200 : (tensor<2x200xf32>, tensor<4x200xf32>) -> tensor<2x4xf32>
  %3 = qc.linear %x, %w : (tensor<2x256xf32>, tensor<4x256xf32>) -> tensor<2x4xf32> loc("lm_head")
  %4 = qc.linear %a, %b : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  return
}
