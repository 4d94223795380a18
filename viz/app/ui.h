#pragma once
// The main window's contents: a header (what is loaded), messages, and one tab per panel.
#include <memory>
#include <string>
#include <vector>

#include "viz/app/app_state.h"
#include "viz/panels/panel.h"

namespace spotsim::viz {

class Ui {
 public:
  explicit Ui(AppState& app);
  // Draws one frame of the whole interface.
  void draw();
  // Panel names, in tab order (for --panel and its error message).
  std::vector<std::string> panel_names() const;
  bool has_panel(const std::string& name) const;

 private:
  void draw_header();
  AppState& app_;
  std::vector<std::unique_ptr<Panel>> panels_;
};

}  // namespace spotsim::viz
