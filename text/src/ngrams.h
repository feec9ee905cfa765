// N-gram counting shared by BLEU and CIDEr-D: tokens are interned to integers so that an
// n-gram (n <= 4) is a small fixed-size key, exact for any token text. A caption's counts are
// a vector sorted by n-gram, so comparing two captions is a merge rather than hash look-ups.
#pragma once

#include <algorithm>
#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace glimpse::text::detail {

constexpr int kMaxNgramOrder = 4;

struct Ngram {
  int32_t order = 0;
  std::array<int32_t, kMaxNgramOrder> ids{-1, -1, -1, -1};  // unused positions stay -1
  // clang-tidy 14 takes the comparison with 0 inside a defaulted <=> for a null pointer.
  auto operator<=>(const Ngram& other) const = default;  // NOLINT(modernize-use-nullptr)
};

struct NgramHash {
  // splitmix64's finaliser: every input bit reaches every output bit, so the small, dense token
  // ids do not cluster in the table.
  static uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
  }
  size_t operator()(const Ngram& g) const {
    auto pack = [](int32_t hi, int32_t lo) {
      return (static_cast<uint64_t>(static_cast<uint32_t>(hi)) << 32) | static_cast<uint32_t>(lo);
    };
    const uint64_t h = mix(pack(g.ids[0], g.ids[1]) + static_cast<uint64_t>(g.order));
    return static_cast<size_t>(mix(h ^ pack(g.ids[2], g.ids[3])));
  }
};

// (n-gram, occurrences), sorted by n-gram, each n-gram once.
using NgramCounts = std::vector<std::pair<Ngram, int64_t>>;

// Ngram -> count with open addressing (linear probing, at most half full): one flat array
// instead of a node per entry. CIDEr-D's document frequencies hold every distinct reference
// n-gram of the corpus (about a million for 5000 images), where std::unordered_map's
// allocation and pointer chasing made up most of the run time.
class NgramTable {
 public:
  // The count of `g`, inserted as 0 when absent.
  int64_t& operator[](const Ngram& g) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    Slot& slot = slots_[find_slot(slots_, g)];
    if (slot.key.order == 0) {
      slot.key = g;
      ++size_;
    }
    return slot.value;
  }
  // The count of `g`, 0 when absent.
  int64_t get(const Ngram& g) const {
    if (slots_.empty()) return 0;
    const Slot& slot = slots_[find_slot(slots_, g)];
    return slot.key.order == 0 ? 0 : slot.value;
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    Ngram key;  // order 0: empty
    int64_t value = 0;
  };
  // The slot holding `g`, or the empty slot where it would go.
  static size_t find_slot(const std::vector<Slot>& slots, const Ngram& g) {
    const size_t mask = slots.size() - 1;
    size_t i = NgramHash{}(g) & mask;
    while (slots[i].key.order != 0 && !(slots[i].key == g)) i = (i + 1) & mask;
    return i;
  }
  void grow() {
    std::vector<Slot> bigger(slots_.empty() ? 1024 : 2 * slots_.size());
    for (const Slot& s : slots_) {
      if (s.key.order != 0) bigger[find_slot(bigger, s.key)] = s;
    }
    slots_.swap(bigger);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

// Maps token text to dense integer ids, the same id for the same text.
class TokenInterner {
 public:
  std::vector<int32_t> ids(const std::vector<std::string>& tokens) {
    std::vector<int32_t> out;
    out.reserve(tokens.size());
    for (const std::string& t : tokens) {
      const auto [it, inserted] = ids_.emplace(t, static_cast<int32_t>(ids_.size()));
      out.push_back(it->second);
    }
    return out;
  }

 private:
  std::unordered_map<std::string, int32_t> ids_;
};

// Occurrence counts of every n-gram of orders 1..max_order in `ids`.
inline NgramCounts count_ngrams(const std::vector<int32_t>& ids, int max_order) {
  std::vector<Ngram> all;
  const int64_t n = static_cast<int64_t>(ids.size());
  for (int order = 1; order <= max_order; ++order) {
    for (int64_t start = 0; start + order <= n; ++start) {
      Ngram g;
      g.order = order;
      for (int k = 0; k < order; ++k) g.ids[k] = ids[static_cast<size_t>(start + k)];
      all.push_back(g);
    }
  }
  std::sort(all.begin(), all.end());
  NgramCounts counts;
  for (const Ngram& g : all) {
    if (!counts.empty() && counts.back().first == g) {
      ++counts.back().second;
    } else {
      counts.emplace_back(g, 1);
    }
  }
  return counts;
}

// Calls fn(index_in_a, index_in_b) for every n-gram present in both sorted sequences.
template <typename A, typename B, typename Fn>
void for_each_common_ngram(const A& a, const B& b, Fn fn) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].first < b[j].first) {
      ++i;
    } else if (b[j].first < a[i].first) {
      ++j;
    } else {
      fn(i, j);
      ++i;
      ++j;
    }
  }
}

}  // namespace glimpse::text::detail
