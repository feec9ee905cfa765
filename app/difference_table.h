// `glimpse compare`'s second table: each model minus the first, per metric, with the 95 %
// paired bootstrap interval (eval::paired_differences). A difference whose interval excludes
// 0 is marked "*": on these test images the two models differ by more than resampling the
// images explains. It says nothing about training noise: for that, compare seeds of one recipe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "glimpse/eval/bootstrap.h"
#include "report_table.h"

namespace glimpse::app {

struct ModelDifferences {
  std::string name;  // the model, as the table's header shows it
  std::map<std::string, eval::PairedDifference> by_metric;
};

// columns[k] minus columns[0] for k >= 1; the reports must cover the same images in the same
// order (they do when one `glimpse compare` evaluated them).
std::vector<ModelDifferences> differences_from_first(const std::vector<ReportColumn>& columns,
                                                     const eval::BootstrapOptions& options);

std::string format_difference_table(const std::string& baseline, const std::vector<ModelDifferences>& diffs,
                                    bool markdown);

nlohmann::json difference_json(const std::string& baseline, const std::vector<ModelDifferences>& diffs);

}  // namespace glimpse::app
