#include "difference_table.h"

#include <algorithm>

#include "glimpse/eval/image_tallies.h"
#include "number_format.h"

namespace glimpse::app {
namespace {

std::vector<eval::ImageTallies> tallies_of(const eval::EvalReport& r) {
  std::vector<eval::ImageTallies> out;
  out.reserve(r.per_image.size());
  for (const auto& i : r.per_image) out.push_back(i.tallies);
  return out;
}

std::string cell(const eval::PairedDifference& d) {
  return signed_decimals(d.value, 3) + " [" + signed_decimals(d.ci95.lo, 3) + ", " + signed_decimals(d.ci95.hi, 3) + "]" +
         (d.excludes_zero() ? " *" : "  ");
}

}  // namespace

std::vector<ModelDifferences> differences_from_first(const std::vector<ReportColumn>& columns,
                                                     const eval::BootstrapOptions& options) {
  std::vector<ModelDifferences> out;
  if (columns.size() < 2 || options.resamples == 0) return out;
  const eval::EvalReport& first = *columns.front().report;
  const auto first_tallies = tallies_of(first);
  for (size_t k = 1; k < columns.size(); ++k) {
    const eval::EvalReport& other = *columns[k].report;
    const size_t layers = std::max(first.pointing.predicted.by_layer.size(), other.pointing.predicted.by_layer.size());
    out.push_back({columns[k].name, eval::paired_differences(first_tallies, tallies_of(other), layers, options)});
  }
  return out;
}

std::string format_difference_table(const std::string& baseline, const std::vector<ModelDifferences>& diffs,
                                    bool markdown) {
  if (diffs.empty()) return "";
  // Rows in tallied_metrics' order, for the metrics some model has a difference for.
  size_t layers = 0;
  for (const auto& d : diffs)
    for (const auto& [key, v] : d.by_metric)
      if (key.rfind("pointing_predicted_layer_", 0) == 0) layers = std::max(layers, std::stoul(key.substr(25)));
  std::vector<std::string> keys;
  for (const eval::TalliedMetric& m : eval::tallied_metrics(layers))
    for (const auto& d : diffs)
      if (d.by_metric.count(m.key)) {
        keys.push_back(m.key);
        break;
      }

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header{"metric (model - " + baseline + ")"};
  for (const auto& d : diffs) header.push_back(d.name);
  rows.push_back(header);
  for (const std::string& key : keys) {
    std::vector<std::string> row{key};
    for (const auto& d : diffs) {
      const auto it = d.by_metric.find(key);
      row.push_back(it == d.by_metric.end() ? "n/a" : cell(it->second));
    }
    rows.push_back(std::move(row));
  }

  std::string out = "Differences from " + baseline +
                    " on the same images, 95 % paired bootstrap intervals (* : the interval excludes 0)\n";
  if (markdown) {
    for (size_t r = 0; r < rows.size(); ++r) {
      out += "|";
      for (const auto& c : rows[r]) out += " " + c + " |";
      out += "\n";
      if (r == 0) {
        out += "| --- |";
        for (size_t i = 0; i < diffs.size(); ++i) out += " ---: |";
        out += "\n";
      }
    }
    return out;
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    std::string line = row[0] + std::string(width[0] - row[0].size(), ' ');
    for (size_t i = 1; i < row.size(); ++i) line += "  " + std::string(width[i] - row[i].size(), ' ') + row[i];
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

nlohmann::json difference_json(const std::string& baseline, const std::vector<ModelDifferences>& diffs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : diffs) {
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& [key, v] : d.by_metric)
      metrics[key] = {{"value", v.value}, {"ci95", {v.ci95.lo, v.ci95.hi}}, {"excludes_zero", v.excludes_zero()}};
    out.push_back({{"model", d.name}, {"minus", baseline}, {"metrics", metrics}});
  }
  return out;
}

}  // namespace glimpse::app
