#include "libs/server/paging.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/server/content_hash.h"

namespace innoscope::server {
namespace {

constexpr char kTokenVersion[] = "p1";

absl::Status BadToken(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("page.page_token: ", why));
}

}  // namespace

absl::StatusOr<PageWindow> ReadPage(const google::protobuf::Message& request) {
  const google::protobuf::FieldDescriptor* field = request.GetDescriptor()->FindFieldByName("page");
  if (field == nullptr || field->message_type() != common::v1::PageRequest::descriptor()) {
    return absl::InternalError(absl::StrCat(request.GetDescriptor()->full_name(),
                                            " has no page field of type PageRequest"));
  }
  const auto& page = static_cast<const common::v1::PageRequest&>(
      request.GetReflection()->GetMessage(request, field));
  std::unique_ptr<google::protobuf::Message> filters(request.New());
  filters->CopyFrom(request);
  filters->GetReflection()->ClearField(filters.get(), field);

  PageWindow window;
  // The request type is part of the hash: one list's token is no other's.
  window.filters = ContentHashHex(*filters, request.GetDescriptor()->full_name());
  window.limit =
      page.page_size() <= 0 ? kDefaultPageSize : std::min(page.page_size(), kMaxPageSize);
  if (page.page_token().empty()) return window;

  std::string decoded;
  if (!absl::WebSafeBase64Unescape(page.page_token(), &decoded)) {
    return BadToken("not a token returned by this service");
  }
  const std::vector<std::string> parts = absl::StrSplit(decoded, '|');
  if (parts.size() != 3 || parts[0] != kTokenVersion ||
      !absl::SimpleAtoi(parts[1], &window.offset) || window.offset < 0) {
    return BadToken("not a token returned by this service");
  }
  if (parts[2] != window.filters) {
    return BadToken(
        "issued for a request with other filters; send the same request with only the page "
        "changed, or start again without a token");
  }
  return window;
}

common::v1::PageResponse PageResult(const PageWindow& window, int64_t returned, int64_t total) {
  common::v1::PageResponse page;
  page.set_total_size(total);
  if (window.offset + returned < total) {
    page.set_next_page_token(absl::WebSafeBase64Escape(
        absl::StrCat(kTokenVersion, "|", window.offset + returned, "|", window.filters)));
  }
  return page;
}

}  // namespace innoscope::server
