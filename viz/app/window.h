#pragma once
// The GLFW window, OpenGL 3 context and Dear ImGui context. In headless mode the window stays
// hidden and frames render into an offscreen framebuffer of the requested size, which
// read_pixels() returns (for --screenshot and --bench-frames); this needs an X display (Xvfb
// under `xvfb-run -a` is enough; Mesa llvmpipe renders in software).
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

struct GLFWwindow;

namespace spotsim::viz {

struct WindowOptions {
  int width = 1400;
  int height = 900;
  bool headless = false;
  std::string title = "spotviz";
};

class Window {
 public:
  // kIo if no display or OpenGL 3 context can be created (the message says what to do).
  static Result<std::unique_ptr<Window>> create(const WindowOptions& options);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  bool should_close() const;
  // Polls input and starts an ImGui frame.
  void begin_frame();
  // Renders the ImGui frame (into the offscreen buffer when headless) and presents it.
  void end_frame();
  // RGBA pixels of the last frame, top row first. REQUIRES: headless.
  std::vector<unsigned char> read_pixels() const;
  // Waits for the GPU to finish the frame (for honest frame times).
  void finish() const;
  int width() const { return options_.width; }
  int height() const { return options_.height; }
  std::string renderer() const;

 private:
  explicit Window(const WindowOptions& o) : options_(o) {}
  WindowOptions options_;
  GLFWwindow* window_ = nullptr;
  unsigned fbo_ = 0, color_rb_ = 0;
  bool imgui_ready_ = false;
};

// Writes RGBA pixels as a PNG (temp file + rename). kIo on failure.
Status write_png(const std::string& path, int width, int height, const std::vector<unsigned char>& rgba);

}  // namespace spotsim::viz
