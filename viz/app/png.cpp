// PNG output through stb_image_write (Debian libstb-dev; the implementation is in libstb).
#include <stb_image_write.h>

#include <cstdio>

#include "viz/app/window.h"

namespace spotsim::viz {

Status write_png(const std::string& path, int width, int height, const std::vector<unsigned char>& rgba) {
  if (rgba.size() != static_cast<size_t>(width) * static_cast<size_t>(height) * 4) {
    return Status::internal("write_png: pixel buffer does not match " + std::to_string(width) + "x" +
                            std::to_string(height));
  }
  // The Sub filter on every row: flat UI colours compress almost as well as with per-row
  // heuristics, and test scripts can decode it with a vectorised running sum.
  stbi_write_force_png_filter = 1;
  const std::string tmp = path + ".tmp";
  if (!stbi_write_png(tmp.c_str(), width, height, 4, rgba.data(), width * 4)) {
    std::remove(tmp.c_str());
    return Status::io(path + ": cannot write the PNG");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::io(path + ": cannot write the PNG (rename failed)");
  }
  return Status::ok();
}

}  // namespace spotsim::viz
