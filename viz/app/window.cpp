#include "viz/app/window.h"

#define GL_GLEXT_PROTOTYPES 1
#include <GLFW/glfw3.h>
#include <GL/gl.h>
#include <GL/glext.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <cstdio>
#include <string>

namespace spotsim::viz {
namespace {

std::string g_glfw_error;

void on_glfw_error(int code, const char* text) { g_glfw_error = text ? text : ("GLFW error " + std::to_string(code)); }

void set_style() {
  ImGui::StyleColorsDark();
  ImGuiStyle& s = ImGui::GetStyle();
  s.WindowRounding = 0;
  s.FrameRounding = 3;
  s.TabRounding = 3;
  s.ItemSpacing = ImVec2(8, 5);
}

}  // namespace

Result<std::unique_ptr<Window>> Window::create(const WindowOptions& o) {
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    return Status::io("cannot open a display (" + g_glfw_error +
                      "); run spotviz on a desktop, or headless under `xvfb-run -a spotviz ...`");
  }
  std::unique_ptr<Window> w(new Window(o));
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_VISIBLE, o.headless ? GLFW_FALSE : GLFW_TRUE);
  w->window_ = glfwCreateWindow(o.width, o.height, o.title.c_str(), nullptr, nullptr);
  if (!w->window_) {
    return Status::io("cannot create an OpenGL 3.3 window (" + g_glfw_error +
                      "); with no GPU, install Mesa (libgl1-mesa-dri) and set GALLIUM_DRIVER=llvmpipe");
  }
  glfwMakeContextCurrent(w->window_);
  glfwSwapInterval(o.headless ? 0 : 1);
  if (o.headless) {
    glGenFramebuffers(1, &w->fbo_);
    glGenRenderbuffers(1, &w->color_rb_);
    glBindRenderbuffer(GL_RENDERBUFFER, w->color_rb_);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, o.width, o.height);
    glBindFramebuffer(GL_FRAMEBUFFER, w->fbo_);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, w->color_rb_);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
      return Status::io("cannot create an offscreen framebuffer of " + std::to_string(o.width) + "x" +
                        std::to_string(o.height));
    }
  }
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini next to the user's files
  set_style();
  ImGui_ImplGlfw_InitForOpenGL(w->window_, /*install_callbacks=*/!o.headless);
  ImGui_ImplOpenGL3_Init("#version 330");
  w->imgui_ready_ = true;
  return w;
}

Window::~Window() {
  if (imgui_ready_) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (window_) {
    if (fbo_) glDeleteFramebuffers(1, &fbo_);
    if (color_rb_) glDeleteRenderbuffers(1, &color_rb_);
    glfwDestroyWindow(window_);
  }
  // glfwTerminate() unloads the Mesa driver; under LeakSanitizer its few one-off allocations then
  // show up with unknown stacks that no suppression can name, so the sanitizer build keeps it.
#if !defined(__SANITIZE_ADDRESS__)
  glfwTerminate();
#endif
}

bool Window::should_close() const { return glfwWindowShouldClose(window_); }

void Window::begin_frame() {
  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (options_.headless) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(options_.width), static_cast<float>(options_.height));
    io.DisplayFramebufferScale = ImVec2(1, 1);
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  }
  ImGui::NewFrame();
}

void Window::end_frame() {
  ImGui::Render();
  int fw = options_.width, fh = options_.height;
  if (options_.headless) {
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  } else {
    glfwGetFramebufferSize(window_, &fw, &fh);
  }
  glViewport(0, 0, fw, fh);
  glClearColor(0.09f, 0.09f, 0.11f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (!options_.headless) glfwSwapBuffers(window_);
}

std::vector<unsigned char> Window::read_pixels() const {
  const int w = options_.width, h = options_.height;
  std::vector<unsigned char> px(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  // OpenGL's first row is the bottom one.
  const size_t row = static_cast<size_t>(w) * 4;
  std::vector<unsigned char> tmp(row);
  for (int y = 0; y < h / 2; ++y) {
    unsigned char* a = px.data() + static_cast<size_t>(y) * row;
    unsigned char* b = px.data() + static_cast<size_t>(h - 1 - y) * row;
    std::copy(a, a + row, tmp.data());
    std::copy(b, b + row, a);
    std::copy(tmp.data(), tmp.data() + row, b);
  }
  for (size_t i = 3; i < px.size(); i += 4) px[i] = 255;  // opaque
  return px;
}

void Window::finish() const { glFinish(); }

std::string Window::renderer() const {
  const auto* r = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  const auto* v = reinterpret_cast<const char*>(glGetString(GL_VERSION));
  return std::string(r ? r : "?") + " / OpenGL " + (v ? v : "?");
}

}  // namespace spotsim::viz
