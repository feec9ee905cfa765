#include "report_table.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>

#include "number_format.h"

namespace glimpse::app {
namespace {

using eval::EvalReport;

std::string value(const std::optional<double>& v, int decimals = 3) {
  return v ? fixed_decimals(*v, decimals) : "n/a";
}

// " [0.571, 0.640]": the report's 95 % bootstrap interval for metric `key`; "" without one.
std::string interval(const EvalReport& r, const std::string& key) {
  const auto it = r.ci95.find(key);
  if (it == r.ci95.end()) return "";
  return " [" + fixed_decimals(it->second.lo, 3) + ", " + fixed_decimals(it->second.hi, 3) + "]";
}

// "0.606 [0.571, 0.640]"; "n/a" without a value.
std::string estimate(const std::optional<double>& v, const EvalReport& r, const std::string& key) {
  return v ? fixed_decimals(*v, 3) + interval(r, key) : "n/a";
}

// "0.625 [0.500, 0.750] (5/8)"; "n/a" without a denominator.
std::string fraction(const std::optional<double>& v, int64_t num, int64_t den, const EvalReport& r,
                     const std::string& key) {
  if (!v) return "n/a";
  return estimate(v, r, key) + " (" + std::to_string(num) + "/" + std::to_string(den) + ")";
}

std::string tally(const eval::PointingTally& t, const EvalReport& r, const std::string& key) {
  return fraction(t.accuracy(), t.hits, t.trials, r, key);
}

struct Row {
  std::string label;
  std::vector<std::string> cells;
};

using Cell = std::function<std::string(const EvalReport&)>;

void add_row(std::vector<Row>& rows, const std::vector<ReportColumn>& cols, const std::string& label,
             const Cell& cell) {
  Row r{label, {}};
  for (const auto& c : cols) r.cells.push_back(cell(*c.report));
  rows.push_back(std::move(r));
}

// Pointing rows of one step kind; models with fewer layers show "-" for the others.
void add_pointing_rows(std::vector<Row>& rows, const std::vector<ReportColumn>& cols, const std::string& step,
                       const eval::PointingStep& (*pick)(const EvalReport&)) {
  size_t layers = 0;
  for (const auto& c : cols) layers = std::max(layers, pick(*c.report).by_layer.size());
  const std::string key = "pointing_" + step + "_";  // tallied_metrics' keys
  add_row(rows, cols, "pointing, " + step + ", all layers",
          [&](const EvalReport& r) { return tally(pick(r).all, r, key + "all"); });
  for (size_t l = 0; l < layers; ++l)
    add_row(rows, cols, "pointing, " + step + ", layer " + std::to_string(l + 1), [&](const EvalReport& r) {
      const auto& by = pick(r).by_layer;
      return l < by.size() ? tally(by[l], r, key + "layer_" + std::to_string(l + 1)) : std::string("-");
    });
  add_row(rows, cols, "pointing, " + step + ", chance",
          [&](const EvalReport& r) { return estimate(pick(r).all.chance(), r, key + "chance"); });
}

std::vector<Row> report_rows(const std::vector<ReportColumn>& cols) {
  std::vector<Row> rows;
  add_row(rows, cols, "fusion", [](const EvalReport& r) { return r.fusion.empty() ? std::string("-") : r.fusion; });
  add_row(rows, cols, "decoding", [](const EvalReport& r) { return r.decoding.empty() ? std::string("-") : r.decoding; });
  add_row(rows, cols, "images", [](const EvalReport& r) { return std::to_string(r.images); });
  add_row(rows, cols, "captions/s", [](const EvalReport& r) { return value(r.captions_per_second(), 1); });
  // At --batch 1 this is the caption latency a user waits for (encode + decode, one image).
  add_row(rows, cols, "ms per caption", [](const EvalReport& r) {
    const auto rate = r.captions_per_second();
    return value(rate && *rate > 0 ? std::optional<double>(1000.0 / *rate) : std::nullopt, 1);
  });
  for (int n = 0; n < 4; ++n)
    add_row(rows, cols, "BLEU-" + std::to_string(n + 1),
            [n](const EvalReport& r) {
              return estimate(r.metrics.bleu[static_cast<size_t>(n)], r, "bleu_" + std::to_string(n + 1));
            });
  add_row(rows, cols, "METEOR", [](const EvalReport& r) {
    return estimate(r.metrics.meteor, r, "meteor") + (r.metrics.meteor_used_wordnet ? "" : " (no WordNet)");
  });
  add_row(rows, cols, "ROUGE-L", [](const EvalReport& r) { return estimate(r.metrics.rouge_l, r, "rouge_l"); });
  add_row(rows, cols, "CIDEr-D", [](const EvalReport& r) { return estimate(r.metrics.cider_d, r, "cider_d"); });
  add_row(rows, cols, "object precision", [](const EvalReport& r) {
    const auto& m = r.mentions;
    return fraction(m.precision(), m.true_positives, m.true_positives + m.false_positives, r, "object_precision");
  });
  add_row(rows, cols, "object recall", [](const EvalReport& r) {
    return fraction(r.mentions.recall(), r.mentions.recalled, r.mentions.scene_objects, r, "object_recall");
  });
  add_row(rows, cols, "object F1", [](const EvalReport& r) { return estimate(r.mentions.f1(), r, "object_f1"); });
  add_row(rows, cols, "hallucination rate", [](const EvalReport& r) {
    return fraction(r.hallucination_rate(), r.hallucinating_captions, r.images, r, "hallucination_rate");
  });
  add_row(rows, cols, "no object named twice", [](const EvalReport& r) {
    return fraction(r.no_repeat_rate(), r.images - r.repeating_captions, r.images, r, "no_repeat_rate");
  });
  add_row(rows, cols, "distractor hallucination rate", [](const EvalReport& r) {
    return fraction(r.distractor_hallucination_rate(), r.distractor_hallucinating, r.distractor_captions, r,
                    "distractor_hallucination_rate");
  });
  // Context following: one row per kind with a rule; the empty context's are the rows above.
  for (const std::string& kind : eval::followed_context_kinds())
    add_row(rows, cols, kind + " followed", [&kind](const EvalReport& r) {
      const eval::FollowTally t = r.followed(kind);
      return fraction(t.rate(), t.followed, t.captions, r, kind + "_followed");
    });
  add_row(rows, cols, "image share", [](const EvalReport& r) { return estimate(r.shares.image(), r, "image_share"); });
  add_row(rows, cols, "context share",
          [](const EvalReport& r) { return estimate(r.shares.context(), r, "context_share"); });
  add_row(rows, cols, "image share, distractor context",
          [](const EvalReport& r) { return estimate(r.distractor_shares.image(), r, "image_share_distractor"); });
  add_row(rows, cols, "context share, distractor context",
          [](const EvalReport& r) { return estimate(r.distractor_shares.context(), r, "context_share_distractor"); });
  add_row(rows, cols, "pointing tolerance", [](const EvalReport& r) {
    return fixed_decimals(r.pointing_tolerance, 4) + " x longer side";
  });
  add_pointing_rows(rows, cols, "predicted", [](const EvalReport& r) -> const eval::PointingStep& { return r.pointing.predicted; });
  add_pointing_rows(rows, cols, "input", [](const EvalReport& r) -> const eval::PointingStep& { return r.pointing.input; });
  return rows;
}

std::string pad(const std::string& s, size_t width, bool right) {
  const std::string fill(width > s.size() ? width - s.size() : 0, ' ');
  return right ? fill + s : s + fill;
}

}  // namespace

std::string format_report_table(const std::vector<ReportColumn>& columns, bool markdown) {
  const std::vector<Row> rows = report_rows(columns);
  std::vector<std::string> header{"metric"};
  for (const auto& c : columns) header.push_back(c.name);
  std::string out;
  if (markdown) {
    auto line = [&](const std::vector<std::string>& cells) {
      out += "|";
      for (const auto& c : cells) out += " " + c + " |";
      out += "\n";
    };
    line(header);
    out += "| --- |";
    for (size_t i = 0; i < columns.size(); ++i) out += " ---: |";
    out += "\n";
    for (const Row& r : rows) {
      std::vector<std::string> cells{r.label};
      cells.insert(cells.end(), r.cells.begin(), r.cells.end());
      line(cells);
    }
    return out;
  }
  std::vector<size_t> width(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const Row& r : rows) {
    width[0] = std::max(width[0], r.label.size());
    for (size_t i = 0; i < r.cells.size(); ++i) width[i + 1] = std::max(width[i + 1], r.cells[i].size());
  }
  auto line = [&](const std::string& first, const std::vector<std::string>& cells) {
    std::string s = pad(first, width[0], false);
    for (size_t i = 0; i < cells.size(); ++i) s += "  " + pad(cells[i], width[i + 1], true);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out += s + "\n";
  };
  line(header[0], std::vector<std::string>(header.begin() + 1, header.end()));
  for (const Row& r : rows) line(r.label, r.cells);
  return out;
}

}  // namespace glimpse::app
