// spotviz: interactive GUI over simulator results.
//   spotviz run.h5                 one run
//   spotviz scenario.yaml          runs the scenario (in memory) and shows it
//   spotviz a.h5 b.h5              compare two runs
//   spotviz --screenshot out.png [--panel NAME] [--size 1400x900] FILE...   headless PNG, then exit
//   spotviz --bench-frames N FILE  frame-time benchmark (headless)
// Exit codes: 0 ok, 2 invalid input or usage, 3 I/O error (including no display).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "viz/app/app_state.h"
#include "viz/app/ui.h"
#include "viz/app/window.h"
#include "viz/data/open_input.h"

namespace {

using namespace spotsim;
using namespace spotsim::viz;

constexpr int kExitOk = 0;
constexpr int kExitInvalid = 2;
constexpr int kExitIo = 3;

int exit_code_of(const Status& s) { return s.code() == StatusCode::kInvalidInput ? kExitInvalid : kExitIo; }

struct Args {
  std::vector<std::string> files;
  std::string screenshot;
  std::string panel;
  std::string size = "1400x900";
  int bench_frames = 0;
  int threads = 0;
  int64_t replication = 0;
  std::vector<std::string> sets;
  std::string bench_baseline;
};

bool parse_size(const std::string& s, int& w, int& h) {
  int a = 0, b = 0;
  char x = 0, extra = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c", &a, &x, &b, &extra) != 3 || (x != 'x' && x != 'X')) return false;
  if (a < 200 || b < 150 || a > 8192 || b > 8192) return false;
  w = a;
  h = b;
  return true;
}

// CPU time of the calling thread in ms: unlike wall time, it does not grow when other processes
// take the cores (the project machine is shared), so it is what building the UI really costs.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// Renders `frames` frames. When timed, returns per-frame times in ms: [0] the whole frame (GPU
// finished, wall), [1] building the UI (panels + ImGui widgets, CPU only; wall), [2] the rest
// (ImGui::Render + OpenGL drawing + glFinish: with Mesa llvmpipe this is software rasterisation;
// wall), [3] building the UI in CPU time of this thread.
std::vector<std::vector<double>> render_frames(Window& win, Ui& ui, int frames, bool timed) {
  std::vector<std::vector<double>> ms(4);
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < frames; ++i) {
    const auto t0 = clock::now();
    const double c0 = thread_cpu_ms();
    win.begin_frame();
    ui.draw();
    const double c1 = thread_cpu_ms();
    const auto t1 = clock::now();
    win.end_frame();
    if (timed) {
      win.finish();
      const auto t2 = clock::now();
      ms[0].push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
      ms[1].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      ms[2].push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
      ms[3].push_back(c1 - c0);
    }
  }
  return ms;
}

struct FrameStats {
  double mean = 0, p50 = 0, p95 = 0, max = 0;
};

FrameStats frame_stats(std::vector<double> ms) {
  FrameStats st;
  if (ms.empty()) return st;
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  st.mean = sum / static_cast<double>(ms.size());
  st.p50 = ms[ms.size() / 2];
  st.p95 = ms[std::min(ms.size() - 1, static_cast<size_t>(0.95 * static_cast<double>(ms.size())))];
  st.max = ms.back();
  return st;
}

// Times `frames` frames of each panel: of `app` and, side by side, of `base` (a small run) when
// given. Frame time = building the UI + rendering it + glFinish.
void run_bench(Window& win, AppState& app, Ui& ui, AppState* base, Ui* base_ui, const std::vector<std::string>& panels,
               int frames) {
  auto events = [](const AppState& s) { return s.primary() ? s.primary()->model.events.size() : size_t{0}; };
  std::printf("spotviz bench: %dx%d, %s, %d frames per panel\n", win.width(), win.height(), win.renderer().c_str(),
              frames);
  std::printf("frame ms, mean (p95) = building the UI (wall; [its CPU time]) + ImGui::Render, OpenGL and glFinish\n");
  if (base) {
    std::printf("%-10s  %-58s  |  %-58s  |  ratio (frame, ui cpu)\n", "panel",
                ("baseline: " + std::to_string(events(*base)) + " events").c_str(),
                ("loaded: " + std::to_string(events(app)) + " events").c_str());
  } else {
    std::printf("%-10s  %s\n", "panel", ("loaded: " + std::to_string(events(app)) + " events").c_str());
  }
  for (const std::string& p : panels) {
    auto time_panel = [&](AppState& s, Ui& u) {
      s.select_panel = p;
      render_frames(win, u, 4, false);  // select the tab, settle layout
      return render_frames(win, u, frames, true);
    };
    auto cell = [](const std::vector<std::vector<double>>& ms) {
      const FrameStats all = frame_stats(ms[0]), ui_build = frame_stats(ms[1]), gl = frame_stats(ms[2]),
                       cpu = frame_stats(ms[3]);
      char buf[112];
      std::snprintf(buf, sizeof buf, "%7.2f (p95 %7.2f) = ui %6.2f [%5.2f] + draw %7.2f", all.mean, all.p95,
                    ui_build.mean, cpu.mean, gl.mean);
      return std::make_pair(std::string(buf), std::make_pair(all.mean, cpu.mean));
    };
    const auto l = cell(time_panel(app, ui));
    if (base) {
      const auto b = cell(time_panel(*base, *base_ui));
      std::printf("%-10s  %s  |  %s  |  %5.2fx  ui %5.2fx\n", p.c_str(), b.first.c_str(), l.first.c_str(),
                  b.second.first > 0 ? l.second.first / b.second.first : 0.0,
                  b.second.second > 0 ? l.second.second / b.second.second : 0.0);
    } else {
      std::printf("%-10s  %s\n", p.c_str(), l.first.c_str());
    }
  }
  std::printf("target: 60 fps = 16.7 ms per frame\n");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "spotviz: see what happened to your fleet. Opens run files (.h5) and scenarios (.yaml);\n"
      "two files are compared. Docs: docs/spotviz.md"};
  Args a;
  cli.add_option("files", a.files, "run files (.h5) or scenarios (.yaml); two files are compared");
  cli.add_option("--screenshot", a.screenshot,
                 "render offscreen to this PNG and exit (needs an X display, e.g. xvfb-run -a)");
  cli.add_option("--panel", a.panel,
                 "panel to show: timeline, cost, workloads, events, topology, compare, sweeps, live");
  cli.add_option("--size", a.size, "window size WIDTHxHEIGHT (default 1400x900)");
  cli.add_option("--bench-frames", a.bench_frames, "render N frames headless and print frame times")
      ->check(CLI::Range(1, 1000000));
  cli.add_option("--bench-baseline", a.bench_baseline,
                 "with --bench-frames: also time this (small) file, side by side");
  cli.add_option("--threads", a.threads, "worker threads for scenario runs (default: all cores)")
      ->check(CLI::Range(1, 4096));
  cli.add_option("--set", a.sets, "override a scalar of the scenario(s): PATH=VALUE (repeatable), as spotsim run --set")
      ->allow_extra_args(false);
  cli.add_option("--replication", a.replication, "replication to show in full for scenarios (default 0)")
      ->check(CLI::Range(0, 10000000));
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = cli.exit(e);
    return rc == 0 ? kExitOk : kExitInvalid;
  }
  int width = 1400, height = 900;
  if (!parse_size(a.size, width, height)) {
    std::cerr << "spotviz: --size " << a.size << ": expected WIDTHxHEIGHT, e.g. 1400x900 (200x150 to 8192x8192)\n";
    return kExitInvalid;
  }
  if (a.files.size() > 2) {
    std::cerr << "spotviz: give one file to view or two to compare (got " << a.files.size() << ")\n";
    return kExitInvalid;
  }
  const bool headless = !a.screenshot.empty() || a.bench_frames > 0;
  if (a.bench_frames > 0 && a.files.empty()) {
    std::cerr << "spotviz: --bench-frames needs a file to load\n";
    return kExitInvalid;
  }

  try {
    AppState app;
    app.headless = headless;
    Ui ui(app);
    if (!a.panel.empty() && !ui.has_panel(a.panel)) {
      std::string names;
      for (const auto& n : ui.panel_names()) names += (names.empty() ? "" : ", ") + n;
      std::cerr << "spotviz: --panel " << a.panel << ": no such panel (panels: " << names << ")\n";
      return kExitInvalid;
    }
    int rc = kExitOk;
    LoadOptions lo;
    for (const std::string& s : a.sets) {
      const size_t eq = s.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "spotviz: --set " << s << ": expected PATH=VALUE, e.g. fleets.web.target=60\n";
        return kExitInvalid;
      }
      lo.overrides.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }
    ModelRunOptions ro;
    ro.threads = a.threads;
    ro.shown_replication = a.replication;
    for (const std::string& f : a.files) {
      if (classify_input(f) == InputKind::kScenario) {
        if (app.scenario_path.empty()) app.scenario_path = f;
        std::cerr << "spotviz: running " << f << " ...\n";
      }
      Result<RunModel> r = open_input(f, ro, lo);
      if (!r) {
        std::cerr << "spotviz: " << r.status().message() << "\n";
        app.messages.push_back(r.status().message());
        rc = std::max(rc, exit_code_of(r.status()));
        continue;
      }
      app.runs.push_back(derive_views(std::move(r).value()));
    }
    app.select_panel = !a.panel.empty() ? a.panel : app.runs.size() == 2 ? "compare" : "timeline";

    WindowOptions wo;
    wo.width = width;
    wo.height = height;
    wo.headless = headless;
    wo.title = a.files.empty() ? "spotviz" : "spotviz - " + a.files[0];
    Result<std::unique_ptr<Window>> win = Window::create(wo);
    if (!win) {
      std::cerr << "spotviz: " << win.status().message() << "\n";
      return kExitIo;
    }
    Window& w = **win;

    if (a.bench_frames > 0) {
      std::unique_ptr<AppState> base;
      std::unique_ptr<Ui> base_ui;
      if (!a.bench_baseline.empty()) {
        Result<RunModel> r = open_input(a.bench_baseline, ro, lo);
        if (!r) {
          std::cerr << "spotviz: " << r.status().message() << "\n";
          return exit_code_of(r.status());
        }
        base = std::make_unique<AppState>();
        base->headless = true;
        base->runs.push_back(derive_views(std::move(r).value()));
        base_ui = std::make_unique<Ui>(*base);
      }
      const std::vector<std::string> panels = a.panel.empty() ? ui.panel_names() : std::vector<std::string>{a.panel};
      run_bench(w, app, ui, base.get(), base_ui.get(), panels, a.bench_frames);
      return rc;
    }
    if (!a.screenshot.empty()) {
      render_frames(w, ui, 4, false);  // tab selection and auto-sizing settle over a few frames
      const Status st = write_png(a.screenshot, width, height, w.read_pixels());
      if (!st) {
        std::cerr << "spotviz: " << st.message() << "\n";
        return kExitIo;
      }
      return rc;
    }
    while (!w.should_close()) render_frames(w, ui, 1, false);
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "spotviz: internal error: " << e.what() << "\n";
    return kExitIo;
  }
}
