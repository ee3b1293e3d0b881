//===- qc-run.cpp - run a qc artifact on ONNX test data -------------------===//
//
// qc-run model.so --data DIR [--rtol R] [--atol A] [--save DIR2]
//                            [--repeat N] [--threads T]
//
// Reads DIR/input_N.pb (or .npy), runs the model with libqcrt, and when
// DIR/output_N.pb (or .npy) exist compares each output with it, printing
// "<name>: max_abs_err=<x> max_rel_err=<y>". Exit status 1 when an output is
// outside the tolerance (|got - want| <= atol + rtol * |want|, as the ONNX
// backend tests check) or anything fails. qc-run uses only libqcrt and the
// ONNX protobuf classes: no LLVM, no MLIR.
//
//===----------------------------------------------------------------------===//

#include "qc/runtime.h"
#include "tensor_files.h"

#include "onnx/onnx_pb.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "qc-run: error: %s\n", message.c_str());
  std::exit(1);
}

using qc::HostTensor;
using qc::countOf;

bool exists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

/// DIR/<stem>_<i>.pb or .npy; false when neither exists.
bool readIndexed(const std::string &dir, const char *stem, size_t i, HostTensor &out) {
  std::string error;
  qc::FileLookup found = qc::readIndexed(dir, stem, i, out, error);
  if (found == qc::FileLookup::Failed)
    die(error);
  return found == qc::FileLookup::Found;
}

double decodeHalf(uint16_t h) {
  int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  double sign = h & 0x8000 ? -1 : 1;
  if (exponent == 0)
    return sign * std::ldexp(mantissa, -24);
  if (exponent == 31)
    return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

double element(const char *p, qc_element_type type) {
  switch (type) {
  case QC_TYPE_FLOAT32: { float v; std::memcpy(&v, p, 4); return v; }
  case QC_TYPE_FLOAT64: { double v; std::memcpy(&v, p, 8); return v; }
  case QC_TYPE_FLOAT16: { uint16_t v; std::memcpy(&v, p, 2); return decodeHalf(v); }
  case QC_TYPE_BFLOAT16: {
    uint32_t bits = static_cast<uint32_t>(static_cast<unsigned char>(p[0]) |
                                          static_cast<unsigned char>(p[1]) << 8) << 16;
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
  }
  case QC_TYPE_INT8: return static_cast<int8_t>(*p);
  case QC_TYPE_UINT8: case QC_TYPE_BOOL: return static_cast<uint8_t>(*p);
  case QC_TYPE_INT16: { int16_t v; std::memcpy(&v, p, 2); return v; }
  case QC_TYPE_UINT16: { uint16_t v; std::memcpy(&v, p, 2); return v; }
  case QC_TYPE_INT32: { int32_t v; std::memcpy(&v, p, 4); return v; }
  case QC_TYPE_UINT32: { uint32_t v; std::memcpy(&v, p, 4); return v; }
  case QC_TYPE_INT64: { int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
  case QC_TYPE_UINT64: { uint64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
  case QC_TYPE_UNDEFINED: break;
  }
  return 0;
}

std::string shapeString(const int64_t *dims, size_t rank) {
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i)
    s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

/// Prints the comparison line; false when outside the tolerance.
bool compare(const std::string &name, const qc_tensor &got, const HostTensor &want, double rtol,
             double atol) {
  if (got.type != want.type) {
    std::printf("%s: type mismatch: got %s, expected %s\n", name.c_str(),
                qc_element_type_name(got.type), qc_element_type_name(want.type));
    return false;
  }
  if (static_cast<size_t>(got.rank) != want.dims.size() ||
      !std::equal(want.dims.begin(), want.dims.end(), got.dims)) {
    std::printf("%s: shape mismatch: got %s, expected %s\n", name.c_str(),
                shapeString(got.dims, got.rank).c_str(),
                shapeString(want.dims.data(), want.dims.size()).c_str());
    return false;
  }
  size_t n = countOf(want.dims), size = qc_element_size(want.type);
  double maxAbs = 0, maxRel = 0;
  bool ok = true;
  for (size_t i = 0; i < n; ++i) {
    double a = element(static_cast<const char *>(got.data) + i * size, got.type);
    double r = element(want.bytes.data() + i * size, want.type);
    if (std::isnan(a) || std::isnan(r)) {
      if (std::isnan(a) != std::isnan(r)) {
        ok = false;
        maxAbs = maxRel = INFINITY;
      }
      continue;
    }
    if (a == r) // equal infinities too
      continue;
    double diff = std::fabs(a - r);
    maxAbs = std::max(maxAbs, diff);
    if (r != 0)
      maxRel = std::max(maxRel, diff / std::fabs(r));
    if (!(diff <= atol + rtol * std::fabs(r)))
      ok = false;
  }
  std::printf("%s: max_abs_err=%g max_rel_err=%g%s\n", name.c_str(), maxAbs, maxRel,
              ok ? "" : " FAILED");
  return ok;
}

void writeTensorProto(const std::string &path, const std::string &name, const qc_tensor &t) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(t.type);
  for (int i = 0; i < t.rank; ++i)
    proto.add_dims(t.dims[i]);
  proto.set_raw_data(t.data, t.size);
  std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out || !proto.SerializeToOstream(&out))
      die(path + ": cannot write");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    die(path + ": cannot write");
}

void usage() {
  std::printf(
      "usage: qc-run MODEL.so --data DIR [options]\n\n"
      "Runs a qc artifact on DIR/input_N.pb (ONNX backend-test layout; .npy too)\n"
      "and compares each output with DIR/output_N.pb (or .npy) when present.\n\n"
      "options:\n"
      "  --data DIR      the inputs (input_0.pb, input_1.pb, ...), in the model's input order\n"
      "  --rtol R        relative tolerance (default 1e-3)\n"
      "  --atol A        absolute tolerance (default 1e-7)\n"
      "  --save DIR2     write the outputs as DIR2/output_N.pb\n"
      "  --repeat N      after one warm-up run, time N runs and print 'median_ms: <ms>'\n"
      "  --threads T     threads for the model's parallel loops (default: all cores)\n"
      "  --print-signature  print the model's inputs and outputs and exit\n"
      "  -h, --help      this message\n\n"
      "A comparison prints '<name>: max_abs_err=<x> max_rel_err=<y>' per output and\n"
      "exits 1 when any element has |got - want| > atol + rtol * |want|.\n");
}

} // namespace

int main(int argc, char **argv) {
  std::string modelPath, dataDir, saveDir;
  double rtol = 1e-3, atol = 1e-7;
  long repeat = 0, threads = 0;
  bool printSignature = false;
  auto toDouble = [](const std::string &s, const char *flag) {
    char *end;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end || !(v >= 0))
      die(std::string(flag) + " expects a non-negative number, got '" + s + "'");
    return v;
  };
  auto toCount = [](const std::string &s, const char *flag) {
    char *end;
    long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end || v < 1)
      die(std::string(flag) + " expects a positive integer, got '" + s + "'");
    return v;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    // --flag=value, or --flag value.
    size_t eq = a.rfind("--", 0) == 0 ? a.find('=') : std::string::npos;
    std::string flag = a.substr(0, eq);
    auto value = [&]() -> std::string {
      if (eq != std::string::npos)
        return a.substr(eq + 1);
      if (i + 1 >= argc)
        die(flag + " needs a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help" || a == "-help") {
      usage();
      return 0;
    } else if (flag == "--data") {
      dataDir = value();
    } else if (flag == "--save") {
      saveDir = value();
    } else if (flag == "--rtol") {
      rtol = toDouble(value(), "--rtol");
    } else if (flag == "--atol") {
      atol = toDouble(value(), "--atol");
    } else if (flag == "--repeat") {
      repeat = toCount(value(), "--repeat");
    } else if (flag == "--threads") {
      threads = toCount(value(), "--threads");
    } else if (a == "--print-signature") {
      printSignature = true;
    } else if (a.rfind("-", 0) == 0) {
      die("unknown option '" + a + "' (see --help)");
    } else if (modelPath.empty()) {
      modelPath = a;
    } else {
      die("more than one model given ('" + modelPath + "', '" + a + "')");
    }
  }
  if (modelPath.empty())
    die("no model given (usage: qc-run MODEL.so --data DIR; see --help)");
  if (!exists(modelPath))
    die(modelPath + ": no such file");

  qc_model *model = nullptr;
  if (qc_model_load(modelPath.c_str(), &model) != QC_OK)
    die(qc_last_error());
  size_t numInputs = qc_model_num_inputs(model), numOutputs = qc_model_num_outputs(model);
  if (printSignature) {
    for (size_t k = 0; k < 2; ++k)
      for (size_t i = 0; i < (k ? numOutputs : numInputs); ++i) {
        qc_tensor_info info;
        (k ? qc_model_output_info : qc_model_input_info)(model, i, &info);
        std::string dims;
        for (int d = 0; d < info.rank; ++d)
          dims += (d ? "," : "") + (info.dims[d] < 0 ? std::string("?") : std::to_string(info.dims[d]));
        std::printf("%s %zu: %s %s[%s]\n", k ? "output" : "input", i, info.name,
                    qc_element_type_name(info.type), dims.c_str());
      }
    qc_model_free(model);
    return 0;
  }
  if (dataDir.empty() && numInputs > 0)
    die("no --data DIR given (the model takes " + std::to_string(numInputs) + " inputs)");
  if (threads > 0)
    qc_model_set_num_threads(model, static_cast<int>(threads));

  std::vector<HostTensor> hostInputs(numInputs);
  for (size_t i = 0; i < numInputs; ++i) {
    qc_tensor_info info;
    qc_model_input_info(model, i, &info);
    if (!readIndexed(dataDir, "input", i, hostInputs[i]))
      die(dataDir + ": no input_" + std::to_string(i) + ".pb or .npy for input '" + info.name + "'");
    if (hostInputs[i].dims.size() > QC_MAX_RANK)
      die(dataDir + "/input_" + std::to_string(i) + ": rank above " + std::to_string(QC_MAX_RANK));
  }
  HostTensor extra;
  if (!dataDir.empty() && readIndexed(dataDir, "input", numInputs, extra))
    die(dataDir + ": has input_" + std::to_string(numInputs) + " but the model takes " +
        std::to_string(numInputs) + " inputs");
  std::vector<qc_tensor> inputs(numInputs);
  for (size_t i = 0; i < numInputs; ++i)
    inputs[i] = hostInputs[i].view();
  std::vector<qc_tensor> outputs(numOutputs);
  auto runOnce = [&] {
    for (qc_tensor &t : outputs)
      qc_tensor_release(&t);
    if (qc_model_run(model, inputs.data(), numInputs, outputs.data(), numOutputs) != QC_OK)
      die(modelPath + ": " + qc_last_error());
  };
  runOnce();
  if (repeat > 0) {
    std::vector<double> ms;
    for (long r = 0; r < repeat; ++r) {
      auto start = std::chrono::steady_clock::now();
      runOnce();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    std::printf("median_ms: %.4f\n", median);
  }

  bool ok = true;
  for (size_t i = 0; i < numOutputs; ++i) {
    qc_tensor_info info;
    qc_model_output_info(model, i, &info);
    HostTensor want;
    if (!dataDir.empty() && readIndexed(dataDir, "output", i, want)) {
      ok &= compare(info.name, outputs[i], want, rtol, atol);
    } else if (repeat == 0 && saveDir.empty()) {
      std::printf("%s: %s%s\n", info.name, qc_element_type_name(outputs[i].type),
                  shapeString(outputs[i].dims, outputs[i].rank).c_str());
    }
    if (!saveDir.empty())
      writeTensorProto(saveDir + "/output_" + std::to_string(i) + ".pb", info.name, outputs[i]);
  }
  for (qc_tensor &t : outputs)
    qc_tensor_release(&t);
  qc_model_free(model);
  return ok ? 0 : 1;
}
