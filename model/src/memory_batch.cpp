#include "glimpse/model/memory_batch.h"

#include <algorithm>

#include "glimpse/core/error.h"

namespace glimpse::model {
namespace {

// Rows [row0, row0 + rows) of `src`, which holds `rows_per_image` rows per image.
void append_rows(const Tensor& src, int64_t row0, int64_t rows, Tensor& dst, int64_t& dst_row) {
  if (rows == 0 || src.empty()) return;
  const int64_t cols = src.cols();
  std::copy(src.data() + row0 * cols, src.data() + (row0 + rows) * cols, dst.data() + dst_row * cols);
  dst_row += rows;
}

// `t` sized for `images` copies of `rows_per_image` rows shaped like `like`.
void size_like(const Tensor& like, int64_t images, int64_t rows_per_image, Tensor& t) {
  if (like.empty()) {
    t = Tensor();
    return;
  }
  t.resize({images * rows_per_image, like.cols()});
}

void append_bytes(const std::vector<uint8_t>& src, int64_t at, int64_t n, std::vector<uint8_t>& dst) {
  if (src.empty()) return;
  dst.insert(dst.end(), src.begin() + at, src.begin() + at + n);
}

}  // namespace

bool same_layout(const EncodedMemories& a, const EncodedMemories& b) {
  return a.image_len == b.image_len && a.context_len == b.context_len && a.slots == b.slots &&
         a.kv.size() == b.kv.size() && a.image.cols() == b.image.cols();
}

EncodedMemories concat_memories(const std::vector<const EncodedMemories*>& parts) {
  check(!parts.empty(), "concat_memories", "nothing to join");
  const EncodedMemories& first = *parts.front();
  int64_t images = 0;
  for (const EncodedMemories* p : parts) {
    check(p != nullptr && same_layout(first, *p), "concat_memories",
          "memories of different layouts (image length, context length or fusion slots)");
    images += p->images;
  }
  const int64_t N = first.image_len, Lc = first.context_len, L = N + Lc;
  EncodedMemories out;
  out.images = images;
  out.image_len = N;
  out.context_len = Lc;
  out.slots = first.slots;
  out.slot_len[0] = first.slot_len[0];
  out.slot_len[1] = first.slot_len[1];
  size_like(first.image, images, N, out.image);
  size_like(first.context, images, Lc, out.context);
  size_like(first.joint, images, L, out.joint);
  out.kv.resize(first.kv.size());
  for (size_t l = 0; l < first.kv.size(); ++l)
    for (int s = 0; s < first.slots; ++s)
      size_like(first.kv[l][static_cast<size_t>(s)], images, first.slot_len[s], out.kv[l][static_cast<size_t>(s)]);
  int64_t at_image = 0, at_context = 0, at_joint = 0;
  std::vector<int64_t> at_kv(first.kv.size() * 2, 0);
  for (const EncodedMemories* p : parts) {
    append_rows(p->image, 0, p->images * N, out.image, at_image);
    append_rows(p->context, 0, p->images * Lc, out.context, at_context);
    append_rows(p->joint, 0, p->joint.empty() ? 0 : p->images * L, out.joint, at_joint);
    append_bytes(p->context_padding, 0, static_cast<int64_t>(p->context_padding.size()), out.context_padding);
    append_bytes(p->joint_padding, 0, static_cast<int64_t>(p->joint_padding.size()), out.joint_padding);
    for (size_t l = 0; l < p->kv.size(); ++l)
      for (int s = 0; s < p->slots; ++s)
        append_rows(p->kv[l][static_cast<size_t>(s)], 0, p->images * p->slot_len[s],
                    out.kv[l][static_cast<size_t>(s)], at_kv[l * 2 + static_cast<size_t>(s)]);
  }
  return out;
}

EncodedMemories slice_memories(const EncodedMemories& m, int64_t i, int64_t context_len) {
  check(i >= 0 && i < m.images, "slice_memories",
        "image " + std::to_string(i) + " of a batch of " + std::to_string(m.images));
  const int64_t N = m.image_len, Lc = m.context_len, L = N + Lc;
  const int64_t keep = context_len < 0 ? Lc : context_len;
  check(keep <= Lc, "slice_memories",
        "context length " + std::to_string(keep) + " exceeds the batch's " + std::to_string(Lc));
  EncodedMemories out;
  out.images = 1;
  out.image_len = N;
  out.context_len = keep;
  out.slots = m.slots;
  if (m.slots == 1) {
    out.slot_len[0] = N + keep;
  } else {
    out.slot_len[0] = N;
    out.slot_len[1] = keep;
  }
  int64_t at = 0;
  size_like(m.image, 1, N, out.image);
  append_rows(m.image, i * N, N, out.image, at);
  at = 0;
  size_like(m.context, 1, keep, out.context);
  append_rows(m.context, i * Lc, keep, out.context, at);
  at = 0;
  size_like(m.joint, 1, N + keep, out.joint);
  append_rows(m.joint, i * L, m.joint.empty() ? 0 : N + keep, out.joint, at);
  if (!m.context_padding.empty()) append_bytes(m.context_padding, i * Lc, keep, out.context_padding);
  if (!m.joint_padding.empty()) append_bytes(m.joint_padding, i * L, N + keep, out.joint_padding);
  out.kv.resize(m.kv.size());
  for (size_t l = 0; l < m.kv.size(); ++l)
    for (int s = 0; s < m.slots; ++s) {
      const Tensor& src = m.kv[l][static_cast<size_t>(s)];
      Tensor& dst = out.kv[l][static_cast<size_t>(s)];
      at = 0;
      size_like(src, 1, out.slot_len[s], dst);
      append_rows(src, i * m.slot_len[s], out.slot_len[s], dst, at);
    }
  return out;
}

}  // namespace glimpse::model
