#include "sim/record/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

namespace spotsim {

std::string temp_path_for(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
}

Status commit_temp_file(const std::string& tmp, const std::string& path) {
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Status::io(path + ": error: cannot write the output file: " + why);
  }
  return Status::ok();
}

Status write_file_atomic(const std::string& path, const std::string& content) {
  if (path == "-") {
    std::cout << content;
    std::cout.flush();
    return Status::ok();
  }
  const std::string tmp = temp_path_for(path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      return Status::io(path + ": error: cannot create the output file: " + std::strerror(errno) +
                        " (check that the directory exists and is writable)");
    }
    out << content;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return Status::io(path + ": error: writing the output file failed (disk full?)");
    }
  }
  return commit_temp_file(tmp, path);
}

}  // namespace spotsim
