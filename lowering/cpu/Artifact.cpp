//===- Artifact.cpp - compile a qc module into a loadable CPU artifact -----===//

#include "lowering/cpu/Artifact.h"

#include "dialects/qc/QCDialect.h"
#include "runtime/include/qc/artifact.h"
#include "runtime/include/qc/runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <cstring>
#include <memory>

using namespace mlir;

#ifndef QC_LLD_PATH
#define QC_LLD_PATH "ld.lld"
#endif
#ifndef QC_OPENMP_LIB_DIR
#define QC_OPENMP_LIB_DIR ""
#endif

namespace qc::cpu {

/// ONNX's TensorProto.DataType of an MLIR element type, for modules that
/// carry no onnx.elem_type (written by hand rather than imported).
static int32_t inferOnnxType(Type type) {
  if (type.isF32()) return 1;
  if (type.isF64()) return 11;
  if (type.isF16()) return 10;
  if (type.isBF16()) return 16;
  if (type.isInteger(1)) return 9;
  if (type.isInteger(8)) return 3;
  if (type.isInteger(16)) return 5;
  if (type.isInteger(32)) return 6;
  if (type.isInteger(64)) return 7;
  return 0;
}

FailureOr<ModelSignature> getModelSignature(ModuleOp module, std::string &error) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main) {
    error = "the module has no function 'main'";
    return failure();
  }
  auto describe = [&](Type type, DictionaryAttr attrs, StringRef kind, unsigned index,
                      TensorSignature &out) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor) {
      error = (kind + " " + Twine(index) + " of 'main' is not a ranked tensor").str();
      return failure();
    }
    auto name = attrs ? attrs.getAs<StringAttr>("onnx.name") : StringAttr();
    out.name = name ? name.str() : (kind + "_" + Twine(index)).str();
    auto elemType = attrs ? attrs.getAs<IntegerAttr>("onnx.elem_type") : IntegerAttr();
    out.onnxType = elemType ? static_cast<int32_t>(elemType.getInt())
                            : inferOnnxType(tensor.getElementType());
    if (out.onnxType == 0) {
      error = (kind + " '" + out.name + "' has an element type the runtime cannot hold").str();
      return failure();
    }
    if (tensor.getRank() > QC_MAX_RANK) {
      error = (kind + " '" + out.name + "' has rank " + Twine(tensor.getRank()) +
               "; libqcrt passes tensors of rank up to " + Twine(QC_MAX_RANK))
                  .str();
      return failure();
    }
    for (int64_t d : tensor.getShape())
      out.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
    if (auto params = attrs ? attrs.getAs<ArrayAttr>("onnx.dim_params") : ArrayAttr())
      for (Attribute param : params)
        out.dimParams.push_back(cast<StringAttr>(param).str());
    return success();
  };
  ModelSignature signature;
  FunctionType type = main.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i)
    if (failed(describe(type.getInput(i), main.getArgAttrDict(i), "input", i,
                        signature.inputs.emplace_back())))
      return failure();
  for (unsigned i = 0; i < type.getNumResults(); ++i)
    if (failed(describe(type.getResult(i), main.getResultAttrDict(i), "output", i,
                        signature.outputs.emplace_back())))
      return failure();
  if (signature.outputs.empty()) {
    error = "'main' has no results";
    return failure();
  }
  return signature;
}

std::string printSignature(const ModelSignature &signature) {
  std::string text = "qc-artifact 2\n";
  llvm::raw_string_ostream os(text);
  auto line = [&](StringRef kind, const TensorSignature &t) {
    os << kind << " " << t.onnxType << " " << t.shape.size();
    for (int64_t d : t.shape)
      os << " " << d;
    // The name ends the line; line breaks in it would end it early.
    std::string name = t.name;
    for (char &c : name)
      if (c == '\n' || c == '\r')
        c = ' ';
    os << " " << name << "\n";
  };
  for (const TensorSignature &t : signature.inputs)
    line("input", t);
  for (const TensorSignature &t : signature.outputs)
    line("output", t);
  for (auto [i, t] : llvm::enumerate(signature.inputs)) {
    if (t.dimParams.empty())
      continue;
    os << "dim_params " << i;
    for (const std::string &param : t.dimParams) {
      std::string word = param.empty() ? "-" : param;
      for (char &c : word)
        if (isspace(static_cast<unsigned char>(c)))
          c = '_';
      os << " " << word;
    }
    os << "\n";
  }
  for (auto [i, message] : llvm::enumerate(signature.checks)) {
    std::string line = message;
    for (char &c : line)
      if (c == '\n' || c == '\r')
        c = ' ';
    os << "check " << i << " " << line << "\n";
  }
  return text;
}

/// Runs `pm` on `module`, collecting the diagnostics into `error`.
static LogicalResult runCollectingErrors(PassManager &pm, ModuleOp module, std::string &error) {
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error) {
      if (!diagnostics.empty())
        os << "; ";
      os << diag.getLocation() << ": " << diag.str();
    }
    return success();
  });
  if (succeeded(pm.run(module)))
    return success();
  error = diagnostics.empty() ? "code generation failed" : diagnostics;
  return failure();
}

LogicalResult lowerToLLVMDialect(ModuleOp module, const CodegenOptions &codegen,
                                 std::string &error) {
  PassManager pm(module.getContext());
  buildCodegenPipeline(pm, codegen);
  if (failed(runCollectingErrors(pm, module, error))) {
    error = "code generation failed: " + error;
    return failure();
  }
  return success();
}

/// The LLVM CPU name and feature string `target` resolves to here.
static std::pair<std::string, std::string> resolveTarget(const TargetOptions &target) {
  std::string cpu = target.cpu;
  SmallVector<std::string> features;
  if (cpu.empty() || cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features.push_back((feature.second ? "+" : "-") + feature.first().str());
  }
  if (!target.features.empty())
    features.push_back(target.features);
  return {cpu, llvm::join(features, ",")};
}

/// Defines qc_check_failed, which the lowered checks call: the first failure
/// of a run (a compare-and-swap, since checks may fail on several threads)
/// stores 1 + its number in `status` and its values in `values`.
static void defineCheckFailed(llvm::Module &m, llvm::Function *f, llvm::GlobalVariable *status,
                              llvm::GlobalVariable *values) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  f->setLinkage(llvm::GlobalValue::InternalLinkage);
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", f);
  auto *first = llvm::BasicBlock::Create(ctx, "first", f);
  auto *done = llvm::BasicBlock::Create(ctx, "done", f);
  llvm::IRBuilder<> b(entry);
  llvm::Value *code = b.CreateAdd(f->getArg(0), llvm::ConstantInt::get(i64, 1));
  llvm::Value *swap = b.CreateAtomicCmpXchg(status, llvm::ConstantInt::get(i64, 0), code,
                                            llvm::MaybeAlign(8), llvm::AtomicOrdering::SequentiallyConsistent,
                                            llvm::AtomicOrdering::SequentiallyConsistent);
  b.CreateCondBr(b.CreateExtractValue(swap, 1), first, done);
  b.SetInsertPoint(first);
  for (unsigned i = 0; i < 3; ++i)
    b.CreateStore(f->getArg(1 + i), b.CreateConstGEP2_64(values->getValueType(), values, 0, i));
  b.CreateBr(done);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
}

/// Adds the artifact's exported symbols around `_mlir_ciface_main`, and
/// hides everything else.
static LogicalResult addEntryPoints(llvm::Module &m, const ModelSignature &signature,
                                    bool parallel, std::string &error) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Function *ciface = m.getFunction("_mlir_ciface_main");
  if (!ciface || ciface->arg_size() != signature.inputs.size() + 1) {
    error = "code generation did not give main a C interface";
    return failure();
  }
  for (llvm::Function &f : m)
    if (!f.isDeclaration())
      f.setLinkage(llvm::GlobalValue::InternalLinkage);

  auto *ptr = llvm::PointerType::get(ctx, 0);
  auto *voidType = llvm::Type::getVoidTy(ctx);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  // The run's status: 0, or 1 + the first failed check's number.
  auto *status = new llvm::GlobalVariable(m, i64, /*isConstant=*/false,
                                          llvm::GlobalValue::InternalLinkage,
                                          llvm::ConstantInt::get(i64, 0), "qc_model_status");
  auto *valuesType = llvm::ArrayType::get(i64, 3);
  auto *values = new llvm::GlobalVariable(m, valuesType, /*isConstant=*/false,
                                          llvm::GlobalValue::ExternalLinkage,
                                          llvm::ConstantAggregateZero::get(valuesType),
                                          "qc_model_check_values");
  // The lowered checks call it through MLIR's C interface (every function
  // gets one, llvm-request-c-wrappers) or directly.
  for (std::string name : {"_mlir_ciface_" + std::string(kCheckFailed), std::string(kCheckFailed)})
    if (llvm::Function *checkFailed = m.getFunction(name); checkFailed && checkFailed->isDeclaration()) {
      defineCheckFailed(m, checkFailed, status, values);
      break;
    }

  auto *run = llvm::Function::Create(llvm::FunctionType::get(i64, {ptr}, false),
                                     llvm::GlobalValue::ExternalLinkage, "qc_model_run", m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", run));
  b.CreateStore(llvm::ConstantInt::get(i64, 0), status);
  SmallVector<llvm::Value *> args;
  for (unsigned i = 0; i < ciface->arg_size(); ++i)
    args.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, run->getArg(0), i)));
  b.CreateCall(ciface, args);
  b.CreateRet(b.CreateLoad(i64, status));

  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *setThreads = llvm::Function::Create(llvm::FunctionType::get(voidType, {i32}, false),
                                            llvm::GlobalValue::ExternalLinkage,
                                            "qc_model_set_num_threads", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", setThreads));
  if (parallel) {
    llvm::FunctionCallee omp =
        m.getOrInsertFunction("omp_set_num_threads", llvm::FunctionType::get(voidType, {i32}, false));
    b.CreateCall(omp, {setThreads->getArg(0)});
  }
  b.CreateRetVoid();

  llvm::Constant *text = llvm::ConstantDataArray::getString(ctx, printSignature(signature));
  new llvm::GlobalVariable(m, text->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, text, "qc_model_signature");
  return success();
}

static std::unique_ptr<llvm::TargetMachine> createTargetMachine(const TargetOptions &target,
                                                                std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *t = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!t)
    return nullptr;
  auto [cpu, features] = resolveTarget(target);
  // Checked first: LLVM itself only warns and ignores unknown names.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(t->createMCSubtargetInfo(triple, "generic", ""));
  if (!generic->isCPUStringValid(cpu)) {
    error = "-mcpu=" + cpu + " is not a CPU LLVM knows for x86-64";
    return nullptr;
  }
  SmallVector<StringRef> requested;
  StringRef(target.features).split(requested, ',', -1, /*KeepEmpty=*/false);
  for (StringRef feature : requested) {
    StringRef name = feature.trim().drop_while([](char c) { return c == '+' || c == '-'; });
    if (!llvm::any_of(generic->getAllProcessorFeatures(),
                      [&](const llvm::SubtargetFeatureKV &kv) { return name == kv.Key; })) {
      error = "-mattr: '" + feature.trim().str() + "' is not an x86-64 feature LLVM knows";
      return nullptr;
    }
  }
  // a * b + c may become one fused multiply-add (as -ffp-contract=fast):
  // one rounding instead of two, never less accurate.
  llvm::TargetOptions options;
  options.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  std::unique_ptr<llvm::TargetMachine> tm(t->createTargetMachine(
      triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    error = "cannot create a target machine for -mcpu=" + cpu;
  return tm;
}

static void optimize(llvm::Module &m, llvm::TargetMachine &tm) {
  // Explicit 512-bit vectors would otherwise be split in two on CPUs that
  // LLVM prefers 256-bit vectors for.
  bool avx512 = tm.getMCSubtargetInfo()->checkFeatures("+avx512f");
  for (llvm::Function &f : m) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", tm.getTargetCPU());
    f.addFnAttr("target-features", tm.getTargetFeatureString());
    if (avx512) {
      f.addFnAttr("prefer-vector-width", "512");
      f.addFnAttr("min-legal-vector-width", "512");
    }
  }
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(m, mam);
}

static LogicalResult emitObject(llvm::Module &m, llvm::TargetMachine &tm, StringRef path,
                                std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = (path + ": cannot write: " + ec.message()).str();
    return failure();
  }
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return failure();
  }
  pm.run(m);
  os.flush();
  if (os.has_error()) {
    error = (path + ": write failed").str();
    return failure();
  }
  return success();
}

/// Appends the artifact footer (runtime/include/qc/artifact.h: the format
/// version and a checksum of the shared object), which libqcrt checks before
/// it loads the file.
static LogicalResult appendFooter(StringRef path, std::string &error) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = (path + ": cannot read the linked artifact: " + buffer.getError().message()).str();
    return failure();
  }
  qc_artifact_footer footer{};
  std::memcpy(footer.magic, QC_ARTIFACT_MAGIC, sizeof footer.magic);
  footer.version = QC_ARTIFACT_FORMAT_VERSION;
  footer.content_size = (*buffer)->getBufferSize();
  footer.checksum = qc_artifact_checksum_final(
      qc_artifact_checksum_update(
          0, reinterpret_cast<const unsigned char *>((*buffer)->getBufferStart()),
          footer.content_size),
      footer.content_size);
  buffer->reset();
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Append);
  if (!ec) {
    // x86-64 only: the host's byte order is the footer's (little-endian).
    os.write(reinterpret_cast<const char *>(&footer), sizeof footer);
    os.close();
    ec = os.error();
  }
  if (ec) {
    error = (path + ": cannot write: " + ec.message()).str();
    return failure();
  }
  return success();
}

static LogicalResult link(StringRef object, StringRef output, bool parallel, bool kernels,
                          std::string &error) {
  std::string lld = QC_LLD_PATH;
  if (const char *env = getenv("QC_LLD"))
    lld = env;
  llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(lld);
  if (!found) {
    error = "cannot find the linker '" + lld + "' (set QC_LLD)";
    return failure();
  }
  std::vector<std::string> argv{*found, "-shared", "--as-needed", "-o", output.str(),
                                object.str(), "-L/usr/lib/x86_64-linux-gnu", "-lm"};
  // The quantized kernels (runtime/kernels) are linked in; they use OpenMP.
  if (kernels)
    argv.push_back(QC_KERNELS_LIB);
  if (parallel || kernels) {
    std::string dir = QC_OPENMP_LIB_DIR;
    argv.insert(argv.end(), {"-L" + dir, "-rpath", dir, "-lomp"});
  }
  SmallVector<StringRef> refs(argv.begin(), argv.end());
  std::string message;
  SmallString<128> logPath;
  if (llvm::sys::fs::createTemporaryFile("qc-link", "log", logPath)) {
    error = "cannot create a temporary file";
    return failure();
  }
  llvm::sys::RemoveFileOnSignal(logPath);
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath), StringRef(logPath)};
  int rc = llvm::sys::ExecuteAndWait(*found, refs, std::nullopt, redirects, 0, 0, &message);
  if (rc != 0) {
    auto buffer = llvm::MemoryBuffer::getFile(logPath);
    error = "linking failed: " + (buffer ? (*buffer)->getBuffer().trim().str() : message);
  }
  llvm::sys::fs::remove(logPath);
  llvm::sys::DontRemoveFileOnSignal(logPath);
  return success(rc == 0);
}

LogicalResult compileToSharedObject(ModuleOp module, const CodegenOptions &codegen,
                                    const TargetOptions &target, StringRef outputPath,
                                    std::string &error) {
  FailureOr<ModelSignature> signature = getModelSignature(module, error);
  if (failed(signature))
    return failure();
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(target, error);
  if (!tm)
    return failure();
  // The GEMM register tile, rows x columns (measured with bench/): 12 x 32
  // with AVX-512 (24 accumulators, two vectors of B, a broadcast: 27 of
  // its 32 registers), 6 x 16 with AVX2 (12 accumulators in 16 registers).
  CodegenOptions options = codegen;
  // Resolved feature bits (a "-avx512f" after the host's "+avx512vnni"
  // turns both off), not the feature string.
  const llvm::MCSubtargetInfo *sti = tm->getMCSubtargetInfo();
  if (sti->checkFeatures("+avx512f")) {
    options.tileM = 12;
    options.tileN = 32;
  } else {
    options.tileM = 6;
    options.tileN = 16;
  }
  // The quantized kernels: VNNI needs AVX-512 F/BW/VL; AVX2 needs FMA too.
  if (sti->checkFeatures("+avx512f,+avx512bw,+avx512vl,+avx512vnni"))
    options.kernelIsa = "avx512-vnni";
  else if (sti->checkFeatures("+avx2,+fma"))
    options.kernelIsa = "avx2";
  else
    options.kernelIsa = "scalar";
  // The runtime's kernels are linked in for the ops that lower to calls.
  bool kernels = false;
  module.walk([&](Operation *op) {
    if (isa<qc::QuantizedLinearOp, qc::HadamardOp>(op))
      kernels = true;
  });
  if (failed(lowerToLLVMDialect(module, options, error)))
    return failure();
  // The checks' messages go into the signature; the attribute, which LLVM
  // IR has no place for, goes away.
  if (auto checks = module->getAttrOfType<ArrayAttr>(kChecksAttr)) {
    for (Attribute message : checks)
      signature->checks.push_back(cast<StringAttr>(message).str());
    module->removeAttr(kChecksAttr);
  }

  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  module.getContext()->appendDialectRegistry(registry);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> m = translateModuleToLLVMIR(module, llvmContext, "qc-model");
  if (!m) {
    error = "translation to LLVM IR failed";
    return failure();
  }
  m->setTargetTriple(tm->getTargetTriple());
  m->setDataLayout(tm->createDataLayout());
  if (failed(addEntryPoints(*m, *signature, codegen.parallel, error)))
    return failure();
  std::string verifyErrors;
  llvm::raw_string_ostream verifyOs(verifyErrors);
  if (llvm::verifyModule(*m, &verifyOs)) {
    error = "the generated LLVM IR does not verify: " + verifyErrors;
    return failure();
  }
  optimize(*m, *tm);

  SmallString<128> object;
  if (llvm::sys::fs::createTemporaryFile("qc-model", "o", object)) {
    error = "cannot create a temporary file";
    return failure();
  }
  // The shared object is linked next to its destination, under a name of
  // its own (never a file of the user's), and renamed into place, so a
  // failure never leaves a partial artifact behind; SIGINT and SIGTERM
  // remove both temporaries too.
  SmallString<128> partial;
  {
    int fd;
    if (std::error_code ec =
            llvm::sys::fs::createUniqueFile(outputPath + ".partial-%%%%%%", fd, partial)) {
      llvm::sys::fs::remove(object);
      error = (outputPath + ": cannot write: " + ec.message()).str();
      return failure();
    }
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  }
  llvm::sys::RemoveFileOnSignal(object);
  llvm::sys::RemoveFileOnSignal(partial);
  auto cleanup = [&] {
    llvm::sys::fs::remove(object);
    llvm::sys::fs::remove(partial);
    llvm::sys::DontRemoveFileOnSignal(object);
    llvm::sys::DontRemoveFileOnSignal(partial);
  };
  if (failed(emitObject(*m, *tm, object, error)) ||
      failed(link(object, partial, codegen.parallel, kernels, error)) ||
      failed(appendFooter(partial, error))) {
    cleanup();
    return failure();
  }
  if (std::error_code ec = llvm::sys::fs::rename(partial, outputPath)) {
    error = (outputPath + ": cannot write: " + ec.message()).str();
    cleanup();
    return failure();
  }
  llvm::sys::DontRemoveFileOnSignal(partial);
  llvm::sys::fs::remove(object);
  llvm::sys::DontRemoveFileOnSignal(object);
  return success();
}

} // namespace qc::cpu
