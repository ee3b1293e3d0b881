//===- Passes.td - the CPU back end's passes ---------------*- tablegen -*-===//
//
// One `def` per pass, each implemented in lowering/cpu/<PassName>.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef QC_LOWERING_CPU_PASSES_TD
#define QC_LOWERING_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def QCExpandStridedCopies : Pass<"qc-cpu-expand-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Rewrite memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    `finalize-memref-to-llvm` turns a copy between contiguous buffers into
    `llvm.memcpy`, but any other copy (a slice, a transposed view) into a
    call to `memrefCopy` from MLIR's C runner library, which an artifact
    cannot depend on. This pass rewrites those copies into `linalg.copy`,
    which the pipeline lowers to loops like any other linalg op.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def QCResolveReshapeDims : Pass<"qc-cpu-resolve-reshape-dims", "mlir::func::FuncOp"> {
  let summary = "Replace memref.dim of reshapes by the sizes they are made of";
  let description = [{
    `memref.dim` of a `memref.collapse_shape` becomes the product of the
    source's dims in that group, and of a `memref.expand_shape` its
    `output_shape` entry. Besides removing work, this keeps upstream
    `expand-strided-metadata` (MLIR 22) from crashing on such dims of
    dynamic reshapes.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def QCApproximateMath : Pass<"qc-cpu-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Replace float32 erf, exp and tanh by upstream polynomial approximations";
  let description = [{
    libm's erff/expf are calls LLVM cannot vectorize; MLIR's polynomial
    approximations are plain arith, so the elementwise loops around them
    (GELU, softmax) vectorize. The approximations stay within the ONNX
    backend tests' tolerance (the conformance suite checks every such op).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def QCSerializeInnerParallelDims : Pass<"qc-cpu-serialize-inner-parallel-dims",
                                        "mlir::func::FuncOp"> {
  let summary = "Keep only the outermost dim of each loop nest parallel";
  let description = [{
    `convert-linalg-to-parallel-loops` makes every parallel dim of an op
    one multi-dimensional `scf.parallel`, which OpenMP would collapse into
    one index space (losing the unit-stride innermost loop that LLVM
    vectorizes). This pass keeps the outermost dim as the `scf.parallel`
    (the threads' share) and turns the others into `scf.for` loops inside
    it. An `scf.parallel` nested in another one, and one whose outermost
    dim has a static trip count below 2, becomes serial loops entirely.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def QCInlineAllocaScopes : Pass<"qc-cpu-inline-alloca-scopes", "mlir::func::FuncOp"> {
  let summary = "Inline memref.alloca_scope bodies that allocate nothing";
  let description = [{
    `convert-scf-to-openmp` wraps each parallel loop body in a
    `memref.alloca_scope`, whose region must stay a single block; once the
    loops inside it become control flow (`convert-scf-to-cf`) it no longer
    verifies. A scope without `memref.alloca` in it frees nothing, so its
    body is inlined.
  }];
}

def QCLowerContractionsToMmt4d : Pass<"qc-cpu-lower-contractions-to-mmt4d", "mlir::func::FuncOp"> {
  let summary = "Lower float qc.linear and qc.matmul to packed, tiled, vectorized mmt4d";
  let description = [{
    The CPU's float GEMMs, IREE's data-tiling recipe on upstream ops.

    A `qc.linear` whose weight is a float constant becomes:
    * the weight repacked at compile time into `[N/n0, K, n0]` tiles
      (zero-padded; viewed as `[N/n0, K, n0, 1]`), so the kernel streams
      it with unit stride;
    * the input flattened to `[M, K]`, padded to a multiple of `m0` rows
      and transposed tile by tile into `[M/m0, K, m0, 1]`;
    * `linalg.mmt4d` with the accumulator initialized to the (packed)
      bias, tiled into an `scf.forall` over the output's column tiles
      (threads) and `scf.for` loops over row tiles and K;
    * `linalg.unpack` back to `[M, N]` (a transpose whose innermost loop
      copies `n0` contiguous floats, then a slice), reshaped to the input's
      leading dims.

    A `qc.matmul` of float operands with the same batch dims on both sides
    (attention's `QK^T` and `PV`) becomes one `linalg.batch_mmt4d` over the
    flattened batch, both operands packed at run time, the batches on
    threads.

    In both, the innermost `m0 x n0 x 1` tile is one `vector.outerproduct`
    per step of K (`m0` FMAs on `n0`-wide vectors with broadcast operands)
    with the accumulator hoisted out of the K loop into registers.
    `m0 x n0` is 12x32 for AVX-512 and 6x16 for AVX2 (the pipeline picks by
    the target; measured fastest with bench/). Quantized weights, broadcast
    batches and other ops are left to `qc-lower-to-linalg`.
  }];
  let options = [
    Option<"tileM", "tile-m", "int64_t", "16", "Rows per register tile (m0)">,
    Option<"tileN", "tile-n", "int64_t", "16", "Columns per register tile (n0), one vector">,
    Option<"parallel", "parallel", "bool", "false",
           "Distribute column tiles with scf.forall (OpenMP after lowering)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def QCLowerVectors : Pass<"qc-cpu-lower-vectors", "mlir::func::FuncOp"> {
  let summary = "Hoist accumulators out of K loops and lower vector contractions to FMAs";
  let description = [{
    Runs after bufferization: hoists the loop-invariant accumulator
    transfers of each vectorized contraction out of its K loop (so the
    accumulators live in registers), drops unit vector dims, lowers
    `vector.contract` to outer products and those to `vector.fma`, and
    simplifies transfers to loads, stores and broadcasts.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect"];
}

def QCLowerHadamard : Pass<"qc-cpu-lower-hadamard", "mlir::ModuleOp"> {
  let summary = "Lower qc.hadamard to calls of the runtime's fast Walsh-Hadamard kernel";
  let description = [{
    Each `qc.hadamard` becomes a call of `qc_ukernel_hadamard`
    (runtime/kernels/hadamard.h, linked into the artifact) on a read-only
    buffer of its input flattened to rows x size, the base Hadamard matrix
    (passes/quantizers/Hadamard.h) and the signs as float constants, writing
    a new rows x size buffer that becomes the result. O(size log size) per
    row; qc-lower-to-linalg's dense product with the whole matrix is the
    reference it is checked against. `isa` picks the kernel's vector code,
    as for qc-cpu-lower-quantized-linear.
  }];
  let options = [
    Option<"isa", "isa", "std::string", "\"avx512-vnni\"", "avx512-vnni, avx2 or scalar">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def QCLowerQuantizedLinear : Pass<"qc-cpu-lower-quantized-linear", "mlir::ModuleOp"> {
  let summary = "Lower packed qc.quantized_linear to calls of the runtime's micro-kernel";
  let description = [{
    Each packed `qc.quantized_linear` becomes a call of
    `qc_ukernel_quantized_linear` (runtime/kernels, linked into the
    artifact) on read-only buffers of its input (flattened to rows x K), its
    packed weight and group parameters and its bias, writing a new rows x N
    buffer that becomes the result (reshaped back to the input's leading
    dims). The kernel quantizes int8 activations itself (its prologue) and
    runs on the OpenMP threads.

    Micro-kernels rather than generated code here: the int4 unpack and
    `vpdpbusd` inner loops are hand-scheduled for the packed layout, and the
    kernels are measured against the memory-bandwidth roofline in bench/.
    `isa` picks the variant (`compileToSharedObject` chooses from the
    target's features): `avx512-vnni`, `avx2` or `scalar`.
  }];
  let options = [
    Option<"isa", "isa", "std::string", "\"avx512-vnni\"", "avx512-vnni, avx2 or scalar">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def QCLowerObserve : Pass<"qc-cpu-lower-observe", "mlir::ModuleOp"> {
  let summary = "Lower qc.observe to calls of qc_calibration_observe";
  let description = [{
    Each `qc.observe %x {id = N}` becomes a call of the external function
    `qc_calibration_observe(i64 N, memref<?x?xf32>)` on a read-only buffer
    of `%x` flattened to rows x channels (its last dimension), which
    bufferization resolves to the tensor's own buffer. The module gets a
    private declaration of the function. The function is not the
    artifact's: the tool that runs the program exports it
    (`_mlir_ciface_qc_calibration_observe`, lowering/cpu/CalibrationExecutor.cpp),
    and only while a calibration run is in progress does it pass the rows
    on to that run's observers.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def QCLowerChecks : Pass<"qc-cpu-lower-checks", "mlir::ModuleOp"> {
  let summary = "Lower qc.check to calls of the artifact's failure recorder";
  let description = [{
    Numbers the module's `qc.check` ops in order and turns each into
    `scf.if` on its failed condition around a call of the external function
    `qc_check_failed(i64 N, i64, i64, i64)` with the check's values
    (sign-extended, 0 for those it lacks). The messages, each prefixed with
    the name of the check's location (the ONNX node), go to the module
    attribute `qc.checks` in the same order: the artifact writer lists them
    in the artifact's signature and defines `qc_check_failed`, which keeps
    the first failure of a run for the runtime to report.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // QC_LOWERING_CPU_PASSES_TD
