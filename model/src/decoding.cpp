#include "glimpse/model/decoding.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "glimpse/core/error.h"
#include "glimpse/model/decode_session.h"

namespace glimpse::model {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

int64_t word_limit(const CaptionModel& model, const DecodeOptions& o) {
  const int64_t positions = model.config().max_caption_len;  // steps possible
  const int64_t most = positions - 1;                        // words, leaving a step for <eos>
  return o.max_len > 0 ? std::min<int64_t>(o.max_len, most) : most;
}

// Sets banned tokens' log-probabilities to -inf: the never-generated specials always, <eos>
// before min_len, any token that would repeat an n-gram, whatever options.word_ban bans; at
// the word limit (must_end) every
// token but <eos>, whose log-probability is kept. Returns whether the limit cut the caption:
// must_end and the best token the other constraints allowed was a word, not <eos>.
bool apply_constraints(float* logp, int64_t V, int64_t image, const std::vector<int32_t>& words,
                       const DecodeOptions& o, bool must_end) {
  const float eos_logprob = logp[kEosId];
  for (int32_t id : kNeverGenerated) logp[id] = kNegInf;
  if (static_cast<int>(words.size()) < o.min_len) logp[kEosId] = kNegInf;
  const int n = o.no_repeat_ngram;
  if (n > 0 && static_cast<int>(words.size()) >= n - 1) {
    const size_t k = words.size();
    const size_t pre = static_cast<size_t>(n - 1);
    for (size_t i = 0; i + pre < k; ++i) {
      if (std::equal(words.begin() + static_cast<std::ptrdiff_t>(i),
                     words.begin() + static_cast<std::ptrdiff_t>(i + pre),
                     words.end() - static_cast<std::ptrdiff_t>(pre)))
        logp[words[i + pre]] = kNegInf;
    }
  }
  if (o.word_ban != nullptr) o.word_ban->ban(image, words, logp);
  if (!must_end) return false;
  const bool cut = std::max_element(logp, logp + V) - logp != kEosId;
  std::fill(logp, logp + V, kNegInf);
  logp[kEosId] = eos_logprob;
  return cut;
}

// Whether a token decoding may choose has a higher log-probability than <eos> (ties go to
// <eos>, the lower id, as in decoding's argmax).
bool a_word_beats_eos(const float* logp, int64_t V) {
  for (int64_t j = 0; j < V; ++j)
    if (j != kEosId && !is_never_generated(static_cast<int32_t>(j)) && logp[j] > logp[kEosId]) return true;
  return false;
}

float length_penalty(size_t steps, float alpha) {
  return std::pow((5.0f + static_cast<float>(steps)) / 6.0f, alpha);
}

// Before every step: a cancelled caller stops the decode here.
void check_cancel(const DecodeOptions& o) {
  if (o.cancel != nullptr && o.cancel->load(std::memory_order_relaxed)) throw Cancelled();
}

void report_step(const DecodeOptions& o, int64_t pos, int64_t steps_max) {
  if (o.on_step) o.on_step(static_cast<int>(pos + 1), static_cast<int>(steps_max));
}

}  // namespace

bool is_never_generated(int32_t token) {
  return std::find(std::begin(kNeverGenerated), std::end(kNeverGenerated), token) !=
         std::end(kNeverGenerated);
}

void validate(const DecodeOptions& o) {
  check(o.beam >= 1 && o.beam <= 64, "DecodeOptions", "beam must be in [1, 64], got " + std::to_string(o.beam));
  check(o.max_len >= 0 && o.min_len >= 0, "DecodeOptions", "max_len and min_len must be non-negative");
  check(o.max_len == 0 || o.min_len <= o.max_len, "DecodeOptions", "min_len exceeds max_len");
  check(o.no_repeat_ngram >= 0 && o.no_repeat_ngram <= 16, "DecodeOptions", "no_repeat_ngram must be in [0, 16]");
  check(std::isfinite(o.length_penalty), "DecodeOptions", "length_penalty must be finite");
  check(o.top_k >= 0 && o.top_k <= 32, "DecodeOptions", "top_k must be in [0, 32], got " + std::to_string(o.top_k));
}

std::vector<DecodedCaption> greedy_decode(const CaptionModel& model, const EncodedMemories& m,
                                          const DecodeOptions& o) {
  validate(o);
  const int64_t words_max = word_limit(model, o);
  const int64_t V = model.config().vocab_size;
  DecodeSession stepper(model, m, 1, words_max + 1, o.keep_records);
  std::vector<DecodedCaption> out(static_cast<size_t>(m.images));
  std::vector<int32_t> ids(static_cast<size_t>(m.images), kBosId);
  std::vector<float> row(static_cast<size_t>(V));
  std::vector<bool> ended(out.size(), false);  // took its <eos> step (finished or cut)
  size_t open = out.size();
  for (int64_t pos = 0; pos <= words_max && open > 0; ++pos) {
    check_cancel(o);
    const Tensor& logp = stepper.step(ids, pos);
    for (int64_t r = 0; r < m.images; ++r) {
      DecodedCaption& c = out[static_cast<size_t>(r)];
      if (ended[static_cast<size_t>(r)]) continue;
      std::copy(logp.data() + r * V, logp.data() + (r + 1) * V, row.begin());
      const bool cut = apply_constraints(row.data(), V, r, c.tokens, o, pos == words_max);
      const int32_t tok = static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
      check_lazily(row[static_cast<size_t>(tok)] != kNegInf, "greedy_decode", [&] {
        return "every token is banned at step " + std::to_string(pos) +
               " (min_len, no_repeat_ngram and the word ban leave nothing to choose)";
      });
      c.logprob += row[static_cast<size_t>(tok)];
      c.steps.push_back(stepper.record(r, tok, row[static_cast<size_t>(tok)], o.top_k));
      ids[static_cast<size_t>(r)] = tok;
      if (tok == kEosId) {
        c.finished = !cut;
        ended[static_cast<size_t>(r)] = true;
        --open;
      } else {
        c.tokens.push_back(tok);
      }
    }
    report_step(o, pos, words_max + 1);
  }
  for (auto& c : out) c.score = c.logprob / length_penalty(c.steps.size(), o.length_penalty);
  return out;
}

std::vector<std::vector<DecodedCaption>> beam_decode_all(const CaptionModel& model,
                                                         const EncodedMemories& m,
                                                         const DecodeOptions& o) {
  validate(o);
  const int64_t k = o.beam, words_max = word_limit(model, o);
  const int64_t V = model.config().vocab_size;
  DecodeSession stepper(model, m, k, words_max + 1, o.keep_records);
  const int64_t rows = stepper.rows();

  struct Hyp {
    DecodedCaption c;
    bool alive = false;
  };
  std::vector<Hyp> hyps(static_cast<size_t>(rows));
  for (int64_t i = 0; i < m.images; ++i) hyps[static_cast<size_t>(i * k)].alive = true;  // one start per image
  std::vector<std::vector<DecodedCaption>> finished(static_cast<size_t>(m.images));
  std::vector<bool> image_done(static_cast<size_t>(m.images), false);
  std::vector<int32_t> ids(static_cast<size_t>(rows), kBosId);
  std::vector<float> row(static_cast<size_t>(V));
  std::vector<int32_t> idx(static_cast<size_t>(V));  // token order, reused every row and step

  struct Candidate {
    float score;
    int64_t src;
    int32_t token;
    float logprob;
    bool cut;  // the word limit forced this <eos>
  };
  std::vector<Candidate> cands;
  std::vector<int64_t> src(static_cast<size_t>(rows));
  std::vector<Hyp> next(static_cast<size_t>(rows));

  for (int64_t pos = 0; pos <= words_max; ++pos) {
    check_cancel(o);
    const Tensor& logp = stepper.step(ids, pos);
    bool any_alive = false;
    for (int64_t img = 0; img < m.images; ++img) {
      auto& done_list = finished[static_cast<size_t>(img)];
      cands.clear();
      if (!image_done[static_cast<size_t>(img)]) {
        for (int64_t b = 0; b < k; ++b) {
          const int64_t r = img * k + b;
          const Hyp& h = hyps[static_cast<size_t>(r)];
          if (!h.alive) continue;
          std::copy(logp.data() + r * V, logp.data() + (r + 1) * V, row.begin());
          const bool cut = apply_constraints(row.data(), V, img, h.c.tokens, o, pos == words_max);
          // The 2k best of this row are enough: at most k go on, at most k finish.
          std::iota(idx.begin(), idx.end(), 0);
          const int64_t top = std::min<int64_t>(2 * k, V);
          std::partial_sort(idx.begin(), idx.begin() + top, idx.end(),
                            [&](int32_t a, int32_t c) { return row[static_cast<size_t>(a)] > row[static_cast<size_t>(c)]; });
          for (int64_t t = 0; t < top; ++t) {
            const float lp = row[static_cast<size_t>(idx[static_cast<size_t>(t)])];
            if (lp == kNegInf) break;
            cands.push_back({h.c.logprob + lp, r, idx[static_cast<size_t>(t)], lp, cut});
          }
        }
        std::stable_sort(cands.begin(), cands.end(),
                         [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
      }
      int64_t kept = 0;
      for (const Candidate& cand : cands) {
        if (kept == k) break;
        const Hyp& parent = hyps[static_cast<size_t>(cand.src)];
        DecodedCaption c = parent.c;
        c.logprob = cand.score;
        c.steps.push_back(stepper.record(cand.src, cand.token, cand.logprob, o.top_k));
        if (cand.token == kEosId) {
          c.finished = !cand.cut;
          c.score = c.logprob / length_penalty(c.steps.size(), o.length_penalty);
          done_list.push_back(std::move(c));
          continue;
        }
        c.tokens.push_back(cand.token);
        const int64_t slot = img * k + kept;
        next[static_cast<size_t>(slot)].c = std::move(c);
        next[static_cast<size_t>(slot)].alive = true;
        src[static_cast<size_t>(slot)] = cand.src;
        ++kept;
      }
      for (int64_t b = kept; b < k; ++b) {
        next[static_cast<size_t>(img * k + b)] = Hyp{};
        src[static_cast<size_t>(img * k + b)] = img * k + b;
      }
      // Done when k hypotheses have finished, or when no live one can still beat the best
      // finished (its log-probability only falls; the largest penalty divisor bounds it).
      if (!done_list.empty()) {
        float best_done = kNegInf;
        for (const auto& c : done_list) best_done = std::max(best_done, c.score);
        float best_alive = kNegInf;
        for (int64_t b = 0; b < kept; ++b)
          best_alive = std::max(best_alive, next[static_cast<size_t>(img * k + b)].c.logprob);
        const float bound = best_alive / length_penalty(static_cast<size_t>(words_max + 1), o.length_penalty);
        if (static_cast<int64_t>(done_list.size()) >= k || (o.length_penalty >= 0 && best_done >= bound))
          image_done[static_cast<size_t>(img)] = true;
      }
      if (kept == 0) image_done[static_cast<size_t>(img)] = true;
      if (image_done[static_cast<size_t>(img)])
        for (int64_t b = 0; b < k; ++b) next[static_cast<size_t>(img * k + b)].alive = false;
      any_alive |= !image_done[static_cast<size_t>(img)];
    }
    std::swap(hyps, next);
    for (int64_t r = 0; r < rows; ++r)
      ids[static_cast<size_t>(r)] = hyps[static_cast<size_t>(r)].alive ? hyps[static_cast<size_t>(r)].c.tokens.back() : kPadId;
    report_step(o, pos, words_max + 1);
    if (!any_alive) break;
    stepper.reorder(src, pos + 1);
  }

  for (int64_t img = 0; img < m.images; ++img) {
    // The last step forces <eos> on every live hypothesis, so all of them are in the list.
    auto& list = finished[static_cast<size_t>(img)];
    check(!list.empty(), "beam_decode", "no hypothesis survived");
    std::stable_sort(list.begin(), list.end(), [](const DecodedCaption& a, const DecodedCaption& b) {
      if (a.finished != b.finished) return a.finished;  // a finished caption beats a cut one
      return a.score > b.score;
    });
  }
  return finished;
}

std::vector<DecodedCaption> beam_decode(const CaptionModel& model, const EncodedMemories& m,
                                        const DecodeOptions& o) {
  std::vector<DecodedCaption> out;
  for (auto& list : beam_decode_all(model, m, o)) out.push_back(std::move(list.front()));
  return out;
}

std::vector<DecodedCaption> teacher_force(const CaptionModel& model, const EncodedMemories& m,
                                          const std::vector<std::vector<int32_t>>& captions,
                                          const DecodeOptions& o) {
  validate(o);
  check(static_cast<int64_t>(captions.size()) == m.images, "teacher_force",
        std::to_string(captions.size()) + " captions for " + std::to_string(m.images) + " images");
  const int64_t words_max = word_limit(model, o), V = model.config().vocab_size;
  size_t longest = 0;
  for (size_t i = 0; i < captions.size(); ++i) {
    const auto& words = captions[i];
    check(!words.empty(), "teacher_force", "caption " + std::to_string(i) + " has no words");
    check(static_cast<int64_t>(words.size()) <= words_max, "teacher_force",
          "caption " + std::to_string(i) + " has " + std::to_string(words.size()) +
              " words; the limit is " + std::to_string(words_max));
    for (int32_t id : words)
      check(id >= 0 && id < V && id != kPadId && id != kBosId && id != kEosId, "teacher_force",
            "caption " + std::to_string(i) + " holds token id " + std::to_string(id) +
                ", which is not a word of the vocabulary");
    longest = std::max(longest, words.size());
  }
  DecodeSession stepper(model, m, 1, static_cast<int64_t>(longest) + 1, o.keep_records);
  std::vector<DecodedCaption> out(captions.size());
  std::vector<int32_t> ids(captions.size(), kBosId);
  for (size_t pos = 0; pos <= longest; ++pos) {
    check_cancel(o);
    const Tensor& logp = stepper.step(ids, static_cast<int64_t>(pos));
    for (size_t r = 0; r < captions.size(); ++r) {
      const auto& words = captions[r];
      DecodedCaption& c = out[r];
      if (pos > words.size()) {  // this row ended: keep feeding it something harmless
        ids[r] = kPadId;
        continue;
      }
      const int32_t target = pos < words.size() ? words[pos] : kEosId;
      const float lp = logp.data()[static_cast<int64_t>(r) * V + target];
      c.logprob += lp;
      c.steps.push_back(stepper.record(static_cast<int64_t>(r), target, lp, o.top_k));
      if (target == kEosId) {
        // At the word limit, decoding would have forced this <eos>: cut if a word beat it.
        const bool at_limit = static_cast<int64_t>(words.size()) == words_max;
        c.finished = !(at_limit && a_word_beats_eos(logp.data() + static_cast<int64_t>(r) * V, V));
      } else {
        c.tokens.push_back(target);
      }
      ids[r] = target;
    }
    report_step(o, static_cast<int64_t>(pos), static_cast<int64_t>(longest) + 1);
  }
  for (auto& c : out) c.score = c.logprob / length_penalty(c.steps.size(), o.length_penalty);
  return out;
}

std::vector<DecodedCaption> decode(const CaptionModel& model, const EncodedMemories& m,
                                   const DecodeOptions& o) {
  return o.beam == 1 ? greedy_decode(model, m, o) : beam_decode(model, m, o);
}

}  // namespace glimpse::model
