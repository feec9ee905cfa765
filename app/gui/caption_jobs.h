// The one worker thread: caption jobs (one live job per slot: a new one cancels the one it
// supersedes through DecodeControl::cancel) and side tasks such as exports, run in order.
// The UI thread submits and collects; it never waits on the worker.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "caption_pipeline.h"
#include "caption_request.h"

namespace glimpse::gui {

// A side task's result: a line for the status bar.
struct TaskOutcome {
  std::string message;
  std::string error;
};

class CaptionJobs {
 public:
  CaptionJobs();
  ~CaptionJobs();  // cancels what runs and joins the worker
  CaptionJobs(const CaptionJobs&) = delete;
  CaptionJobs& operator=(const CaptionJobs&) = delete;

  // Returns the job id; the slot's earlier job, queued or running, is cancelled.
  uint64_t submit(const CaptionRequest& request);
  // `task` returns a status line or throws; it runs after the queued caption jobs.
  void submit_task(std::function<std::string()> task);

  // Called on the worker thread after each finished job (e.g. glfwPostEmptyEvent, so that a
  // UI waiting for events wakes up). Set before submitting anything.
  void set_on_finished(std::function<void()> callback) { on_finished_ = std::move(callback); }

  std::vector<CaptionOutcome> take_captions();
  std::vector<TaskOutcome> take_tasks();
  // Progress of the slot's live job (null when none was ever submitted).
  std::shared_ptr<const JobProgress> progress(Slot slot) const;

 private:
  struct Job {
    uint64_t id = 0;
    CaptionRequest request;
    std::shared_ptr<JobProgress> progress;
    std::function<std::string()> task;  // set: a side task instead of a caption
  };
  void work();

  CaptionPipeline pipeline_;  // worker thread only
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::shared_ptr<JobProgress> live_[kSlotCount];
  std::vector<CaptionOutcome> captions_;
  std::vector<TaskOutcome> tasks_;
  std::function<void()> on_finished_;
  uint64_t next_id_ = 1;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace glimpse::gui
