#pragma once
// Output files are never left half-written: write to a temporary name beside the target, then
// rename over it (atomic on POSIX file systems).
#include <string>

#include "common/status.h"

namespace spotsim {

// A unique temporary path next to `path` (same directory, so rename stays atomic).
std::string temp_path_for(const std::string& path);
// Writes `content` to `path` atomically. "-" writes to stdout.
Status write_file_atomic(const std::string& path, const std::string& content);
// Renames `tmp` to `path`; on failure removes `tmp`.
Status commit_temp_file(const std::string& tmp, const std::string& path);

}  // namespace spotsim
