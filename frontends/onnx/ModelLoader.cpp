//===- ModelLoader.cpp - read an ONNX file into a ModelProto ---------------===//

#include "frontends/onnx/ModelLoader.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <limits>

using namespace llvm;

namespace qc::onnx_frontend {

namespace {
Error error(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}
} // namespace

/// The size of `path`, which must be a regular file (symlinks followed): a
/// FIFO would block the read and a device (/dev/zero) never end it.
static Expected<uint64_t> regularFileSize(const Twine &path) {
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(path, status))
    return error("cannot read the file: " + ec.message());
  if (status.type() != sys::fs::file_type::regular_file)
    return error("not a regular file");
  return status.getSize();
}

Error loadModel(StringRef path, onnx::ModelProto &model) {
  Expected<uint64_t> size = regularFileSize(path);
  if (!size)
    return size.takeError();
  if (*size > static_cast<uint64_t>(std::numeric_limits<int>::max()))
    return error("files over 2 GiB must keep their weights in external data "
                 "files (protobuf's limit)");
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return error("cannot read the file: " + buffer.getError().message());
  return parseModel((*buffer)->getBuffer(), model);
}

Error parseModel(StringRef bytes, onnx::ModelProto &model) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return error("files over 2 GiB must keep their weights in external data "
                 "files (protobuf's limit)");
  if (bytes.empty())
    return error("the file is empty, not an ONNX model");
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return error("not a valid ONNX model: the protobuf does not parse (the "
                 "file is truncated, corrupted or of another format)");
  if (!model.has_graph())
    return error("not a valid ONNX model: it has no graph");
  return Error::success();
}

Error freezeInput(onnx::ModelProto &model, StringRef name, StringRef tensorPath) {
  onnx::GraphProto *graph = model.mutable_graph();
  const onnx::ValueInfoProto *input = nullptr;
  for (const auto &candidate : graph->input())
    if (candidate.name() == name)
      input = &candidate;
  if (!input)
    return error("--freeze-input: the model has no input '" + name + "'");
  auto buffer = MemoryBuffer::getFile(tensorPath, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return error("--freeze-input: cannot read '" + tensorPath +
                 "': " + buffer.getError().message());
  onnx::TensorProto tensor;
  StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !tensor.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return error("--freeze-input: '" + tensorPath + "' is not a serialized TensorProto");
  const auto &declared = input->type().tensor_type();
  if (tensor.data_type() != declared.elem_type())
    return error("--freeze-input: '" + tensorPath + "' holds " +
                 getTypeName(tensor.data_type()) + " but input '" + name + "' is " +
                 getTypeName(declared.elem_type()));
  if (declared.has_shape()) {
    const auto &dims = declared.shape().dim();
    bool fits = dims.size() == tensor.dims_size();
    for (int i = 0; fits && i < dims.size(); ++i)
      fits = !dims[i].has_dim_value() || dims[i].dim_value() == tensor.dims(i);
    if (!fits)
      return error("--freeze-input: the shape of '" + tensorPath +
                   "' does not fit input '" + name + "'");
  }
  tensor.set_name(name.str());
  // Initializers named like a graph input are constants to the importer.
  *graph->add_initializer() = std::move(tensor);
  return Error::success();
}

int64_t getOpset(const onnx::ModelProto &model, StringRef domain) {
  bool isDefault = domain.empty() || domain == "ai.onnx";
  for (const auto &opset : model.opset_import()) {
    StringRef d = opset.domain();
    if (d == domain || (isDefault && (d.empty() || d == "ai.onnx")))
      return opset.version();
  }
  return 0;
}

Expected<int64_t> getDefaultOpset(const onnx::ModelProto &model) {
  int64_t opset = getOpset(model, "");
  if (opset == 0)
    return error("the model imports no default-domain (ai.onnx) opset");
  if (opset > kMaxOpset)
    return error("opset " + Twine(opset) + " is newer than supported (" +
                 Twine(kMinOpset) + " to " + Twine(kMaxOpset) + ")");
  if (opset < kMinOpset)
    return error("opset " + Twine(opset) + " is older than supported (" +
                 Twine(kMinOpset) + " to " + Twine(kMaxOpset) +
                 "); upgrade it with onnx.version_converter");
  return opset;
}

Expected<int64_t> getNumElements(const onnx::TensorProto &tensor) {
  // 2^40 elements is far beyond any model and keeps byte counts in range.
  constexpr int64_t kMaxElements = int64_t(1) << 40;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return error("tensor '" + tensor.name() + "' has a negative dimension " +
                   Twine(dim));
    if (dim != 0 && count > kMaxElements / dim)
      return error("tensor '" + tensor.name() + "' is too large");
    count *= dim;
  }
  return count;
}

size_t getElementByteSize(int32_t onnxType) {
  switch (onnxType) {
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return 1;
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return 2;
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::FLOAT:
    return 4;
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::DOUBLE:
    return 8;
  default:
    return 0;
  }
}

bool isUnsignedType(int32_t onnxType) {
  return onnxType == onnx::TensorProto::UINT8 ||
         onnxType == onnx::TensorProto::UINT16 ||
         onnxType == onnx::TensorProto::UINT32 ||
         onnxType == onnx::TensorProto::UINT64;
}

std::string getTypeName(int32_t onnxType) {
  switch (onnxType) {
  case onnx::TensorProto::FLOAT: return "float32";
  case onnx::TensorProto::UINT8: return "uint8";
  case onnx::TensorProto::INT8: return "int8";
  case onnx::TensorProto::UINT16: return "uint16";
  case onnx::TensorProto::INT16: return "int16";
  case onnx::TensorProto::INT32: return "int32";
  case onnx::TensorProto::INT64: return "int64";
  case onnx::TensorProto::STRING: return "string";
  case onnx::TensorProto::BOOL: return "bool";
  case onnx::TensorProto::FLOAT16: return "float16";
  case onnx::TensorProto::DOUBLE: return "float64";
  case onnx::TensorProto::UINT32: return "uint32";
  case onnx::TensorProto::UINT64: return "uint64";
  case onnx::TensorProto::COMPLEX64: return "complex64";
  case onnx::TensorProto::COMPLEX128: return "complex128";
  case onnx::TensorProto::BFLOAT16: return "bfloat16";
  default: return "data type " + std::to_string(onnxType);
  }
}

/// Reads `length` bytes at `offset` of the external data file that `tensor`
/// names, relative to `modelDir`.
static Expected<std::vector<char>> readExternalData(const onnx::TensorProto &tensor,
                                                    StringRef modelDir) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    StringRef key = entry.key(), value = entry.value();
    if (key == "location") {
      location = value.str();
    } else if (key == "offset" || key == "length") {
      int64_t parsed;
      if (value.getAsInteger(10, parsed) || parsed < 0)
        return error("tensor '" + tensor.name() + "' has an invalid external "
                     "data " + key + " '" + value + "'");
      (key == "offset" ? offset : length) = parsed;
    }
  }
  if (location.empty())
    return error("tensor '" + tensor.name() +
                 "' is stored externally but names no location");
  if (sys::path::is_absolute(location) ||
      StringRef(location).contains(".."))
    return error("tensor '" + tensor.name() + "' names external data '" +
                 location + "' outside the model's folder");
  SmallString<256> path(modelDir);
  sys::path::append(path, location);
  // The file itself, symlinks resolved, must lie inside the model's folder
  // (also resolved): a link to /etc/passwd or to a folder outside is not
  // the model's data.
  SmallString<256> real, realDir;
  if (std::error_code ec = sys::fs::real_path(path, real))
    return error("cannot read external data file '" + path.str() + "' of tensor '" +
                 tensor.name() + "': " + ec.message());
  if (std::error_code ec = sys::fs::real_path(modelDir.empty() ? "." : modelDir, realDir))
    return error("cannot resolve the model's folder '" + modelDir + "': " + ec.message());
  if (!StringRef(real).starts_with(realDir) || real.size() <= realDir.size() ||
      !sys::path::is_separator(real[realDir.size()]))
    return error("tensor '" + tensor.name() + "' names external data '" + location +
                 "' that resolves to '" + real.str() + "', outside the model's folder");
  Expected<uint64_t> size = regularFileSize(real);
  if (!size)
    return error("external data file '" + path.str() + "' of tensor '" + tensor.name() +
                 "': " + toString(size.takeError()));
  if (static_cast<uint64_t>(offset) > *size)
    return error("external data of tensor '" + tensor.name() +
                 "' starts past the end of '" + path.str() + "'");
  if (length < 0)
    length = static_cast<int64_t>(*size - offset);
  if (static_cast<uint64_t>(length) > *size - offset)
    return error("external data of tensor '" + tensor.name() + "' ends past "
                 "the end of '" + path.str() + "' (file truncated?)");
  // Only the declared bytes are read.
  auto buffer = MemoryBuffer::getFileSlice(real, length, offset, /*IsVolatile=*/false);
  if (!buffer)
    return error("cannot read external data file '" + path.str() +
                 "' of tensor '" + tensor.name() +
                 "': " + buffer.getError().message());
  StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() != static_cast<uint64_t>(length))
    return error("external data of tensor '" + tensor.name() + "' ends past "
                 "the end of '" + path.str() + "' (file truncated?)");
  return std::vector<char>(bytes.begin(), bytes.end());
}

/// Copies the typed field `values` into `count` packed elements of type `To`.
template <typename To, typename Field>
static std::vector<char> packTyped(const Field &values) {
  std::vector<char> out(values.size() * sizeof(To));
  for (int i = 0, e = values.size(); i < e; ++i) {
    To v = static_cast<To>(values.Get(i));
    std::memcpy(out.data() + i * sizeof(To), &v, sizeof(To));
  }
  return out;
}

Expected<std::vector<char>> readTensorData(const onnx::TensorProto &tensor,
                                           StringRef modelDir) {
  int32_t type = tensor.data_type();
  size_t elementSize = getElementByteSize(type);
  if (elementSize == 0)
    return error("tensor '" + tensor.name() + "' has unsupported type " +
                 getTypeName(type));
  Expected<int64_t> count = getNumElements(tensor);
  if (!count)
    return count.takeError();

  std::vector<char> data;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    Expected<std::vector<char>> external = readExternalData(tensor, modelDir);
    if (!external)
      return external.takeError();
    data = std::move(*external);
  } else if (tensor.has_raw_data()) {
    data.assign(tensor.raw_data().begin(), tensor.raw_data().end());
  } else {
    switch (type) {
    case onnx::TensorProto::FLOAT:
      data = packTyped<float>(tensor.float_data());
      break;
    case onnx::TensorProto::DOUBLE:
      data = packTyped<double>(tensor.double_data());
      break;
    case onnx::TensorProto::INT64:
      data = packTyped<int64_t>(tensor.int64_data());
      break;
    case onnx::TensorProto::UINT32:
      data = packTyped<uint32_t>(tensor.uint64_data());
      break;
    case onnx::TensorProto::UINT64:
      data = packTyped<uint64_t>(tensor.uint64_data());
      break;
    case onnx::TensorProto::INT32:
      data = packTyped<int32_t>(tensor.int32_data());
      break;
    // int32_data holds the narrower types one per entry (float16 and
    // bfloat16 as their bit patterns).
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16:
      data = packTyped<uint16_t>(tensor.int32_data());
      break;
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      data = packTyped<uint8_t>(tensor.int32_data());
      break;
    default:
      break;
    }
  }
  if (data.size() != static_cast<size_t>(*count) * elementSize)
    return error("tensor '" + tensor.name() + "' holds " + Twine(data.size()) +
                 " bytes of data but its shape needs " +
                 Twine(static_cast<size_t>(*count) * elementSize));
  if (type == onnx::TensorProto::BOOL)
    for (char &c : data)
      c = c != 0;
  return data;
}

} // namespace qc::onnx_frontend
