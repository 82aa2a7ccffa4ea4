#include "libs/storage/paged_read.h"

#include <optional>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace innoscope::storage {

absl::Status StreamPages(ConnectionPool& pool, const PagedQuery& query, int page_rows,
                         const std::function<bool(const pqxx::result&)>& on_rows) {
  const std::string order =
      absl::StrCat(" ORDER BY ", absl::StrJoin(query.key, ", "), " LIMIT ", page_rows);
  const std::string key = absl::StrCat(" AND (", absl::StrJoin(query.key, ", "), ") > (");
  std::optional<std::vector<std::string>> last;  // the last page's last key, as text
  while (true) {
    pqxx::result page;
    absl::Status read = pool.WithConnection([&](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      if (query.ordered_index)
        tx.exec("SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off");
      std::string sql = query.select;
      if (query.condition) {
        absl::StrAppend(&sql, " AND (", query.condition(tx, last.has_value() ? &*last : nullptr),
                        ")");
      }
      if (last.has_value()) {
        std::vector<std::string> literals;
        for (const std::string& value : *last) literals.push_back(tx.quote(value));
        absl::StrAppend(&sql, key, absl::StrJoin(literals, ", "), ")");
      }
      page = tx.exec(sql + order);
      tx.commit();
      return absl::OkStatus();
    });
    if (!read.ok()) return read;
    if (page.empty()) return absl::OkStatus();
    const pqxx::row end = page[static_cast<pqxx::result::size_type>(page.size() - 1)];
    last.emplace();
    for (int column : query.key_columns) last->push_back(end[column].c_str());
    if (!on_rows(page)) return absl::OkStatus();
    if (static_cast<int>(page.size()) < page_rows) return absl::OkStatus();
  }
}

}  // namespace innoscope::storage
