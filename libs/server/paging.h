#pragma once

// Paging of the List RPCs (docs/api.md, "Lists and streams"). A page token is
// opaque to clients: web-safe base64 of "p1|<offset>|<filters>", where
// <filters> is a hash of the request without its `page` field. A token is
// only valid for the request it was issued for: reused with other filters,
// or altered, it is INVALID_ARGUMENT naming page.page_token. page_size may
// change between pages. The token's content may change in a later release
// (e.g. to a keyset cursor); clients never parse it.
//
//   ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request));
//   ... read `window.limit` items from `window.offset`, and the total ...
//   *response.mutable_page() = server::PageResult(window, response.items_size(), total);

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "innoscope/common/v1/common.pb.h"

namespace innoscope::server {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

struct PageWindow {
  int64_t offset = 0;
  int limit = kDefaultPageSize;
  // Hash of the request's filters (the request without `page`), carried in
  // the next token.
  std::string filters;
};

// The window of a List request, which must have a `page` field of type
// innoscope.common.v1.PageRequest: offset from the token (INVALID_ARGUMENT
// naming page.page_token for a token this service did not issue or issued
// for other filters) and limit (page_size; 0 or less is the default, more than
// kMaxPageSize is capped).
absl::StatusOr<PageWindow> ReadPage(const google::protobuf::Message& request);

// The response page for `returned` items from `window` out of `total`: the
// next token when items remain.
common::v1::PageResponse PageResult(const PageWindow& window, int64_t returned, int64_t total);

// The items [window.offset, window.offset + window.limit) of a list held in
// memory (short lists: cluster memberships, frameworks), moved into `out`.
template <typename T, typename Repeated>
void AppendPage(const PageWindow& window, std::vector<T>& items, Repeated* out) {
  for (int64_t i = window.offset;
       i < static_cast<int64_t>(items.size()) && i < window.offset + window.limit; ++i) {
    *out->Add() = std::move(items[static_cast<size_t>(i)]);
  }
}

}  // namespace innoscope::server
