#include "libs/common/batch_plan.h"

namespace innoscope::common {

std::vector<BatchRange> PlanBatches(size_t scoped_end, size_t total, size_t batch_size) {
  std::vector<BatchRange> batches;
  for (size_t begin = 0; begin < total;) {
    const size_t limit = begin < scoped_end ? scoped_end : total;
    const size_t end = std::min(limit, begin + batch_size);
    batches.push_back({begin, end, begin < scoped_end});
    begin = end;
  }
  return batches;
}

}  // namespace innoscope::common
