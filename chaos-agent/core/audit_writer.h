// AuditWriter: appends audit lines to a file from a background thread, so the event loop never
// waits for the disk on the request path.
//
// Lines are copied into a bounded in-memory queue and written in order, in batches (one
// write(2) per batch), at the latest `flush_interval` after they were appended. Nothing is ever
// dropped to make room: append() blocks while the queue is full (back-pressure), flush() blocks
// until everything appended before it is written, and close() (also run by the destructor)
// writes everything still queued before returning. So a clean exit or SIGTERM loses nothing;
// a crash or kill -9 loses at most the lines of the last `flush_interval`.
//
// A failed write (disk full, I/O error) does not stop the agent: the batch is counted as lost,
// error() names the file and the reason, and the message is printed once to stderr. Later
// batches are tried again.
//
// Thread-safe: append and flush may be called from any thread; close from one thread only.
// A line appended after close() is written directly (or counted as lost once the file is closed).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "chaos-agent/core/clock.h"
#include "common/status.h"

namespace agent {

struct AuditWriterOptions {
  size_t max_queued_bytes = 8 * 1024 * 1024;  // append() blocks beyond this
  Millis flush_interval{20};                  // longest time a line waits in the queue
  bool report_errors_to_stderr = true;
};

class AuditWriter {
 public:
  // Opens `path` for appending (created 0640 if missing) and starts the writer thread.
  // Errors name the flag, the file and the reason.
  static spotsim::Result<std::unique_ptr<AuditWriter>> open(const std::string& path, AuditWriterOptions options = {});
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Queues `line` (which must end in '\n'). Blocks while the queue is full.
  void append(std::string_view line);
  // Blocks until every line appended before this call has been handed to the kernel.
  // Returns the most recent write error, if any batch failed since the last flush().
  spotsim::Status flush();
  // Writes what is queued, stops the thread, closes the file. Idempotent.
  void close();

  // "" when every write so far succeeded; else "audit log 'PATH': write failed: REASON".
  std::string error() const;
  uint64_t lines_written() const { return lines_written_.load(std::memory_order_relaxed); }
  uint64_t lines_lost() const { return lines_lost_.load(std::memory_order_relaxed); }
  const std::string& path() const { return path_; }

 private:
  AuditWriter(int fd, std::string path, AuditWriterOptions options);
  void run();
  // Writes `batch` fully; false (and errno) on failure.
  bool write_all(const std::string& batch);

  const int fd_;
  const std::string path_;
  const AuditWriterOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_writer_;
  std::condition_variable progress_;  // space freed or a batch written
  std::string pending_;               // complete lines not yet taken by the writer
  uint64_t pending_lines_ = 0;
  uint64_t appended_ = 0;  // lines appended so far
  uint64_t done_ = 0;      // lines written or lost so far
  bool urgent_ = false;    // someone waits in flush()
  bool stop_ = false;
  bool closed_ = false;
  std::string error_;              // last write error
  bool error_unreported_ = false;  // for flush()
  std::atomic<uint64_t> lines_written_{0};
  std::atomic<uint64_t> lines_lost_{0};
  std::thread thread_;
};

}  // namespace agent
