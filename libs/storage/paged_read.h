#pragma once

// Keyset paging: a large ordered read in pages, each page fetched in its own
// short read-only transaction, the connection returned to the pool before
// the caller handles the page.
//
// A server stream that read through one cursor held a pooled connection and
// an open transaction for as long as its client took to read; a client that
// stopped reading held them forever. StreamPages reads `page_rows` rows,
// ends the transaction, gives the connection back, hands the rows to
// `on_rows` (which may block writing them to a slow client), and fetches the
// next page after the last key seen:
//
//   SELECT ... WHERE <filter> AND (k1, k2) > (<last k1>, <last k2>)
//   ORDER BY k1, k2 LIMIT <page_rows>
//
// The key must be unique over the rows the query returns, so no row is
// skipped or repeated between pages. Each page is its own transaction: a
// caller that needs one consistent view filters on something fixed at the
// start (ingest reads as of a snapshot time; scoring's runs are immutable).
// Cost per page: one index range scan, O(page_rows + log n).
//
//   PagedQuery q{"SELECT code, name FROM actors o WHERE o.relation_set = 'x'",
//                {"o.code"}, {0}};
//   RETURN_IF_ERROR(StreamPages(pool, q, 5000, [&](const pqxx::result& rows) {
//     return Send(rows);  // false stops the read
//   }));

#include <functional>
#include <string>
#include <vector>

#include <pqxx/result>
#include <pqxx/transaction_base>

#include "absl/status/status.h"
#include "libs/storage/pool.h"

namespace innoscope::storage {

struct PagedQuery {
  // SELECT ... FROM ... WHERE <condition>, without ORDER BY or LIMIT.
  std::string select;
  // The ORDER BY expressions, a unique key of the selected rows.
  std::vector<std::string> key;
  // The column of each key expression in the SELECT list.
  std::vector<int> key_columns;
  // An index serves the key order (after the query's equality filters):
  // each page is planned as a range scan of it (SET LOCAL enable_sort and
  // enable_bitmapscan off), whatever the table's statistics say. Without
  // statistics (a large import not yet analysed) PostgreSQL otherwise
  // estimates a few hundred rows and plans a bitmap scan of every row after
  // the last key plus a top-N sort, per page: a stream of n rows in pages
  // of p then costs O(n^2 / p) instead of O(n) (bench/network/service.sh).
  // Even with a selective filter the range scans of all pages together
  // read each index entry once.
  bool ordered_index = false;
  // Optional: a condition ANDed to `select` that depends on the page: given
  // no key for the first page, then the last key seen (as text). A reader
  // uses it to narrow a list on the key's leading column to the values not
  // yet passed (ingest's observations by indicator: a B-tree scan of an IN
  // list starts over at every listed value, also those the pages are past).
  std::function<std::string(pqxx::transaction_base& tx, const std::vector<std::string>* last)>
      condition;
};

// Reads `query` page by page (see above). `on_rows` gets each non-empty page
// with no connection held and returns false to stop.
absl::Status StreamPages(ConnectionPool& pool, const PagedQuery& query, int page_rows,
                         const std::function<bool(const pqxx::result&)>& on_rows);

}  // namespace innoscope::storage
