// The metrics log of a training run: one JSON object per line (JSONL) next to the model,
//   {"kind":"train","step":120,"loss":2.31,"lr":0.0005,"grad_norm":1.2,"samples_per_s":38.1,...}
//   {"kind":"val","step":500,"val_loss":1.9,"cider_d":0.81,"pointing":0.62,...}
// rewritten atomically whenever the training state is saved, so the log on disk always
// matches a state the run can resume from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace glimpse::train {

class TrainingLog {
 public:
  void add(nlohmann::json row);  // must hold "kind" and "step"
  // Reads an existing log, keeping only rows up to `last_step` (a resumed run drops what the
  // killed run logged after its last saved state). A missing file gives an empty log.
  void load(const std::string& path, int64_t last_step);
  void save(const std::string& path) const;

  const std::vector<nlohmann::json>& rows() const { return rows_; }
  // (step, value) of every row of `kind` that has a numeric `field`.
  std::vector<std::pair<double, double>> series(const std::string& kind,
                                                const std::string& field) const;

 private:
  std::vector<nlohmann::json> rows_;
};

}  // namespace glimpse::train
