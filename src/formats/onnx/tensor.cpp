#include "formats/onnx/tensor.h"

#include <bit>
#include <cstring>

namespace eb::onnx_format {

// raw_data is little-endian by the ONNX spec; memcpy is only right on such hosts.
static_assert(std::endian::native == std::endian::little, "ONNX raw_data decoding assumes a little-endian host");

Result<int64_t> checked_numel(std::span<const int64_t> dims, int64_t limit, const std::string& what) {
  // The product of the non-zero dims is bounded too, so that no product of
  // any subset of dims (outer/inner splits) can overflow, even for a tensor
  // that is empty.
  int64_t n = 1;
  bool empty = false;
  for (int64_t d : dims) {
    if (d < 0) return invalid_argument(what + " has a negative dim " + std::to_string(d));
    if (d == 0) {
      empty = true;
      continue;
    }
    if (n > limit / d) return invalid_argument(what + " has more than " + std::to_string(limit) + " elements");
    n *= d;
  }
  return empty ? 0 : n;
}

Constant Constant::floats(std::vector<int64_t> dims, std::vector<float> data) {
  Constant c;
  c.type = Type::f32;
  c.dims = std::move(dims);
  c.f = std::make_shared<const std::vector<float>>(std::move(data));
  return c;
}

Constant Constant::ints(std::vector<int64_t> dims, std::vector<int64_t> data) {
  Constant c;
  c.type = Type::i64;
  c.dims = std::move(dims);
  c.i = std::move(data);
  return c;
}

const char* data_type_name(int32_t t) {
  if (onnx::TensorProto_DataType_IsValid(t))
    return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(t)).c_str();
  return "UNKNOWN";
}

namespace {

template <typename T>
std::vector<T> from_raw(const std::string& raw, std::size_t n) {
  std::vector<T> out(n);
  if (n) std::memcpy(out.data(), raw.data(), n * sizeof(T));
  return out;
}

}  // namespace

Result<Constant> decode_tensor(const onnx::TensorProto& t, const std::string& name) {
  const std::string what = "tensor '" + (name.empty() ? t.name() : name) + "'";
  if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL || t.external_data_size() > 0)
    return unsupported(what + " keeps its data in an external file; external data is not supported");
  if (t.has_segment()) return unsupported(what + " is segmented; segmented tensors are not supported");
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  EB_ASSIGN_OR_RETURN(const int64_t numel, checked_numel(dims, kMaxElements, what));
  const auto n = static_cast<std::size_t>(numel);
  const bool raw = t.has_raw_data();
  const auto size_error = [&](std::size_t got, const char* unit) {
    return invalid_argument(what + " has dims [" + Shape(dims).to_string() + "] (" + std::to_string(n) +
                            " elements) but holds " + std::to_string(got) + " " + unit);
  };

  switch (t.data_type()) {
    case onnx::TensorProto_DataType_FLOAT:
      if (raw) {
        if (t.raw_data().size() != n * sizeof(float)) return size_error(t.raw_data().size(), "bytes of raw_data");
        return Constant::floats(std::move(dims), from_raw<float>(t.raw_data(), n));
      }
      if (static_cast<std::size_t>(t.float_data_size()) != n) return size_error(t.float_data_size(), "float_data values");
      return Constant::floats(std::move(dims), std::vector<float>(t.float_data().begin(), t.float_data().end()));
    case onnx::TensorProto_DataType_INT64:
      if (raw) {
        if (t.raw_data().size() != n * sizeof(int64_t)) return size_error(t.raw_data().size(), "bytes of raw_data");
        return Constant::ints(std::move(dims), from_raw<int64_t>(t.raw_data(), n));
      }
      if (static_cast<std::size_t>(t.int64_data_size()) != n) return size_error(t.int64_data_size(), "int64_data values");
      return Constant::ints(std::move(dims), std::vector<int64_t>(t.int64_data().begin(), t.int64_data().end()));
    case onnx::TensorProto_DataType_INT32:
    case onnx::TensorProto_DataType_BOOL: {
      // Both live in int32_data when not raw; raw BOOL is one byte per value.
      const bool is_bool = t.data_type() == onnx::TensorProto_DataType_BOOL;
      std::vector<int64_t> v(n);
      if (raw) {
        const std::size_t width = is_bool ? 1 : 4;
        if (t.raw_data().size() != n * width) return size_error(t.raw_data().size(), "bytes of raw_data");
        if (is_bool) {
          for (std::size_t k = 0; k < n; ++k) v[k] = t.raw_data()[k] != 0;
        } else {
          const auto i32 = from_raw<int32_t>(t.raw_data(), n);
          v.assign(i32.begin(), i32.end());
        }
      } else {
        if (static_cast<std::size_t>(t.int32_data_size()) != n) return size_error(t.int32_data_size(), "int32_data values");
        v.assign(t.int32_data().begin(), t.int32_data().end());
      }
      return Constant::ints(std::move(dims), std::move(v));
    }
    default:
      return unsupported(what + " has data type " + data_type_name(t.data_type()) +
                         "; only FLOAT tensors (and INT64/INT32 shape constants) are supported");
  }
}

void encode_floats(onnx::TensorProto& t, const std::string& name, std::span<const int64_t> dims, std::span<const float> data) {
  t.set_name(name);
  t.set_data_type(onnx::TensorProto_DataType_FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(data.data()), data.size_bytes()));
}

void encode_ints(onnx::TensorProto& t, const std::string& name, std::span<const int64_t> dims, std::span<const int64_t> data) {
  t.set_name(name);
  t.set_data_type(onnx::TensorProto_DataType_INT64);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(data.data()), data.size_bytes()));
}

}  // namespace eb::onnx_format
