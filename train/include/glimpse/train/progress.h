// Live training progress on stderr: a one-line bar redrawn in place on a terminal
//   [#########.........] 412/1000  loss 2.314  lr 4.9e-04  38.2 samples/s  ETA 4m12s
// and plain lines every `interval_s` seconds when stderr is a file or a pipe (logs, CI).
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace glimpse::train {

struct ProgressFigures {
  int64_t step = 0;  // steps completed
  double loss = 0, lr = 0, samples_per_s = 0;
};

class ProgressReporter {
 public:
  // `first_step`: where this process started (resumed runs), so rate and ETA are its own.
  ProgressReporter(int64_t total_steps, int64_t first_step, std::ostream& out, bool terminal,
                   double interval_s = 10.0);
  void update(const ProgressFigures& f);
  // A message on its own line (the bar is redrawn after it).
  void message(const std::string& text);
  void finish();

  // "4m12s", "1h02m", "37s"
  static std::string format_duration(double seconds);
  // The text of one progress line (no bar, no carriage return).
  std::string line(const ProgressFigures& f) const;

 private:
  using Clock = std::chrono::steady_clock;
  int64_t total_, first_;
  std::ostream& out_;
  bool terminal_;
  double interval_s_;
  Clock::time_point start_, last_draw_;
  bool drawn_ = false;
  ProgressFigures last_;
};

// isatty(STDERR_FILENO)
bool stderr_is_terminal();

}  // namespace glimpse::train
