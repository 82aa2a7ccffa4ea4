#include "services/cli/observation_csv.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/index/csv_stream.h"
#include "libs/index/data_csv.h"
#include "libs/index/data_matrix.h"
#include "services/cli/batch_id.h"
#include "services/cli/number_text.h"

namespace innoscope::cli {
namespace {

const std::vector<std::string>& MissingTokens() {
  static const auto* tokens = new std::vector<std::string>{"", "NA"};
  return *tokens;
}

// The long form's columns; the first four are required.
constexpr absl::string_view kLongColumns[] = {"region", "indicator", "period", "value", "source"};
constexpr const char* kPeriodColumns[] = {"period", "Time", "time", "year", "Year"};

template <size_t N>
int FirstPresent(const index::CsvStream& csv, const char* const (&names)[N]) {
  for (const char* name : names) {
    if (int c = csv.Column(name); c >= 0) return c;
  }
  return -1;
}

// How one wide-form column is read.
struct ValueColumn {
  int column = 0;
  uint32_t indicator = 0;
  std::optional<int32_t> period;  // from a <code>_<YYYY> name
};

// Splits "hdi_2022" into ("hdi", 2022) when the suffix is four digits.
bool SplitYearSuffix(absl::string_view name, absl::string_view* code, int32_t* year) {
  if (name.size() < 6 || name[name.size() - 5] != '_') return false;
  absl::string_view digits = name.substr(name.size() - 4);
  if (digits.find_first_not_of("0123456789") != absl::string_view::npos) return false;
  *code = name.substr(0, name.size() - 5);
  *year = (digits[0] - '0') * 1000 + (digits[1] - '0') * 100 + (digits[2] - '0') * 10 +
          (digits[3] - '0');
  return true;
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof(a)) == 0; }

std::string Trimmed(absl::string_view text) {
  return std::string(absl::StripAsciiWhitespace(text));
}

class Reader {
 public:
  Reader(index::CsvStream csv, const ObservationCsvOptions& options)
      : csv_(std::move(csv)), options_(options), errors_("observation file") {
    file_.header = csv_.header();
    empty_source_ = file_.strings.Intern("");
  }

  absl::StatusOr<ObservationFile> Run() {
    if (IsLongObservationHeader(csv_.header())) {
      file_.layout = ObservationLayout::kLong;
      if (options_.period.has_value()) {
        return absl::InvalidArgumentError(
            "--period applies to the wide form only; this file is in long form "
            "(region,indicator,period,value[,source]) with a period on every row");
      }
      for (const std::string& name : csv_.header()) {
        if (std::find(std::begin(kLongColumns), std::end(kLongColumns), name) ==
            std::end(kLongColumns)) {
          return absl::InvalidArgumentError(
              absl::StrCat("long-form column '", name,
                           "' is not one of region,indicator,period,"
                           "value,source; drop it, or write the file in wide form"));
        }
      }
      for (int k = 0; k < 5; ++k) long_columns_[k] = csv_.Column(kLongColumns[k]);
      if (absl::Status s = ReadRows(&Reader::ReadLongRow); !s.ok()) return s;
    } else {
      file_.layout = ObservationLayout::kWide;
      if (absl::Status s = PlanWideColumns(); !s.ok()) return s;
      if (absl::Status s = ReadRows(&Reader::ReadWideRow); !s.ok()) return s;
    }
    DropDuplicates();
    if (absl::Status s =
            errors_.ToStatus("fix these lines and run the same command again; nothing was sent");
        !s.ok()) {
      return s;
    }
    return std::move(file_);
  }

 private:
  using RowFn = void (Reader::*)(const index::CsvRow&);

  absl::Status ReadRows(RowFn read_row) {
    std::vector<index::CsvRow> rows;
    while (true) {
      absl::StatusOr<bool> more = csv_.Next(&rows);
      if (!more.ok()) return more.status();
      if (!*more) return absl::OkStatus();
      for (const index::CsvRow& row : rows) (this->*read_row)(row);
    }
  }

  // Parses a value cell; false (and counted) when it is missing or bad.
  bool ParseValue(const index::CsvRow& row, int column, double* value) {
    absl::StatusOr<double> v = index::ParseNumberCell(row.fields[column], MissingTokens());
    if (!v.ok()) {
      errors_.Add(absl::StrCat("line ", row.line, ", column '", csv_.header()[column],
                               "': ", v.status().message()));
      return false;
    }
    if (index::IsMissingValue(*v)) {
      ++file_.missing;
      return false;
    }
    *value = *v;
    return true;
  }

  bool ParseCode(const index::CsvRow& row, int column, uint32_t* id) {
    const std::string code = Trimmed(row.fields[column]);
    if (code.empty()) {
      errors_.Add(absl::StrCat("line ", row.line, ": empty ", csv_.header()[column]));
      return false;
    }
    *id = file_.strings.Intern(code);
    return true;
  }

  bool ParsePeriodCell(const index::CsvRow& row, int column, int32_t* period) {
    absl::StatusOr<int32_t> p = ParsePeriod(row.fields[column]);
    if (!p.ok()) {
      errors_.Add(absl::StrCat("line ", row.line, ", column '", csv_.header()[column],
                               "': ", p.status().message()));
      return false;
    }
    *period = *p;
    return true;
  }

  void ReadLongRow(const index::CsvRow& row) {
    const int region = long_columns_[0], indicator = long_columns_[1], period = long_columns_[2],
              value = long_columns_[3], source = long_columns_[4];
    ObservationRecord r;
    r.line = row.line;
    r.column = value;
    r.source = source >= 0 ? file_.strings.Intern(row.fields[source]) : empty_source_;
    bool ok = ParseCode(row, region, &r.region);
    ok = ParseCode(row, indicator, &r.indicator) && ok;
    ok = ParsePeriodCell(row, period, &r.period) && ok;
    if (ParseValue(row, value, &r.value) && ok) file_.records.push_back(r);
  }

  absl::Status PlanWideColumns() {
    if (!options_.region_column.empty()) {
      region_column_ = csv_.Column(options_.region_column);
      if (region_column_ < 0) {
        return absl::InvalidArgumentError(absl::StrCat("--region_column '", options_.region_column,
                                                       "' is not in the header (",
                                                       absl::StrJoin(csv_.header(), ","), ")"));
      }
    } else {
      for (const std::string& name : DefaultRegionColumns()) {
        region_column_ = csv_.Column(name);
        if (region_column_ >= 0) break;
      }
      if (region_column_ < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "the file is not in long form (region,indicator,period,value[,source]) and, "
            "read as wide form, has no region column (region_code, uCode, iso3, code "
            "or region); name it with --region_column. Header: ",
            absl::StrJoin(csv_.header(), ",")));
      }
    }
    if (!options_.period_column.empty()) {
      period_column_ = csv_.Column(options_.period_column);
      if (period_column_ < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("--period_column '", options_.period_column, "' is not in the header"));
      }
    } else {
      period_column_ = FirstPresent(csv_, kPeriodColumns);
    }
    if (options_.period.has_value()) period_column_ = -1;  // --period wins

    bool needs_period = false;
    for (size_t c = 0; c < csv_.header().size(); ++c) {
      const int column = static_cast<int>(c);
      const std::string& name = csv_.header()[c];
      if (column == region_column_ || column == period_column_) continue;
      absl::string_view code;
      int32_t year = 0;
      if (options_.known_indicators.count(name) > 0) {
        value_columns_.push_back({column, file_.strings.Intern(name), std::nullopt});
        needs_period = true;
      } else if (SplitYearSuffix(name, &code, &year) &&
                 options_.known_indicators.count(std::string(code)) > 0) {
        value_columns_.push_back({column, file_.strings.Intern(code), year});
      } else {
        file_.skipped_columns.push_back(name);
      }
    }
    if (value_columns_.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no column of the wide-form file is a known indicator (nor "
                       "<indicator>_<YEAR>); register the indicators first (innoscope import "
                       "framework or innoscope import indicators), or pass the --framework they "
                       "belong to. Header: ",
                       absl::StrJoin(csv_.header(), ",")));
    }
    if (needs_period && !options_.period.has_value() && period_column_ < 0) {
      return absl::InvalidArgumentError(
          "the wide-form file has no period column (period, Time, year); pass "
          "--period YEAR (or --period_column NAME)");
    }
    return absl::OkStatus();
  }

  void ReadWideRow(const index::CsvRow& row) {
    uint32_t region = 0;
    if (!ParseCode(row, region_column_, &region)) return;
    int32_t row_period = options_.period.value_or(0);
    bool period_ok = true;
    if (!options_.period.has_value() && period_column_ >= 0) {
      period_ok = ParsePeriodCell(row, period_column_, &row_period);
    }
    for (const ValueColumn& vc : value_columns_) {
      ObservationRecord r;
      r.region = region;
      r.indicator = vc.indicator;
      r.source = empty_source_;
      r.line = row.line;
      r.column = vc.column;
      if (vc.period.has_value()) {
        r.period = *vc.period;
      } else if (period_ok) {
        r.period = row_period;
      } else {
        continue;  // the bad period is already reported once for the row
      }
      if (ParseValue(row, vc.column, &r.value)) file_.records.push_back(r);
    }
  }

  // Sorts record indices by key; keeps the first of exact repeats, reports
  // conflicting ones. O(n log n) time, 4 bytes per record.
  void DropDuplicates() {
    std::vector<ObservationRecord>& records = file_.records;
    std::vector<uint32_t> order(records.size());
    std::iota(order.begin(), order.end(), 0u);
    auto key_less = [&](uint32_t a, uint32_t b) {
      const ObservationRecord& x = records[a];
      const ObservationRecord& y = records[b];
      if (x.region != y.region) return x.region < y.region;
      if (x.indicator != y.indicator) return x.indicator < y.indicator;
      if (x.period != y.period) return x.period < y.period;
      return a < b;
    };
    std::sort(order.begin(), order.end(), key_less);
    std::vector<bool> drop(records.size(), false);
    size_t dropped = 0;
    for (size_t i = 1; i < order.size(); ++i) {
      const ObservationRecord& first = records[order[i - 1]];
      const ObservationRecord& next = records[order[i]];
      if (first.region != next.region || first.indicator != next.indicator ||
          first.period != next.period) {
        continue;
      }
      if (SameBits(first.value, next.value) && first.source == next.source) {
        drop[order[i]] = true;
        ++dropped;
      } else {
        errors_.Add(absl::StrCat(file_.Where(next), ": (", file_.Text(next.region), ", ",
                                 file_.Text(next.indicator), ", ", next.period,
                                 ") has a different value or source than at ", file_.Where(first)));
      }
      order[i] = order[i - 1];  // compare later repeats with the kept one
    }
    if (dropped == 0) return;
    file_.duplicates = static_cast<int64_t>(dropped);
    size_t out = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      if (!drop[i]) records[out++] = records[i];
    }
    records.resize(out);
  }

  index::CsvStream csv_;
  const ObservationCsvOptions& options_;
  ErrorList errors_;
  ObservationFile file_;
  uint32_t empty_source_ = 0;
  int long_columns_[5] = {-1, -1, -1, -1, -1};  // kLongColumns order
  int region_column_ = -1;
  int period_column_ = -1;
  std::vector<ValueColumn> value_columns_;
};

}  // namespace

uint32_t StringPool::Intern(absl::string_view text) {
  auto it = ids_.find(std::string(text));
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<uint32_t>(texts_.size());
  texts_.emplace_back(text);
  ids_.emplace(texts_.back(), id);
  return id;
}

void OrderForKeyIndex(ObservationFile& f, size_t scoped_end,
                      const std::vector<common::BatchRange>& batches) {
  const std::vector<uint32_t> rank =
      common::SortedRanks(static_cast<uint32_t>(f.strings.size()),
                          [&](uint32_t a, uint32_t b) { return f.Text(a) < f.Text(b); });
  common::OrderForBatches(
      f.records, scoped_end, batches,
      [&](const auto& r) { return std::tuple(rank[r.indicator], rank[r.region], r.period); },
      [](const auto& r) { return std::tuple(r.line, r.column); });
}

std::string ObservationFile::Where(const ObservationRecord& record) const {
  if (layout == ObservationLayout::kLong) return absl::StrCat("line ", record.line);
  return absl::StrCat("line ", record.line, ", column '", header[record.column], "'");
}

const std::vector<std::string>& DefaultRegionColumns() {
  static const auto* names =
      new std::vector<std::string>{"region_code", "uCode", "iso3", "code", "region"};
  return *names;
}

bool IsLongObservationHeader(const std::vector<std::string>& header) {
  for (int k = 0; k < 4; ++k) {
    if (std::find(header.begin(), header.end(), kLongColumns[k]) == header.end()) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<ObservationFile> ParseObservationCsv(absl::string_view text,
                                                    const ObservationCsvOptions& options) {
  absl::StatusOr<index::CsvStream> csv = index::CsvStream::Open(text, options.chunk_records);
  if (!csv.ok()) return csv.status();
  return Reader(*std::move(csv), options).Run();
}

std::string ObservationBatchId(const ObservationFile& file, size_t begin, size_t end,
                               const ObservationBatchScope& scope) {
  BatchHasher h;
  h.AddString("observations");
  h.AddString(scope.framework);
  h.AddInt(scope.framework_version);
  h.AddString(scope.source);
  h.AddString(scope.note);
  h.AddString(scope.salt);
  for (size_t i = begin; i < end; ++i) {
    const ObservationRecord& r = file.records[i];
    h.AddString(file.Text(r.region));
    h.AddString(file.Text(r.indicator));
    h.AddInt(r.period);
    h.AddDouble(r.value);
    h.AddString(file.Text(r.source));
  }
  return h.BatchId("obs");
}

void ErrorList::Add(std::string error) {
  ++count_;
  if (errors_.size() < static_cast<size_t>(kMaxReportedErrors)) {
    errors_.push_back(std::move(error));
  }
}

absl::Status ErrorList::ToStatus(absl::string_view hint) const {
  if (count_ == 0) return absl::OkStatus();
  std::string message = absl::StrCat(what_, ": ", count_, " problem(s)");
  if (count_ > static_cast<int64_t>(errors_.size())) {
    absl::StrAppend(&message, ", the first ", errors_.size());
  }
  absl::StrAppend(&message, ":\n  ", absl::StrJoin(errors_, "\n  "));
  if (!hint.empty()) absl::StrAppend(&message, "\n", hint);
  return absl::InvalidArgumentError(message);
}

}  // namespace innoscope::cli
