//===- tensor_files.cpp - read ONNX test-data tensors (.pb, .npy) ---------===//

#include "tensor_files.h"

#include "onnx/onnx_pb.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace qc {

namespace {

bool exists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

bool readFile(const std::string &path, std::string &data, std::string &error) {
  // A FIFO would wait for a writer and a device never end.
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    error = path + ": not a regular file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  data = s.str();
  return true;
}

} // namespace

bool readTensorProto(const std::string &path, HostTensor &t, std::string &error) {
  onnx::TensorProto proto;
  std::string data;
  if (!readFile(path, data, error))
    return false;
  bool ok = true;
  auto die = [&](const std::string &message) {
    if (ok)
      error = message;
    ok = false;
  };
  if (!proto.ParseFromString(data)) {
    die(path + ": not a serialized ONNX TensorProto");
    return false;
  }
  t = HostTensor();
  t.type = static_cast<qc_element_type>(proto.data_type());
  size_t elementSize = qc_element_size(t.type);
  if (elementSize == 0) {
    die(path + ": unsupported element type " + std::to_string(proto.data_type()));
    return false;
  }
  t.dims.assign(proto.dims().begin(), proto.dims().end());
  std::string why;
  std::optional<size_t> bytes = checkedBytes(t.dims, elementSize, why);
  if (!bytes) {
    die(path + ": bad dims: " + why);
    return false;
  }
  size_t n = *bytes / elementSize;
  // Every element takes at least a byte of the file (packed fields, raw
  // data): more elements than bytes is a corrupt header, not an allocation
  // to try.
  if (n > data.size()) {
    die(path + ": dims give " + std::to_string(n) + " elements, more than the file's " +
        std::to_string(data.size()) + " bytes hold");
    return false;
  }
  t.bytes.resize(*bytes);
  auto fromField = [&](const auto &field, auto convert) {
    if (static_cast<size_t>(field.size()) != n) {
      die(path + ": holds " + std::to_string(field.size()) + " values for " +
          std::to_string(n) + " elements");
      return;
    }
    for (size_t i = 0; i < n; ++i)
      convert(field.Get(static_cast<int>(i)), t.bytes.data() + i * elementSize);
  };
  auto narrow = [&](auto value, char *out) { std::memcpy(out, &value, elementSize); };
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != t.bytes.size()) {
      die(path + ": raw_data holds " + std::to_string(proto.raw_data().size()) +
          " bytes for " + std::to_string(t.bytes.size()));
      return false;
    }
    std::memcpy(t.bytes.data(), proto.raw_data().data(), t.bytes.size());
  } else if (t.type == QC_TYPE_FLOAT32) {
    fromField(proto.float_data(), [&](float v, char *out) { std::memcpy(out, &v, 4); });
  } else if (t.type == QC_TYPE_FLOAT64) {
    fromField(proto.double_data(), [&](double v, char *out) { std::memcpy(out, &v, 8); });
  } else if (t.type == QC_TYPE_INT64) {
    fromField(proto.int64_data(), [&](int64_t v, char *out) { std::memcpy(out, &v, 8); });
  } else if (t.type == QC_TYPE_UINT32 || t.type == QC_TYPE_UINT64) {
    fromField(proto.uint64_data(), [&](uint64_t v, char *out) {
      if (elementSize == 4)
        narrow(static_cast<uint32_t>(v), out);
      else
        narrow(v, out);
    });
  } else {
    // int32_data carries every type of 32 bits or fewer (half floats as bits).
    fromField(proto.int32_data(), [&](int32_t v, char *out) {
      if (elementSize == 1)
        narrow(static_cast<int8_t>(v), out);
      else if (elementSize == 2)
        narrow(static_cast<int16_t>(v), out);
      else
        narrow(v, out);
    });
  }
  return ok;
}

/// NumPy's .npy, version 1-3, little-endian, C order.
bool readNpy(const std::string &path, HostTensor &t, std::string &error) {
  std::string data;
  if (!readFile(path, data, error))
    return false;
  auto die = [&](const std::string &message) {
    error = message;
    return false;
  };
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0)
    return die(path + ": not a .npy file");
  int major = static_cast<unsigned char>(data[6]);
  size_t headerLength, offset;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(data[8]) | static_cast<unsigned char>(data[9]) << 8;
    offset = 10;
  } else {
    if (data.size() < 12)
      return die(path + ": truncated .npy header");
    uint32_t len;
    std::memcpy(&len, data.data() + 8, 4);
    headerLength = len;
    offset = 12;
  }
  if (headerLength > data.size() - offset)
    return die(path + ": truncated .npy header");
  std::string header = data.substr(offset, headerLength);
  auto field = [&](const std::string &key) {
    size_t at = header.find("'" + key + "'");
    if (at == std::string::npos)
      return std::string();
    at = header.find(':', at);
    return header.substr(at + 1);
  };
  for (const char *key : {"descr", "fortran_order", "shape"})
    if (header.find(std::string("'") + key + "'") == std::string::npos)
      return die(path + ": .npy header lacks '" + key + "'");
  std::string descr = field("descr");
  descr = descr.substr(descr.find('\'') + 1);
  descr = descr.substr(0, descr.find('\''));
  if (field("fortran_order").find("True") < field("fortran_order").find(','))
    return die(path + ": Fortran-order arrays are not supported");
  static const std::pair<const char *, qc_element_type> types[] = {
      {"<f4", QC_TYPE_FLOAT32}, {"<f8", QC_TYPE_FLOAT64}, {"<f2", QC_TYPE_FLOAT16},
      {"|i1", QC_TYPE_INT8},    {"|u1", QC_TYPE_UINT8},   {"<i2", QC_TYPE_INT16},
      {"<u2", QC_TYPE_UINT16},  {"<i4", QC_TYPE_INT32},   {"<u4", QC_TYPE_UINT32},
      {"<i8", QC_TYPE_INT64},   {"<u8", QC_TYPE_UINT64},  {"|b1", QC_TYPE_BOOL}};
  t = HostTensor();
  for (const auto &[name, type] : types)
    if (descr == name)
      t.type = type;
  if (t.type == QC_TYPE_UNDEFINED)
    return die(path + ": unsupported .npy dtype '" + descr + "'");
  std::string shape = field("shape");
  size_t open = shape.find('('), close = shape.find(')');
  if (open == std::string::npos || close == std::string::npos || close < open)
    return die(path + ": bad .npy shape");
  shape = shape.substr(open + 1, close - open - 1);
  std::istringstream dims(shape);
  std::string dim;
  while (std::getline(dims, dim, ',')) {
    size_t first = dim.find_first_not_of(" ");
    if (first == std::string::npos)
      continue;
    // Digits only (NumPy writes Python ints); no exceptions on junk.
    size_t last = dim.find_last_not_of(" L");
    std::string digits = dim.substr(first, last - first + 1);
    if (digits.empty() || digits.size() > 18 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      return die(path + ": bad .npy dim '" + dim + "'");
    t.dims.push_back(std::stoll(digits));
  }
  std::string why;
  std::optional<size_t> bytes = checkedBytes(t.dims, qc_element_size(t.type), why);
  if (!bytes)
    return die(path + ": bad dims: " + why);
  size_t start = offset + headerLength;
  if (*bytes > data.size() - start)
    return die(path + ": truncated .npy data");
  t.bytes.assign(data.begin() + start, data.begin() + start + *bytes);
  return true;
}

FileLookup readIndexed(const std::string &dir, const char *stem, size_t i, HostTensor &out,
                       std::string &error) {
  std::string base = dir + "/" + stem + "_" + std::to_string(i);
  if (exists(base + ".pb"))
    return readTensorProto(base + ".pb", out, error) ? FileLookup::Found : FileLookup::Failed;
  if (exists(base + ".npy"))
    return readNpy(base + ".npy", out, error) ? FileLookup::Found : FileLookup::Failed;
  return FileLookup::Missing;
}

bool readSampleDirectory(const std::string &root, unsigned numInputs,
                         std::vector<std::vector<HostTensor>> &samples, std::string &error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    error = root + ": not a directory";
    return false;
  }
  std::vector<std::string> dirs;
  for (const fs::directory_entry &e : fs::directory_iterator(root, ec))
    if (e.is_directory())
      dirs.push_back(e.path().string());
  if (ec) {
    error = root + ": cannot list: " + ec.message();
    return false;
  }
  std::sort(dirs.begin(), dirs.end());
  if (dirs.empty())
    dirs.push_back(root); // one sample in DIR itself
  samples.clear();
  for (const std::string &dir : dirs) {
    std::vector<HostTensor> sample(numInputs);
    for (unsigned i = 0; i < numInputs; ++i) {
      FileLookup found = readIndexed(dir, "input", i, sample[i], error);
      if (found == FileLookup::Failed)
        return false;
      if (found == FileLookup::Missing) {
        error = dir + ": no input_" + std::to_string(i) + ".pb or .npy (the model takes " +
                std::to_string(numInputs) + " inputs)";
        return false;
      }
    }
    samples.push_back(std::move(sample));
  }
  return true;
}

} // namespace qc
