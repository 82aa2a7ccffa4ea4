#pragma once

// The small framework the scoring unit tests share (libs/scoring and the
// service's pure parts):
//   index -> dx (weight 3) -> {a, b (less is better)}
//         -> dy (weight 1) -> {c}
// and a matrix builder.

#include <string>
#include <vector>

#include "libs/index/data_matrix.h"
#include "libs/index/framework.h"

namespace innoscope::scoring::testing {

inline index::Framework SmallFramework() {
  auto node = [](std::string code, std::string parent, int level, double weight,
                 int direction = 1) {
    index::FrameworkNode n;
    n.code = std::move(code);
    n.name = n.code;
    n.parent = std::move(parent);
    n.level = level;
    n.weight = weight;
    n.direction = direction;
    return n;
  };
  return index::Framework::Create({node("index", "", 3, 1), node("dx", "index", 2, 3),
                                   node("dy", "index", 2, 1), node("a", "dx", 1, 1),
                                   node("b", "dx", 1, 1, -1), node("c", "dy", 1, 1)})
      .value();
}

// Row-major values, NaN for missing.
inline index::DataMatrix Matrix(std::vector<std::string> regions,
                                std::vector<std::string> indicators,
                                const std::vector<std::vector<double>>& rows) {
  index::DataMatrix m(std::move(regions), std::move(indicators));
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) m.Set(r, c, rows[r][c]);
  }
  return m;
}

}  // namespace innoscope::scoring::testing
