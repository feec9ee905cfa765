// Evaluation reports as one table: a row per metric, a column per model. Plain text with
// aligned columns, or Markdown.
#pragma once

#include <string>
#include <vector>

#include "glimpse/eval/evaluate.h"

namespace glimpse::app {

struct ReportColumn {
  std::string name;  // the model, as the header shows it
  const eval::EvalReport* report = nullptr;
};

std::string format_report_table(const std::vector<ReportColumn>& columns, bool markdown);

}  // namespace glimpse::app
