#include "caption_jobs.h"

#include <algorithm>
#include <utility>

namespace glimpse::gui {

CaptionJobs::CaptionJobs() : worker_([this] { work(); }) {}

CaptionJobs::~CaptionJobs() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    for (const auto& p : live_)
      if (p) p->cancel = true;
  }
  wake_.notify_all();
  worker_.join();
}

uint64_t CaptionJobs::submit(const CaptionRequest& request) {
  std::lock_guard lock(mutex_);
  const int slot = static_cast<int>(request.slot);
  if (live_[slot]) live_[slot]->cancel = true;
  // A queued job of the same slot is dropped outright: only the newest request matters.
  std::erase_if(queue_, [&](const Job& j) { return !j.task && j.request.slot == request.slot; });
  Job job{next_id_++, request, std::make_shared<JobProgress>(), {}};
  live_[slot] = job.progress;
  queue_.push_back(std::move(job));
  wake_.notify_one();
  return next_id_ - 1;
}

void CaptionJobs::submit_task(std::function<std::string()> task) {
  std::lock_guard lock(mutex_);
  queue_.push_back(Job{next_id_++, {}, nullptr, std::move(task)});
  wake_.notify_one();
}

std::vector<CaptionOutcome> CaptionJobs::take_captions() {
  std::lock_guard lock(mutex_);
  return std::exchange(captions_, {});
}

std::vector<TaskOutcome> CaptionJobs::take_tasks() {
  std::lock_guard lock(mutex_);
  return std::exchange(tasks_, {});
}

std::shared_ptr<const JobProgress> CaptionJobs::progress(Slot slot) const {
  std::lock_guard lock(mutex_);
  return live_[static_cast<int>(slot)];
}

void CaptionJobs::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (job.task) {
      TaskOutcome out;
      try {
        out.message = job.task();
      } catch (const std::exception& e) {
        out.error = e.what();
      }
      {
        std::lock_guard lock(mutex_);
        tasks_.push_back(std::move(out));
      }
      if (on_finished_) on_finished_();
      continue;
    }
    DecodeControl control;
    control.cancel = &job.progress->cancel;
    control.on_step = [progress = job.progress.get()](int step, int max_steps) {
      progress->step = step;
      progress->max_steps = max_steps;
    };
    CaptionOutcome out = job.progress->cancel ? CaptionOutcome{} : pipeline_.run(job.request, control);
    out.job = job.id;
    out.request = job.request;
    if (job.progress->cancel) out.cancelled = true;
    {
      std::lock_guard lock(mutex_);
      captions_.push_back(std::move(out));
    }
    if (on_finished_) on_finished_();
  }
}

}  // namespace glimpse::gui
