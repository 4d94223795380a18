#include "chaos-agent/core/audit_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace agent {
using spotsim::Result;
using spotsim::Status;

Result<std::unique_ptr<AuditWriter>> AuditWriter::open(const std::string& path, AuditWriterOptions options) {
  // The folder (e.g. /var/log/chaos-agent on a fresh VM) is created if missing, owner-only.
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(parent, ec)) {
      std::filesystem::create_directories(parent, ec);
      if (ec) return Status::io("--audit: cannot create the folder '" + parent.string() + "': " + ec.message());
      std::filesystem::permissions(
          parent,
          std::filesystem::perms::owner_all | std::filesystem::perms::group_read | std::filesystem::perms::group_exec,
          ec);
    }
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Status::io("--audit: cannot open '" + path + "' for appending: " + std::strerror(errno));
  return std::unique_ptr<AuditWriter>(new AuditWriter(fd, path, options));
}

AuditWriter::AuditWriter(int fd, std::string path, AuditWriterOptions options)
    : fd_(fd), path_(std::move(path)), options_(options) {
  pending_.reserve(64 * 1024);
  thread_ = std::thread([this] { run(); });
}

AuditWriter::~AuditWriter() { close(); }

void AuditWriter::append(std::string_view line) {
  std::unique_lock<std::mutex> lock(mu_);
  progress_.wait(lock, [&] { return pending_.size() < options_.max_queued_bytes || stop_; });
  if (stop_) {  // closing or closed: write directly (under the lock) rather than lose the line
    std::string one(line);
    if (!closed_ && write_all(one)) lines_written_.fetch_add(1, std::memory_order_relaxed);
    else lines_lost_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  bool was_empty = pending_.empty();
  pending_.append(line);
  ++pending_lines_;
  ++appended_;
  // Wake the writer only when it is idle (queue was empty) or the queue is filling up; in
  // between, it lingers for flush_interval and takes everything in one batch.
  if (was_empty || pending_.size() >= options_.max_queued_bytes / 2) wake_writer_.notify_one();
}

Status AuditWriter::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = appended_;
  if (done_ < target && !stop_) {
    urgent_ = true;
    wake_writer_.notify_one();
    progress_.wait(lock, [&] { return done_ >= target || closed_; });
  }
  if (error_unreported_) {
    error_unreported_ = false;
    return Status::io(error_);
  }
  return Status::ok();
}

void AuditWriter::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_writer_.notify_one();
  progress_.notify_all();
  if (thread_.joinable()) thread_.join();  // the thread writes everything queued, then exits
  std::lock_guard<std::mutex> lock(mu_);
  if (!closed_) {
    closed_ = true;
    ::close(fd_);
  }
  progress_.notify_all();
}

std::string AuditWriter::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

bool AuditWriter::write_all(const std::string& batch) {
  size_t off = 0;
  while (off < batch.size()) {
    ssize_t n = ::write(fd_, batch.data() + off, batch.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

void AuditWriter::run() {
  std::string batch;
  batch.reserve(64 * 1024);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_writer_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    if (pending_.empty() && stop_) break;
    // Linger so that one write(2) carries many lines, unless someone waits or we are stopping.
    if (!stop_ && !urgent_)
      wake_writer_.wait_for(lock, options_.flush_interval,
                            [&] { return stop_ || urgent_ || pending_.size() >= options_.max_queued_bytes / 2; });
    batch.swap(pending_);
    uint64_t lines = pending_lines_;
    pending_lines_ = 0;
    urgent_ = false;
    progress_.notify_all();  // the queue has room again
    lock.unlock();
    bool ok = write_all(batch);
    int err = errno;
    batch.clear();
    if (batch.capacity() > 4 * 1024 * 1024) batch.shrink_to_fit();
    lock.lock();
    if (ok) {
      lines_written_.fetch_add(lines, std::memory_order_relaxed);
    } else {
      lines_lost_.fetch_add(lines, std::memory_order_relaxed);
      std::string e = "audit log '" + path_ + "': write failed: " + std::strerror(err);
      if (e != error_ && options_.report_errors_to_stderr)
        std::fprintf(stderr, "chaos-agent: %s (%llu record(s) lost)\n", e.c_str(),
                     static_cast<unsigned long long>(lines));
      error_ = e;
      error_unreported_ = true;
    }
    done_ += lines;
    progress_.notify_all();
  }
}

}  // namespace agent
