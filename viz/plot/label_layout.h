#pragma once
// Where to put text labels along an axis so that none overlaps another: the timeline's chaos
// labels. Plain geometry, no ImGui.
#include <vector>

namespace spotsim::viz {

// Labels i occupy [x[i], x[i] + width[i]) in pixels. Each gets a row (0 = the first line) such that
// labels of one row are at least `gap` pixels apart: a label takes the lowest row free at its x
// (labels are placed in order of x, ties by index). A label that fits in none of `max_rows` rows
// gets −1: the caller elides it (draws a marker, names it in a tooltip). REQUIRES: same sizes.
std::vector<int> stack_labels(const std::vector<float>& x, const std::vector<float>& width, int max_rows,
                              float gap = 6.0f);

}  // namespace spotsim::viz
