#include "glimpse/train/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ostream>

namespace glimpse::train {

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

ProgressReporter::ProgressReporter(int64_t total_steps, int64_t first_step, std::ostream& out,
                                   bool terminal, double interval_s)
    : total_(total_steps), first_(first_step), out_(out), terminal_(terminal),
      interval_s_(interval_s), start_(Clock::now()), last_draw_(start_) {}

std::string ProgressReporter::format_duration(double s) {
  if (!(s >= 0) || s > 1e8) return "?";
  char buf[32];
  const auto t = static_cast<int64_t>(std::llround(s));
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%lldh%02lldm", (long long)(t / 3600), (long long)(t % 3600 / 60));
  else if (t >= 60) std::snprintf(buf, sizeof buf, "%lldm%02llds", (long long)(t / 60), (long long)(t % 60));
  else std::snprintf(buf, sizeof buf, "%llds", (long long)t);
  return buf;
}

std::string ProgressReporter::line(const ProgressFigures& f) const {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const int64_t done_here = f.step - first_;
  const double eta = done_here > 0 ? elapsed / static_cast<double>(done_here) *
                                         static_cast<double>(total_ - f.step)
                                   : -1.0;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%lld/%lld  loss %.4f  lr %.2e  %.1f samples/s  ETA %s",
                (long long)f.step, (long long)total_, f.loss, f.lr, f.samples_per_s,
                format_duration(eta).c_str());
  return buf;
}

void ProgressReporter::update(const ProgressFigures& f) {
  last_ = f;
  const auto now = Clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if (terminal_) {
    if (drawn_ && since < 0.2 && f.step < total_) return;
    constexpr int kWidth = 24;
    const int filled = total_ > 0 ? static_cast<int>(kWidth * f.step / total_) : kWidth;
    out_ << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] "
         << line(f) << "\x1b[K" << std::flush;
  } else {
    if (drawn_ && since < interval_s_ && f.step < total_) return;
    out_ << "step " << line(f) << "\n" << std::flush;
  }
  drawn_ = true;
  last_draw_ = now;
}

void ProgressReporter::message(const std::string& text) {
  if (terminal_ && drawn_) out_ << "\r\x1b[K";
  out_ << "" << text << "\n" << std::flush;
  if (terminal_ && drawn_) {
    drawn_ = false;
    update(last_);
  }
}

void ProgressReporter::finish() {
  if (terminal_ && drawn_) out_ << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace glimpse::train
