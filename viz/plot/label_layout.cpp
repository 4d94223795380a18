#include "viz/plot/label_layout.h"

#include <algorithm>
#include <numeric>

namespace spotsim::viz {

std::vector<int> stack_labels(const std::vector<float>& x, const std::vector<float>& width, int max_rows, float gap) {
  std::vector<int> row(x.size(), -1);
  std::vector<size_t> order(x.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<float> row_end;  // right edge of the last label placed in each row
  for (size_t i : order) {
    for (int r = 0; r < max_rows; ++r) {
      if (static_cast<size_t>(r) == row_end.size()) row_end.push_back(-1e30f);
      if (row_end[static_cast<size_t>(r)] + gap <= x[i]) {
        row[i] = r;
        row_end[static_cast<size_t>(r)] = x[i] + width[i];
        break;
      }
    }
  }
  return row;
}

}  // namespace spotsim::viz
