// .safetensors: exact F32 round trip, F16/BF16 round trips within their precision (round to
// nearest even), and refusal of every kind of damaged or hostile file, with the file named.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "glimpse/core/error.h"
#include "glimpse/core/random.h"
#include "glimpse/core/safetensors.h"
#include "glimpse/core/tensor.h"
#include "test_util.h"

namespace glimpse {
namespace {

namespace fs = std::filesystem;

// 8-byte little-endian length + header + data.
std::string make_file(const std::string& header, const std::string& data) {
  std::string out;
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + header + data;
}

std::string f32_bytes(const std::vector<float>& v) {
  std::string s(v.size() * 4, '\0');
  if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
  return s;
}

std::string u16_bytes(const std::vector<uint16_t>& v) {
  std::string s;
  for (uint16_t h : v) {
    s.push_back(static_cast<char>(h & 0xff));
    s.push_back(static_cast<char>(h >> 8));
  }
  return s;
}

class SafeTensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir();
    if (tmpl.empty() || tmpl.back() != '/') tmpl += '/';
    tmpl += "glimpse_safetensors_XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    ASSERT_NE(::mkdtemp(buf.data()), nullptr) << "mkdtemp " << tmpl;
    dir_ = buf.data();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  void write_raw(const std::string& p, const std::string& bytes) const {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << p;
  }

  std::string read_raw(const std::string& p) const {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  std::set<std::string> listing() const {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.insert(e.path().filename().string());
    return names;
  }

  // Writes `bytes` to a file and expects load_safetensors to refuse it with glimpse::Error
  // whose message names the file and contains every needle. Also through parse_safetensors.
  void expect_refused(const std::string& name, const std::string& bytes,
                      std::initializer_list<std::string> needles) {
    SCOPED_TRACE(name);
    const std::string p = path(name);
    write_raw(p, bytes);
    EXPECT_THROW(load_safetensors(p), Error);
    std::string msg;
    try {
      load_safetensors(p);
    } catch (const Error& e) {
      msg = e.what();
    }
    EXPECT_NE(msg.find(p), std::string::npos) << "message \"" << msg << "\" does not name the file";
    for (const std::string& n : needles)
      EXPECT_NE(msg.find(n), std::string::npos) << "message \"" << msg << "\" lacks \"" << n << "\"";
    EXPECT_THROW(parse_safetensors(bytes, "in-memory"), Error);
  }

  // Half-precision storage: values come back within `rel` (relative, for |x| >= normal_min)
  // or `subnormal_abs` (absolute, below); exact values and signs of zero survive; the file
  // holds 2 bytes per element.
  void check_half_round_trip(StoredType type, const char* dtype, float rel, float subnormal_abs,
                             float normal_min) {
    const std::string p = path(std::string("half_") + dtype + ".safetensors");
    Rng rng(2);
    const Tensor w = glimpse::testing::random_tensor({4, 25}, rng, 3.0f);
    const std::vector<float> extra = {0.0f, -0.0f, 1.0f, -2.0f, 0.5f, 1024.0f,
                                      1e-6f, -3e-7f, 1e-3f, 123.456f};
    Tensor e({static_cast<int64_t>(extra.size())});
    for (size_t i = 0; i < extra.size(); ++i) e[static_cast<int64_t>(i)] = extra[i];
    const std::map<std::string, Tensor> tensors = {{"w", w}, {"e", e}};
    save_safetensors(p, tensors, {{"dtype", dtype}}, type);
    const SafeTensors st = load_safetensors(p);
    EXPECT_EQ(st.metadata.at("dtype"), dtype);
    for (const auto& [name, orig] : tensors) {
      const Tensor& got = st.tensors.at(name);
      ASSERT_EQ(got.shape(), orig.shape());
      for (int64_t i = 0; i < orig.size(); ++i) {
        const float x = orig[i], y = got[i];
        const float tol = std::fabs(x) >= normal_min ? rel * std::fabs(x) : subnormal_abs;
        EXPECT_LE(std::fabs(y - x), tol) << dtype << " " << name << "[" << i << "] " << x << " -> " << y;
        EXPECT_EQ(std::signbit(x), std::signbit(y)) << dtype << " " << x;
      }
    }
    const Tensor& ge = st.tensors.at("e");
    for (int i = 0; i < 6; ++i) EXPECT_EQ(ge[i], extra[static_cast<size_t>(i)]) << dtype;
    const std::string raw = read_raw(p);
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(raw[i]);
    EXPECT_EQ(raw.size(), 8 + header_len + 2 * static_cast<uint64_t>(w.size() + e.size()));
    EXPECT_NE(raw.substr(8, header_len).find(std::string("\"") + dtype + "\""), std::string::npos);
  }

  // Saves one value as `type` and returns what loads back.
  float stored_as(StoredType type, float value) {
    const std::string p = path("one.safetensors");
    save_safetensors(p, {{"v", Tensor({1}, value)}}, {}, type);
    return load_safetensors(p).tensors.at("v")[0];
  }

  std::string dir_;
};

// A small valid file (hand-written, unpadded header): a [2, 2] F32 and a [3] F32.
std::string valid_file() {
  const std::string header =
      R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
      R"("b":{"dtype":"F32","shape":[3],"data_offsets":[16,28]},)"
      R"("__metadata__":{"k":"v"}})";
  return make_file(header, f32_bytes({1, 2, 3, 4, 5, 6, 7}));
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST_F(SafeTensorsTest, F32RoundTripIsBitExact) {
  Rng rng(1);
  std::map<std::string, Tensor> tensors;
  tensors["decoder.layers.0.weight"] = glimpse::testing::random_tensor({3, 5}, rng);
  Tensor special({8});
  const float specials[] = {-0.0f,
                            0.0f,
                            1e-40f,  // subnormal
                            std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::lowest(),
                            std::numeric_limits<float>::min(),
                            std::numeric_limits<float>::denorm_min(),
                            0.1f};
  for (int i = 0; i < 8; ++i) special[i] = specials[i];
  tensors["special"] = special;
  tensors["scalar"] = Tensor(Shape{}, 42.5f);
  tensors["empty"] = Tensor(Shape{0, 4});
  tensors["rank3"] = glimpse::testing::random_tensor({2, 1, 3}, rng);
  const std::map<std::string, std::string> meta = {
      {"format", "pt"}, {"note", "quotes \" and \\ and unicode \xc3\xa9"}, {"empty", ""}};

  const std::string p = path("model.safetensors");
  save_safetensors(p, tensors, meta);
  const SafeTensors loaded = load_safetensors(p);
  EXPECT_EQ(loaded.metadata, meta);
  ASSERT_EQ(loaded.tensors.size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    SCOPED_TRACE(name);
    auto it = loaded.tensors.find(name);
    ASSERT_NE(it, loaded.tensors.end());
    EXPECT_EQ(it->second.shape(), t.shape());
    ASSERT_EQ(it->second.size(), t.size());
    if (t.size() > 0) {  // an empty tensor has no buffer (data() may be null)
      EXPECT_EQ(std::memcmp(it->second.data(), t.data(), sizeof(float) * t.size()), 0);
    }
  }
  // Data starts 8-byte aligned and the file holds exactly header + 4 bytes per element.
  const std::string raw = read_raw(p);
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(raw[i]);
  EXPECT_EQ((8 + header_len) % 8, 0u);
  int64_t numel = 0;
  for (const auto& [name, t] : tensors) numel += t.size();
  EXPECT_EQ(raw.size(), 8 + header_len + 4 * static_cast<uint64_t>(numel));
  // Same bytes through the in-memory parser.
  EXPECT_EQ(parse_safetensors(raw, "buffer").tensors.size(), tensors.size());
}

TEST_F(SafeTensorsTest, HandWrittenFileLoads) {
  const std::string p = path("hand.safetensors");
  write_raw(p, valid_file());
  const SafeTensors st = load_safetensors(p);
  ASSERT_EQ(st.tensors.size(), 2u);
  EXPECT_EQ(st.tensors.at("a").shape(), (Shape{2, 2}));
  EXPECT_EQ(st.tensors.at("b")[2], 7.0f);
  EXPECT_EQ(st.metadata.at("k"), "v");
}

TEST_F(SafeTensorsTest, NoMetadataRoundTrip) {
  const std::string p = path("plain.safetensors");
  save_safetensors(p, {{"w", Tensor({2}, 3.0f)}});
  const SafeTensors st = load_safetensors(p);
  EXPECT_TRUE(st.metadata.empty());
  EXPECT_EQ(st.tensors.at("w")[1], 3.0f);
}

TEST_F(SafeTensorsTest, F16RoundTrip) {
  // Half: 11 significant bits (relative rounding error <= 2^-11); subnormals are multiples of
  // 2^-24 (absolute error <= 2^-25) below 2^-14.
  check_half_round_trip(StoredType::F16, "F16", std::ldexp(1.0f, -11), std::ldexp(1.0f, -25),
                        std::ldexp(1.0f, -14));
}

TEST_F(SafeTensorsTest, BF16RoundTrip) {
  // bfloat16: 8 significant bits (relative rounding error <= 2^-8), float32's exponent range.
  check_half_round_trip(StoredType::BF16, "BF16", std::ldexp(1.0f, -8), 0.0f,
                        std::numeric_limits<float>::min());
}

TEST_F(SafeTensorsTest, HalfRoundsToNearestEven) {
  // F16: spacing 2^-10 above 1. Halfway 1 + 2^-11 goes to the even neighbour 1; 1 + 3*2^-11 to
  // 1 + 2^-9. Above 2048 the spacing is 2.
  EXPECT_EQ(stored_as(StoredType::F16, 1.0f + std::ldexp(1.0f, -11)), 1.0f);
  EXPECT_EQ(stored_as(StoredType::F16, 1.0f + 3 * std::ldexp(1.0f, -11)), 1.0f + std::ldexp(1.0f, -9));
  EXPECT_EQ(stored_as(StoredType::F16, 1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)),
            1.0f + std::ldexp(1.0f, -10));  // just above halfway rounds up
  EXPECT_EQ(stored_as(StoredType::F16, 2049.0f), 2048.0f);
  EXPECT_EQ(stored_as(StoredType::F16, 2051.0f), 2052.0f);
  EXPECT_EQ(stored_as(StoredType::F16, 65504.0f), 65504.0f);  // largest half
  EXPECT_EQ(stored_as(StoredType::F16, 65519.0f), 65504.0f);
  EXPECT_EQ(stored_as(StoredType::F16, -std::ldexp(1.0f, -24)), -std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(stored_as(StoredType::F16, std::ldexp(1.0f, -14)), std::ldexp(1.0f, -14));    // smallest normal
  EXPECT_EQ(stored_as(StoredType::F16, std::ldexp(1023.0f, -24)), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(stored_as(StoredType::F16, std::ldexp(1.0f, -26)), 0.0f);  // below half the smallest
  // BF16: spacing 2^-7 above 1.
  EXPECT_EQ(stored_as(StoredType::BF16, 1.0f + std::ldexp(1.0f, -8)), 1.0f);
  EXPECT_EQ(stored_as(StoredType::BF16, 1.0f + 3 * std::ldexp(1.0f, -8)), 1.0f + std::ldexp(1.0f, -6));
  EXPECT_EQ(stored_as(StoredType::BF16, -3.0f), -3.0f);
}

TEST_F(SafeTensorsTest, SaveRefusesMetadataName) {
  EXPECT_THROW(save_safetensors(path("x.safetensors"), {{"__metadata__", Tensor({1})}}), Error);
}

// ---------------------------------------------------------------------------------------------
// Refusals

TEST_F(SafeTensorsTest, RefusesEmptyFile) {
  expect_refused("empty.safetensors", "", {"too short"});
}

TEST_F(SafeTensorsTest, RefusesMissingFile) {
  const std::string p = path("does_not_exist.safetensors");
  EXPECT_THROW(load_safetensors(p), Error);
  try {
    load_safetensors(p);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

TEST_F(SafeTensorsTest, RefusesTruncatedFile) {
  const std::string full = valid_file();
  ASSERT_NO_THROW(parse_safetensors(full, "full"));
  // Every proper prefix is refused (in memory)...
  for (size_t cut = 0; cut < full.size(); ++cut)
    EXPECT_THROW(parse_safetensors(full.substr(0, cut), "cut"), Error) << "cut at " << cut;
  // ...and a few through files: inside the length, inside the header, right after the header,
  // inside the data, one byte short.
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(full[i]);
  for (size_t cut : {size_t{4}, size_t{8}, size_t{8 + header_len / 2}, size_t{8 + header_len},
                     size_t{8 + header_len + 10}, full.size() - 1})
    expect_refused("cut_" + std::to_string(cut) + ".safetensors", full.substr(0, cut), {});
}

TEST_F(SafeTensorsTest, RefusesHeaderLengthPastEnd) {
  const std::string header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  std::string bytes = make_file(header, f32_bytes({1.0f}));
  // Claim 1000 header bytes.
  std::string claim = bytes;
  const uint64_t n = 1000;
  for (int i = 0; i < 8; ++i) claim[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  expect_refused("len_past_end.safetensors", claim, {"header length 1000", "past the end"});
  // A length near 2^64 (would overflow 8 + len).
  std::string huge = bytes;
  for (int i = 0; i < 8; ++i) huge[static_cast<size_t>(i)] = static_cast<char>(0xff);
  expect_refused("len_huge.safetensors", huge, {"header length"});
}

TEST_F(SafeTensorsTest, RefusesNonJsonHeader) {
  expect_refused("not_json.safetensors", make_file("this is not json", ""), {"JSON"});
  expect_refused("json_array.safetensors", make_file("[1, 2, 3]", ""), {"not a JSON object"});
  expect_refused("json_trailing.safetensors", make_file("{} trailing", ""), {"JSON"});
  expect_refused("json_open.safetensors", make_file(R"({"a": {"dtype": "F32")", ""), {"JSON"});
}

TEST_F(SafeTensorsTest, RefusesOffsetsOutsideData) {
  expect_refused("past_data.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[100],"data_offsets":[0,400]}})",
                           f32_bytes({1, 2, 3, 4})),
                 {"tensor 'a'", "[0, 400]", "outside"});
  expect_refused("reversed.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})",
                           f32_bytes({1, 2, 3, 4})),
                 {"tensor 'a'", "outside"});
  expect_refused("negative_offset.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})",
                           f32_bytes({1})),
                 {"data_offsets"});
}

TEST_F(SafeTensorsTest, RefusesOverlappingOffsets) {
  expect_refused("overlap.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                           R"("b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})",
                           f32_bytes({1, 2, 3, 4, 5, 6})),
                 {"overlap"});
  // The same range twice.
  expect_refused("alias.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                           f32_bytes({1, 2})),
                 {"overlap"});
}

TEST_F(SafeTensorsTest, RefusesWrongByteCount) {
  expect_refused("byte_count.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})",
                           f32_bytes({1, 2, 3, 4, 5, 6})),
                 {"tensor 'a'", "20 bytes", "[2, 3]"});
  expect_refused("byte_count_f16.safetensors",
                 make_file(R"({"a":{"dtype":"F16","shape":[3],"data_offsets":[0,12]}})",
                           f32_bytes({1, 2, 3})),
                 {"tensor 'a'", "12 bytes", "[3]", "F16"});
}

TEST_F(SafeTensorsTest, RefusesUnsupportedDtype) {
  for (const char* dtype : {"F64", "I32", "U8", "BOOL", "f32"}) {
    expect_refused(std::string("dtype_") + dtype + ".safetensors",
                   make_file(std::string(R"({"a":{"dtype":")") + dtype +
                                 R"(","shape":[2],"data_offsets":[0,8]}})",
                             f32_bytes({1, 2})),
                   {"unsupported dtype", dtype});
  }
  expect_refused("dtype_number.safetensors",
                 make_file(R"({"a":{"dtype":32,"shape":[2],"data_offsets":[0,8]}})", f32_bytes({1, 2})),
                 {"dtype"});
}

TEST_F(SafeTensorsTest, RefusesNonFiniteValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::string f32_header = R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}})";
  expect_refused("nan.safetensors", make_file(f32_header, f32_bytes({1, nan, 3})), {"tensor 'a'", "NaN"});
  expect_refused("inf.safetensors", make_file(f32_header, f32_bytes({1, 2, -inf})), {"tensor 'a'", "Inf"});
  const std::string half_header = R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})";
  expect_refused("nan_f16.safetensors", make_file(half_header, u16_bytes({0x3c00, 0x7e00})), {"NaN"});
  expect_refused("inf_f16.safetensors", make_file(half_header, u16_bytes({0x7c00, 0x3c00})), {"Inf"});
  const std::string bf_header = R"({"h":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}})";
  expect_refused("nan_bf16.safetensors", make_file(bf_header, u16_bytes({0x3f80, 0x7fc0})), {"NaN"});
  // A NaN saved by the writer is refused when read back.
  const std::string p = path("saved_nan.safetensors");
  save_safetensors(p, {{"x", Tensor({2}, nan)}});
  EXPECT_THROW(load_safetensors(p), Error);
}

TEST_F(SafeTensorsTest, RefusesHugeShape) {
  // 2^32 elements claimed for 4 bytes of data: refused before any allocation.
  expect_refused("huge.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[65536,65536],"data_offsets":[0,4]}})",
                           f32_bytes({1})),
                 {"tensor 'a'", "2^31"});
  expect_refused("huge_dim.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[4294967296],"data_offsets":[0,4]}})",
                           f32_bytes({1})),
                 {"tensor 'a'", "too large"});
  // Product overflowing 64 bits.
  expect_refused("overflow.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[2147483648,2147483648,2147483648],)"
                           R"("data_offsets":[0,4]}})",
                           f32_bytes({1})),
                 {"tensor 'a'"});
  expect_refused("negative_dim.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", f32_bytes({1})),
                 {"tensor 'a'", "non-negative"});
  expect_refused("fraction_dim.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", f32_bytes({1})),
                 {"tensor 'a'"});
  expect_refused("rank9.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}})",
                           f32_bytes({1})),
                 {"tensor 'a'", "shape"});
}

TEST_F(SafeTensorsTest, RefusesMalformedEntries) {
  expect_refused("missing_fields.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[1]}})", f32_bytes({1})),
                 {"tensor 'a'", "data_offsets"});
  expect_refused("entry_not_object.safetensors", make_file(R"({"a":[1,2,3]})", ""), {"tensor 'a'"});
  expect_refused("offsets_three.safetensors",
                 make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", f32_bytes({1, 2})),
                 {"data_offsets"});
  expect_refused("metadata_not_string.safetensors",
                 make_file(R"({"__metadata__":{"k":1}})", ""), {"__metadata__", "'k'"});
  expect_refused("metadata_not_object.safetensors", make_file(R"({"__metadata__":"x"})", ""),
                 {"__metadata__"});
}

// ---------------------------------------------------------------------------------------------
// Atomic writes

TEST_F(SafeTensorsTest, WriteFileAtomicLeavesNoTempFile) {
  const std::string p = path("state.bin");
  write_file_atomic(p, "first contents");
  EXPECT_EQ(read_raw(p), "first contents");
  EXPECT_EQ(listing(), (std::set<std::string>{"state.bin"}));
  // Overwriting replaces the contents, still without leftovers.
  write_file_atomic(p, std::string("second\0binary", 13));
  EXPECT_EQ(read_raw(p), std::string("second\0binary", 13));
  write_file_atomic(p, "");
  EXPECT_EQ(read_raw(p), "");
  EXPECT_EQ(listing(), (std::set<std::string>{"state.bin"}));
  // save_safetensors goes through the same path.
  save_safetensors(path("m.safetensors"), {{"w", Tensor({3}, 1.0f)}});
  EXPECT_EQ(listing(), (std::set<std::string>{"state.bin", "m.safetensors"}));
}

TEST_F(SafeTensorsTest, WriteFileAtomicFailureNamesFileAndLeavesNothing) {
  const std::string p = path("no_such_dir/state.bin");
  EXPECT_THROW(write_file_atomic(p, "x"), Error);
  try {
    write_file_atomic(p, "x");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
  EXPECT_TRUE(listing().empty());
  // Renaming onto a directory fails after the temp file is written: the temp file is removed.
  fs::create_directory(path("a_dir"));
  fs::create_directory(path("a_dir/inner"));  // non-empty directory: rename() refuses
  EXPECT_THROW(write_file_atomic(path("a_dir"), "x"), Error);
  EXPECT_EQ(listing(), (std::set<std::string>{"a_dir"}));
}

}  // namespace
}  // namespace glimpse
