#include "glimpse/core/safetensors.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>
#include <vector>

#include "bf16_round.h"
#include "glimpse/core/error.h"

namespace glimpse {
namespace {

using json = nlohmann::json;

struct TypeInfo {
  StoredType type;
  const char* name;
  int bytes;
};
constexpr TypeInfo kTypes[] = {
    {StoredType::F32, "F32", 4}, {StoredType::F16, "F16", 2}, {StoredType::BF16, "BF16", 2}};

const TypeInfo& type_info(StoredType t) {
  for (const auto& info : kTypes)
    if (info.type == t) return info;
  throw Error("safetensors: unknown stored type");
}

float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1f;
  const uint32_t mant = h & 0x3ffu;
  float f;
  if (exp == 0) {
    f = std::ldexp(static_cast<float>(mant), -24);  // zero or subnormal
  } else if (exp == 31) {
    f = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  } else {
    uint32_t bits = ((exp + 112) << 23) | (mant << 13);
    std::memcpy(&f, &bits, 4);
  }
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits |= sign;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const float a = std::fabs(f);
  if (std::isnan(f)) return sign | 0x7e00u;
  if (a >= 65520.0f) return sign | 0x7c00u;  // rounds to infinity
  if (a < 6.103515625e-05f) {                // subnormal half: multiples of 2^-24
    return sign | static_cast<uint16_t>(std::nearbyint(a * 16777216.0f));
  }
  // Normal: round the 23-bit mantissa to 10 bits, to nearest even.
  uint32_t ax;
  std::memcpy(&ax, &a, 4);
  uint32_t rounded = ax + 0x0fffu + ((ax >> 13) & 1u);
  return sign | static_cast<uint16_t>((rounded >> 13) - (112u << 10));
}


// Counts what a header holds without building it (nlohmann's SAX interface) and stops at the
// first limit it passes: more than kMaxTensorCount tensor entries, more than kMaxHeaderValues
// values, or nesting deeper than the format's root -> entry -> array. `fault` says which.
struct HeaderLimits {
  std::string fault;
  int depth = 0;
  size_t entries = 0, values = 0;

  bool stop(std::string why) {
    fault = std::move(why);
    return false;
  }
  bool value() {
    return ++values <= kMaxHeaderValues ||
           stop("header holds more than " + std::to_string(kMaxHeaderValues) + " JSON values (kMaxHeaderValues)");
  }
  bool open() {
    if (++depth > 3) return stop("header nests deeper than name -> entry -> array: not a safetensors header");
    return value();
  }
  bool null() { return value(); }
  bool boolean(bool) { return value(); }
  bool number_integer(json::number_integer_t) { return value(); }
  bool number_unsigned(json::number_unsigned_t) { return value(); }
  bool number_float(json::number_float_t, const json::string_t&) { return value(); }
  bool string(json::string_t&) { return value(); }
  bool binary(json::binary_t&) { return value(); }
  bool start_object(size_t) { return open(); }
  bool start_array(size_t) { return open(); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool close() {
    --depth;
    return true;
  }
  // nlohmann's SAX interface passes the key by non-const reference.
  // cppcheck-suppress constParameter
  bool key(json::string_t& k) {
    if (depth == 1 && k != "__metadata__" && ++entries > kMaxTensorCount)
      return stop("header has more than " + std::to_string(kMaxTensorCount) + " tensors (kMaxTensorCount)");
    return true;
  }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("safetensors: cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error("safetensors: error reading '" + path + "'");
  return ss.str();
}

}  // namespace

SafeTensors parse_safetensors(const std::string& bytes, const std::string& what) {
  auto bad = [&](const std::string& msg) -> Error { return Error("safetensors '" + what + "': " + msg); };
  if (bytes.size() < 8) throw bad("file is " + std::to_string(bytes.size()) + " bytes, too short for the 8-byte header length");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(bytes[i]);
  if (header_len > kMaxHeaderBytes)
    throw bad("header length " + std::to_string(header_len) + " exceeds the 100 MB limit (kMaxHeaderBytes)");
  if (header_len > bytes.size() - 8)
    throw bad("header length " + std::to_string(header_len) + " runs past the end of the file (" + std::to_string(bytes.size()) + " bytes): truncated?");
  // The limits are checked by a first, counting pass (nlohmann's SAX interface, no parse tree),
  // so an oversized header costs neither memory nor the quadratic time of a filtered parse.
  HeaderLimits limits;
  const auto header_begin = bytes.begin() + 8;
  const auto header_end = header_begin + static_cast<std::ptrdiff_t>(header_len);
  try {
    json::sax_parse(header_begin, header_end, &limits);
  } catch (const json::exception&) {
    // Invalid JSON: the parse below reports it.
  }
  if (!limits.fault.empty()) throw bad(limits.fault);
  json header;
  try {
    header = json::parse(header_begin, header_end);
  } catch (const json::exception& e) {
    throw bad(std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) throw bad("header is not a JSON object");
  const uint64_t data_begin = 8 + header_len;
  const uint64_t data_size = bytes.size() - data_begin;

  SafeTensors out;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const json& entry = it.value();
    if (name == "__metadata__") {
      if (!entry.is_object()) throw bad("__metadata__ is not an object");
      for (auto m = entry.begin(); m != entry.end(); ++m) {
        if (!m.value().is_string()) throw bad("__metadata__ value '" + m.key() + "' is not a string");
        out.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + name + "'";
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets"))
      throw bad(where + " needs dtype, shape and data_offsets");
    if (!entry["dtype"].is_string()) throw bad(where + ": dtype is not a string");
    const std::string dtype = entry["dtype"].get<std::string>();
    const TypeInfo* info = nullptr;
    for (const auto& t : kTypes)
      if (dtype == t.name) info = &t;
    if (!info) throw bad(where + ": unsupported dtype '" + dtype + "' (F32, F16, BF16 are read)");
    const json& shape_j = entry["shape"];
    if (!shape_j.is_array() || shape_j.size() > 8) throw bad(where + ": shape must be an array of at most 8 sizes");
    Shape shape;
    for (const json& d : shape_j) {
      if (!d.is_number_unsigned()) throw bad(where + ": shape entries must be non-negative integers");
      const uint64_t v = d.get<uint64_t>();
      if (v > (uint64_t{1} << 31)) throw bad(where + ": dimension " + std::to_string(v) + " is too large");
      shape.push_back(static_cast<int64_t>(v));
    }
    int64_t numel;
    try {
      numel = shape_numel(shape);
    } catch (const Error& e) {
      throw bad(where + ": " + e.what());
    }
    const json& off = entry["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      throw bad(where + ": data_offsets must be two non-negative integers");
    const uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
    if (begin > end || end > data_size)
      throw bad(where + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] lie outside the " + std::to_string(data_size) + " data bytes" +
                 (begin <= end ? " (is the file truncated?)" : ""));
    if (end - begin != static_cast<uint64_t>(numel) * info->bytes)
      throw bad(where + ": " + std::to_string(end - begin) + " bytes do not hold shape " + shape_str(shape) + " of " + dtype);
    ranges.emplace_back(begin, end);

    Tensor t(shape);
    const unsigned char* src = reinterpret_cast<const unsigned char*>(bytes.data()) + data_begin + begin;
    for (int64_t i = 0; i < numel; ++i) {
      float v;
      if (info->type == StoredType::F32) {
        std::memcpy(&v, src + 4 * i, 4);
      } else {
        uint16_t h = static_cast<uint16_t>(src[2 * i] | (src[2 * i + 1] << 8));
        v = info->type == StoredType::F16 ? half_to_float(h) : detail::bf16_to_float(h);
      }
      t[i] = v;
    }
    if (!t.all_finite()) throw bad(where + " " + shape_str(shape) + " contains NaN or Inf");
    out.tensors.emplace(name, std::move(t));
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first < ranges[i - 1].second) throw bad("tensor data ranges overlap");
  return out;
}

SafeTensors load_safetensors(const std::string& path) { return parse_safetensors(read_all(path), path); }

void write_file_atomic(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("write '" + path + "': cannot create temporary file: " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error("write '" + path + "': " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error("write '" + path + "': " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error("write '" + path + "': rename failed: " + std::strerror(err));
  }
}

void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata, StoredType type) {
  const TypeInfo& info = type_info(type);
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    check(name != "__metadata__", "save_safetensors", "'__metadata__' is not a tensor name");
    const uint64_t n = static_cast<uint64_t>(t.size()) * info.bytes;
    header[name] = {{"dtype", info.name}, {"shape", t.shape()}, {"data_offsets", {offset, offset + n}}};
    offset += n;
  }
  std::string head = header.dump();
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
  while ((8 + head.size()) % 8) head.push_back(' ');
  std::string bytes;
  bytes.reserve(8 + head.size() + offset);
  uint64_t len = head.size();
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  bytes += head;
  for (const auto& [name, t] : tensors) {
    for (int64_t i = 0; i < t.size(); ++i) {
      if (type == StoredType::F32) {
        char b[4];
        const float v = t[i];
        std::memcpy(b, &v, 4);
        bytes.append(b, 4);
      } else {
        uint16_t h = type == StoredType::F16 ? float_to_half(t[i]) : detail::round_to_bf16(t[i]);
        bytes.push_back(static_cast<char>(h & 0xff));
        bytes.push_back(static_cast<char>(h >> 8));
      }
    }
  }
  write_file_atomic(path, bytes);
}

}  // namespace glimpse
