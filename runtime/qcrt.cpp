//===- qcrt.cpp - libqcrt: load and run qc artifacts ----------------------===//
//
// An artifact is a shared object exporting qc_model_signature,
// qc_model_run and qc_model_set_num_threads (lowering/cpu/Artifact.h
// writes them). Inputs are passed to qc_model_run as MLIR memref
// descriptors {allocated, aligned, offset, sizes[rank], strides[rank]};
// the results come back the same way, in buffers the model allocated with
// malloc, which become the caller's.
//
//===----------------------------------------------------------------------===//

#include "qc/runtime.h"
#include "qc/artifact.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace {

thread_local std::string lastError;

qc_status fail(qc_status status, const std::string &message) {
  lastError = message;
  return status;
}

struct TensorInfo {
  std::string name;
  qc_element_type type;
  std::vector<int64_t> dims;
  std::vector<std::string> dimParams; // "" for a dim without a symbolic name
};

using RunFn = int64_t (*)(void **);
using SetThreadsFn = void (*)(int);

} // namespace

struct qc_model {
  void *handle = nullptr;
  std::string path;
  RunFn run = nullptr;
  SetThreadsFn setThreads = nullptr;
  const int64_t *checkValues = nullptr; // the failed check's values
  std::vector<TensorInfo> inputs, outputs;
  std::vector<std::string> checks; // messages, by number
};

extern "C" {

const char *qc_last_error(void) { return lastError.c_str(); }

const char *qc_status_string(qc_status status) {
  switch (status) {
  case QC_OK: return "ok";
  case QC_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case QC_ERROR_CANNOT_LOAD: return "cannot load";
  case QC_ERROR_CORRUPT_ARTIFACT: return "corrupt artifact";
  case QC_ERROR_MISSING_INPUT: return "missing input";
  case QC_ERROR_WRONG_TYPE: return "wrong type";
  case QC_ERROR_WRONG_SHAPE: return "wrong shape";
  case QC_ERROR_BUFFER_TOO_SMALL: return "buffer too small";
  case QC_ERROR_OUT_OF_MEMORY: return "out of memory";
  case QC_ERROR_INVALID_INPUT: return "invalid input";
  }
  return "unknown status";
}

size_t qc_element_size(qc_element_type type) {
  switch (type) {
  case QC_TYPE_UINT8: case QC_TYPE_INT8: case QC_TYPE_BOOL: return 1;
  case QC_TYPE_UINT16: case QC_TYPE_INT16: case QC_TYPE_FLOAT16: case QC_TYPE_BFLOAT16: return 2;
  case QC_TYPE_FLOAT32: case QC_TYPE_INT32: case QC_TYPE_UINT32: return 4;
  case QC_TYPE_INT64: case QC_TYPE_UINT64: case QC_TYPE_FLOAT64: return 8;
  case QC_TYPE_UNDEFINED: return 0;
  }
  return 0;
}

const char *qc_element_type_name(qc_element_type type) {
  switch (type) {
  case QC_TYPE_FLOAT32: return "float32";
  case QC_TYPE_UINT8: return "uint8";
  case QC_TYPE_INT8: return "int8";
  case QC_TYPE_UINT16: return "uint16";
  case QC_TYPE_INT16: return "int16";
  case QC_TYPE_INT32: return "int32";
  case QC_TYPE_INT64: return "int64";
  case QC_TYPE_BOOL: return "bool";
  case QC_TYPE_FLOAT16: return "float16";
  case QC_TYPE_FLOAT64: return "float64";
  case QC_TYPE_UINT32: return "uint32";
  case QC_TYPE_UINT64: return "uint64";
  case QC_TYPE_BFLOAT16: return "bfloat16";
  case QC_TYPE_UNDEFINED: break;
  }
  return "undefined";
}

} // extern "C"

namespace {

/// Parses qc_model_signature; false with `error` set when it is malformed.
bool parseSignature(const char *text, qc_model &model, std::string &error) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "qc-artifact 2") {
    error = line == "qc-artifact 1"
                ? "written by an older qc (artifact format 1, this runtime reads 2): compile it again"
                : "unknown artifact format '" + line + "'";
    return false;
  }
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind;
    if (line.rfind("check ", 0) == 0) {
      size_t index = 0;
      fields >> kind >> index;
      if (!fields || index != model.checks.size()) {
        error = "malformed signature line '" + line + "'";
        return false;
      }
      fields.get(); // the space before the message
      std::getline(fields, model.checks.emplace_back());
      continue;
    }
    if (line.rfind("dim_params ", 0) == 0) {
      size_t index = 0;
      fields >> kind >> index;
      if (!fields || index >= model.inputs.size()) {
        error = "malformed signature line '" + line + "'";
        return false;
      }
      TensorInfo &input = model.inputs[index];
      std::string param;
      while (fields >> param)
        input.dimParams.push_back(param == "-" ? "" : param);
      if (input.dimParams.size() != input.dims.size()) {
        error = "malformed signature line '" + line + "'";
        return false;
      }
      continue;
    }
    int type = 0, rank = -1;
    fields >> kind >> type >> rank;
    if ((kind != "input" && kind != "output") || !fields || rank < 0 || rank > QC_MAX_RANK ||
        qc_element_size(static_cast<qc_element_type>(type)) == 0) {
      error = "malformed signature line '" + line + "'";
      return false;
    }
    TensorInfo info{"", static_cast<qc_element_type>(type), std::vector<int64_t>(rank), {}};
    for (int64_t &d : info.dims)
      if (!(fields >> d) || d < -1) {
        error = "malformed signature line '" + line + "'";
        return false;
      }
    fields.get(); // the space before the name
    std::getline(fields, info.name);
    (kind == "input" ? model.inputs : model.outputs).push_back(std::move(info));
  }
  if (model.outputs.empty()) {
    error = "the signature lists no outputs";
    return false;
  }
  return true;
}

/// The message of check number `code - 1` with its values filled in.
std::string describeFailedCheck(const qc_model &model, int64_t code) {
  if (code < 1 || static_cast<size_t>(code) > model.checks.size())
    return model.path + ": a run-time check failed (number " + std::to_string(code - 1) +
           ", which the artifact does not describe)";
  const std::string &format = model.checks[code - 1];
  std::string text;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '{' && i + 2 < format.size() && format[i + 1] >= '0' &&
        format[i + 1] <= '2' && format[i + 2] == '}') {
      text += std::to_string(model.checkValues[format[i + 1] - '0']);
      i += 2;
    } else {
      text += format[i];
    }
  }
  return text;
}

std::string describeShape(const int64_t *dims, int64_t rank) {
  std::string s = "[";
  for (int64_t i = 0; i < rank; ++i)
    s += (i ? "," : "") + (dims[i] < 0 ? std::string("?") : std::to_string(dims[i]));
  return s + "]";
}

size_t countElements(const int64_t *dims, int64_t rank) {
  size_t n = 1;
  for (int64_t i = 0; i < rank; ++i)
    n *= static_cast<size_t>(dims[i]);
  return n;
}

qc_status getInfo(const std::vector<TensorInfo> &list, size_t index, qc_tensor_info *info,
                  const char *kind) {
  if (!info)
    return fail(QC_ERROR_INVALID_ARGUMENT, "info is NULL");
  if (index >= list.size())
    return fail(QC_ERROR_INVALID_ARGUMENT, std::string(kind) + " index " + std::to_string(index) +
                                               " out of range (the model has " +
                                               std::to_string(list.size()) + ")");
  const TensorInfo &t = list[index];
  *info = {t.name.c_str(), t.type, static_cast<int32_t>(t.dims.size()), t.dims.data()};
  return QC_OK;
}

int64_t findByName(const std::vector<TensorInfo> &list, const char *name) {
  for (size_t i = 0; name && i < list.size(); ++i)
    if (list[i].name == name)
      return static_cast<int64_t>(i);
  return -1;
}

/// pread of exactly n bytes at offset, or false.
bool readAt(int fd, void *buffer, size_t n, uint64_t offset) {
  auto *p = static_cast<char *>(buffer);
  while (n > 0) {
    ssize_t got = pread(fd, p, n, static_cast<off_t>(offset));
    if (got <= 0)
      return false;
    p += got;
    n -= static_cast<size_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return true;
}

/// begin + count * size <= limit, without overflow.
bool fitsIn(uint64_t begin, uint64_t count, uint64_t size, uint64_t limit) {
  if (begin > limit || (size != 0 && count > (limit - begin) / size))
    return false;
  return true;
}

/// What dlopen would trust, checked first, so that a truncated, corrupted or
/// foreign file is an error and not a fault inside the loader: a regular
/// file; the artifact footer (qc/artifact.h) with this format version, the
/// content's size and checksum; an x86-64 ELF shared object whose program
/// headers, loaded segments and section headers lie inside the content.
qc_status validateArtifact(const std::string &path, std::string &error) {
  // O_NONBLOCK: opening a FIFO does not wait for a writer.
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": cannot load: " + std::strerror(errno);
    return QC_ERROR_CANNOT_LOAD;
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = path + ": cannot load: not a regular file";
    return QC_ERROR_CANNOT_LOAD;
  }
  auto corrupt = [&](const std::string &why) {
    error = path + ": not a valid qc artifact: " + why;
    return QC_ERROR_CORRUPT_ARTIFACT;
  };
  uint64_t size = static_cast<uint64_t>(st.st_size);
  qc_artifact_footer footer;
  if (size < sizeof(Elf64_Ehdr) + sizeof footer || !readAt(fd, &footer, sizeof footer,
                                                           size - sizeof footer) ||
      std::memcmp(footer.magic, QC_ARTIFACT_MAGIC, sizeof footer.magic) != 0)
    return corrupt("no qc artifact footer (truncated, or not written by qc-compile)");
  if (footer.version != QC_ARTIFACT_FORMAT_VERSION)
    return corrupt("artifact format version " + std::to_string(footer.version) +
                   ", this libqcrt reads version " +
                   std::to_string(QC_ARTIFACT_FORMAT_VERSION) + " (compile the model again)");
  uint64_t content = size - sizeof footer;
  if (footer.content_size != content)
    return corrupt("the footer gives " + std::to_string(footer.content_size) +
                   " bytes of content, the file has " + std::to_string(content));
  std::vector<unsigned char> chunk(1 << 20);
  uint64_t h = 0;
  for (uint64_t at = 0; at < content;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), content - at));
    if (!readAt(fd, chunk.data(), n, at))
      return corrupt("cannot read it");
    h = qc_artifact_checksum_update(h, chunk.data(), n);
    at += n;
  }
  if (qc_artifact_checksum_final(h, content) != footer.checksum)
    return corrupt("checksum mismatch (the file was modified or damaged)");

  Elf64_Ehdr eh;
  if (!readAt(fd, &eh, sizeof eh, 0) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
    return corrupt("not an ELF file");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
      eh.e_type != ET_DYN || eh.e_machine != EM_X86_64)
    return corrupt("not an x86-64 ELF shared object");
  if (eh.e_phentsize != sizeof(Elf64_Phdr) ||
      !fitsIn(eh.e_phoff, eh.e_phnum, sizeof(Elf64_Phdr), content) ||
      (eh.e_shnum && (eh.e_shentsize != sizeof(Elf64_Shdr) ||
                      !fitsIn(eh.e_shoff, eh.e_shnum, sizeof(Elf64_Shdr), content))))
    return corrupt("ELF headers beyond the end of the file");
  std::vector<Elf64_Phdr> ph(eh.e_phnum);
  if (eh.e_phnum && !readAt(fd, ph.data(), ph.size() * sizeof(Elf64_Phdr), eh.e_phoff))
    return corrupt("cannot read the program headers");
  for (const Elf64_Phdr &p : ph)
    if (p.p_type == PT_LOAD && !fitsIn(p.p_offset, 1, p.p_filesz, content))
      return corrupt("a loaded segment lies beyond the end of the file");
  return QC_OK;
}

} // namespace

extern "C" {

qc_status qc_model_load(const char *path, qc_model **model) {
  if (!path || !model)
    return fail(QC_ERROR_INVALID_ARGUMENT, "path or model is NULL");
  *model = nullptr;
  // A model allocates its intermediate buffers with malloc on every run.
  // glibc would serve the large ones with fresh mmaps (and trim the heap
  // after them), so each run paid for page faults on all of them; this
  // keeps them on the heap, reused from run to run. Process-wide, once.
  static bool tuned = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    return true;
  }();
  (void)tuned;
  // A name without a slash is the file in the current directory, not one
  // the loader would search for.
  std::string file = std::strchr(path, '/') ? std::string(path) : "./" + std::string(path);
  std::string error;
  if (qc_status status = validateArtifact(file, error); status != QC_OK)
    return fail(status, error);
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    return fail(QC_ERROR_CANNOT_LOAD, std::string(path) + ": cannot load: " + (why ? why : "?"));
  }
  auto *m = new qc_model;
  m->handle = handle;
  m->path = path;
  auto *signature = static_cast<const char *>(dlsym(handle, "qc_model_signature"));
  m->run = reinterpret_cast<RunFn>(dlsym(handle, "qc_model_run"));
  m->setThreads = reinterpret_cast<SetThreadsFn>(dlsym(handle, "qc_model_set_num_threads"));
  m->checkValues = static_cast<const int64_t *>(dlsym(handle, "qc_model_check_values"));
  if (!signature || !m->run || !m->setThreads || !m->checkValues)
    error = "not a qc artifact (qc_model_signature, qc_model_run, qc_model_check_values or "
            "qc_model_set_num_threads is missing)";
  else
    parseSignature(signature, *m, error);
  if (!error.empty()) {
    qc_model_free(m);
    return fail(QC_ERROR_CORRUPT_ARTIFACT, std::string(path) + ": " + error);
  }
  *model = m;
  return QC_OK;
}

void qc_model_free(qc_model *model) {
  if (!model)
    return;
  if (model->handle)
    dlclose(model->handle);
  delete model;
}

size_t qc_model_num_inputs(const qc_model *model) { return model ? model->inputs.size() : 0; }
size_t qc_model_num_outputs(const qc_model *model) { return model ? model->outputs.size() : 0; }

qc_status qc_model_input_info(const qc_model *model, size_t index, qc_tensor_info *info) {
  if (!model)
    return fail(QC_ERROR_INVALID_ARGUMENT, "model is NULL");
  return getInfo(model->inputs, index, info, "input");
}

qc_status qc_model_output_info(const qc_model *model, size_t index, qc_tensor_info *info) {
  if (!model)
    return fail(QC_ERROR_INVALID_ARGUMENT, "model is NULL");
  return getInfo(model->outputs, index, info, "output");
}

int64_t qc_model_find_input(const qc_model *model, const char *name) {
  return model ? findByName(model->inputs, name) : -1;
}

int64_t qc_model_find_output(const qc_model *model, const char *name) {
  return model ? findByName(model->outputs, name) : -1;
}

qc_status qc_model_set_num_threads(qc_model *model, int n) {
  if (!model || n < 1)
    return fail(QC_ERROR_INVALID_ARGUMENT, "the thread count must be at least 1");
  model->setThreads(n);
  return QC_OK;
}

qc_status qc_model_run(qc_model *model, const qc_tensor *inputs, size_t numInputs,
                       qc_tensor *outputs, size_t numOutputs) {
  if (!model)
    return fail(QC_ERROR_INVALID_ARGUMENT, "model is NULL");
  if (numInputs < model->inputs.size() || (numInputs && !inputs))
    return fail(QC_ERROR_MISSING_INPUT,
                "the model takes " + std::to_string(model->inputs.size()) + " inputs, " +
                    std::to_string(numInputs) + " given" +
                    (numInputs < model->inputs.size()
                         ? " (missing '" + model->inputs[numInputs].name + "')"
                         : std::string()));
  if (numInputs > model->inputs.size())
    return fail(QC_ERROR_INVALID_ARGUMENT,
                "the model takes " + std::to_string(model->inputs.size()) + " inputs, " +
                    std::to_string(numInputs) + " given");
  if (numOutputs > model->outputs.size() || (numOutputs && !outputs))
    return fail(QC_ERROR_INVALID_ARGUMENT,
                "the model has " + std::to_string(model->outputs.size()) + " outputs, " +
                    std::to_string(numOutputs) + " asked for");

  // Descriptors: {allocated, aligned, offset, sizes..., strides...}, as
  // 64-bit words (pointers are 64-bit on the targets qc supports).
  std::vector<std::vector<int64_t>> descriptors(model->inputs.size());
  std::vector<void *> args(1 + model->inputs.size());
  for (size_t i = 0; i < model->inputs.size(); ++i) {
    const TensorInfo &want = model->inputs[i];
    const qc_tensor &got = inputs[i];
    int64_t rank = static_cast<int64_t>(want.dims.size());
    if (got.type != want.type)
      return fail(QC_ERROR_WRONG_TYPE, "input '" + want.name + "' is " +
                                           qc_element_type_name(want.type) + ", given " +
                                           qc_element_type_name(got.type));
    bool fits = got.rank == rank;
    for (int64_t d = 0; fits && d < rank; ++d)
      fits = got.dims[d] >= 0 && (want.dims[d] < 0 || want.dims[d] == got.dims[d]);
    if (!fits)
      return fail(QC_ERROR_WRONG_SHAPE,
                  "input '" + want.name + "' has shape " + describeShape(want.dims.data(), rank) +
                      ", given " +
                      describeShape(got.dims, got.rank >= 0 && got.rank <= QC_MAX_RANK ? got.rank : 0));
    // Dims that share a symbolic name must agree: the code assumes it.
    for (int64_t d = 0; d < static_cast<int64_t>(want.dimParams.size()); ++d) {
      const std::string &param = want.dimParams[d];
      if (param.empty())
        continue;
      for (size_t j = 0; j <= i; ++j) {
        const TensorInfo &other = model->inputs[j];
        size_t end = j == i ? static_cast<size_t>(d) : other.dimParams.size();
        for (size_t e = 0; e < end; ++e)
          if (other.dimParams[e] == param && inputs[j].dims[e] != got.dims[d])
            return fail(QC_ERROR_WRONG_SHAPE,
                        "input '" + want.name + "' has " + param + " = " +
                            std::to_string(got.dims[d]) + " (dim " + std::to_string(d) +
                            ") but input '" + other.name + "' has " + param + " = " +
                            std::to_string(inputs[j].dims[e]));
      }
    }
    if (!got.data && countElements(got.dims, rank) != 0)
      return fail(QC_ERROR_INVALID_ARGUMENT, "input '" + want.name + "' has no data");
    std::vector<int64_t> &desc = descriptors[i];
    desc.resize(3 + 2 * rank);
    desc[0] = desc[1] = static_cast<int64_t>(reinterpret_cast<uintptr_t>(got.data));
    desc[2] = 0;
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      desc[3 + d] = got.dims[d];
      desc[3 + rank + d] = stride;
      stride *= got.dims[d];
    }
    args[1 + i] = desc.data();
  }
  size_t resultWords = 0;
  for (const TensorInfo &out : model->outputs)
    resultWords += 3 + 2 * out.dims.size();
  std::vector<int64_t> results(resultWords);
  args[0] = results.data();
  int64_t failedCheck = model->run(args.data());

  // Hand each result's buffer over, or copy it into the caller's; free the
  // rest. Two outputs may share one buffer; it is freed once.
  std::vector<void *> allocations, handedOver;
  qc_status status = QC_OK;
  size_t word = 0;
  for (size_t i = 0; i < model->outputs.size(); ++i) {
    const TensorInfo &info = model->outputs[i];
    int64_t rank = static_cast<int64_t>(info.dims.size());
    void *allocated = reinterpret_cast<void *>(static_cast<uintptr_t>(results[word]));
    allocations.push_back(allocated);
    char *aligned = reinterpret_cast<char *>(static_cast<uintptr_t>(results[word + 1]));
    size_t elementSize = qc_element_size(info.type);
    char *data = aligned + results[word + 2] * static_cast<int64_t>(elementSize);
    const int64_t *sizes = &results[word + 3];
    word += 3 + 2 * rank;
    if (i >= numOutputs || failedCheck)
      continue;
    qc_tensor &out = outputs[i];
    out.type = info.type;
    out.rank = static_cast<int32_t>(rank);
    for (int64_t d = 0; d < rank; ++d)
      out.dims[d] = sizes[d];
    out.size = countElements(sizes, rank) * elementSize;
    bool shared = std::find(handedOver.begin(), handedOver.end(), allocated) != handedOver.end();
    if (out.data) {
      if (out.capacity < out.size) {
        status = fail(QC_ERROR_BUFFER_TOO_SMALL,
                      "output '" + info.name + "' needs " + std::to_string(out.size) +
                          " bytes, the buffer holds " + std::to_string(out.capacity));
        continue;
      }
      std::memcpy(out.data, data, out.size);
      out.allocation = nullptr;
    } else if (shared) {
      out.allocation = out.data = std::malloc(out.size ? out.size : 1);
      if (!out.data) {
        status = fail(QC_ERROR_OUT_OF_MEMORY, "cannot allocate output '" + info.name + "'");
        continue;
      }
      std::memcpy(out.data, data, out.size);
      out.capacity = out.size;
    } else {
      out.data = data;
      out.allocation = allocated;
      out.capacity = out.size;
      handedOver.push_back(allocated);
    }
  }
  // Free the model's buffers that were not handed over, each once.
  std::sort(allocations.begin(), allocations.end());
  allocations.erase(std::unique(allocations.begin(), allocations.end()), allocations.end());
  for (void *p : allocations)
    if (std::find(handedOver.begin(), handedOver.end(), p) == handedOver.end())
      std::free(p);
  // A failed check: the results were computed from clamped, in-bounds
  // reads and mean nothing; none is handed over.
  if (failedCheck)
    return fail(QC_ERROR_INVALID_INPUT, describeFailedCheck(*model, failedCheck));
  return status;
}

void qc_tensor_release(qc_tensor *tensor) {
  if (!tensor)
    return;
  std::free(tensor->allocation);
  tensor->allocation = nullptr;
  tensor->data = nullptr;
  tensor->capacity = tensor->size = 0;
}

} // extern "C"
