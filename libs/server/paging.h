#pragma once

// Offset paging of the List RPCs (docs/api.md): the page token is the
// offset of the next item, as decimal text, issued by the service itself.
//
//   ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request.page()));
//   ... read `window.limit` items from `window.offset`, and the total ...
//   *response.mutable_page() = server::PageResult(window, response.items_size(), total);

#include <cstdint>

#include "absl/status/statusor.h"
#include "innoscope/common/v1/common.pb.h"

namespace innoscope::server {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

struct PageWindow {
  int64_t offset = 0;
  int limit = kDefaultPageSize;
};

// Offset from the token (INVALID_ARGUMENT naming page.page_token for a token
// this service did not issue) and limit (page_size; 0 or less is the
// default, more than kMaxPageSize is capped).
absl::StatusOr<PageWindow> ReadPage(const common::v1::PageRequest& page);

// The response page for `returned` items from `window` out of `total`: the
// next token when items remain.
common::v1::PageResponse PageResult(const PageWindow& window, int64_t returned, int64_t total);

}  // namespace innoscope::server
