#include "libs/server/paging.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace innoscope::server {

absl::StatusOr<PageWindow> ReadPage(const common::v1::PageRequest& page) {
  PageWindow window;
  if (!page.page_token().empty() &&
      (!absl::SimpleAtoi(page.page_token(), &window.offset) || window.offset < 0)) {
    return absl::InvalidArgumentError("page.page_token: not a token returned by this service");
  }
  window.limit =
      page.page_size() <= 0 ? kDefaultPageSize : std::min(page.page_size(), kMaxPageSize);
  return window;
}

common::v1::PageResponse PageResult(const PageWindow& window, int64_t returned, int64_t total) {
  common::v1::PageResponse page;
  page.set_total_size(total);
  if (window.offset + returned < total)
    page.set_next_page_token(absl::StrCat(window.offset + returned));
  return page;
}

}  // namespace innoscope::server
