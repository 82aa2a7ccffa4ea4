// Minimal GML reader (Himsolt's Graph Modelling Language as written by
// networkx, igraph, Gephi and Mark Newman's data sets). See readers.h.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/graph/reader_support.h"
#include "libs/graph/readers.h"
#include "libs/graph/string_util.h"

namespace innoscope::graph {
namespace {

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// GML strings escape with HTML/XML entities (networkx writes &quot;):
// decodes &lt; &gt; &amp; &quot; &apos; &#N; &#xH; (UTF-8 output); unknown
// entities are kept verbatim.
std::string DecodeEntities(absl::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) {
    if (raw[i] != '&') {
      out.push_back(raw[i++]);
      continue;
    }
    size_t semi = raw.find(';', i);
    if (semi == absl::string_view::npos || semi - i > 12) {
      out.push_back(raw[i++]);
      continue;
    }
    absl::string_view entity = raw.substr(i + 1, semi - i - 1);
    bool decoded = true;
    if (entity == "lt") {
      out.push_back('<');
    } else if (entity == "gt") {
      out.push_back('>');
    } else if (entity == "amp") {
      out.push_back('&');
    } else if (entity == "quot") {
      out.push_back('"');
    } else if (entity == "apos") {
      out.push_back('\'');
    } else if (entity.size() > 1 && entity[0] == '#') {
      uint32_t cp = 0;
      bool ok = entity[1] == 'x' || entity[1] == 'X' ? absl::SimpleHexAtoi(entity.substr(2), &cp)
                                                     : absl::SimpleAtoi(entity.substr(1), &cp);
      if (ok && cp > 0 && cp <= 0x10FFFF) {
        AppendUtf8(cp, out);
      } else {
        decoded = false;
      }
    } else {
      decoded = false;
    }
    if (decoded) {
      i = semi + 1;
    } else {
      out.push_back(raw[i++]);
    }
  }
  return out;
}

struct GmlToken {
  enum Kind { kOpen, kClose, kWord, kString };
  Kind kind;
  absl::string_view text;  // without quotes for kString
  int line;
};

absl::StatusOr<std::vector<GmlToken>> Tokenize(absl::string_view text) {
  std::vector<GmlToken> tokens;
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#') {  // comment to end of line
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '[' || c == ']') {
      tokens.push_back({c == '[' ? GmlToken::kOpen : GmlToken::kClose, text.substr(i, 1), line});
      ++i;
    } else if (c == '"') {
      size_t end = text.find('"', i + 1);
      if (end == absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("GML line ", line, ": unterminated string"));
      }
      absl::string_view body = text.substr(i + 1, end - i - 1);
      tokens.push_back({GmlToken::kString, body, line});
      for (char b : body) line += b == '\n';
      i = end + 1;
    } else {
      size_t start = i;
      while (i < text.size() && !absl::ascii_isspace(static_cast<unsigned char>(text[i])) &&
             text[i] != '[' && text[i] != ']' && text[i] != '"') {
        ++i;
      }
      tokens.push_back({GmlToken::kWord, text.substr(start, i - start), line});
    }
  }
  return tokens;
}

class GmlParser {
 public:
  GmlParser(std::vector<GmlToken> tokens, const ReadOptions& options)
      : tokens_(std::move(tokens)), options_(options), collector_(options) {}

  absl::StatusOr<GraphFile> Parse() && {
    bool found_graph = false;
    while (pos_ < tokens_.size()) {
      absl::string_view key;
      RETURN_IF_ERROR(ReadKey(key));
      if (key == "graph" && !found_graph && Peek(GmlToken::kOpen)) {
        found_graph = true;
        ++pos_;
        RETURN_IF_ERROR(ParseGraphBody());
      } else {
        RETURN_IF_ERROR(SkipValue());
      }
    }
    if (!found_graph) {
      return absl::InvalidArgumentError("GML: no 'graph [ ... ]' section");
    }
    absl::StatusOr<GraphFile> file = std::move(collector_).Finish({});
    if (!file.ok()) return Prefixed(file.status());
    return file;
  }

 private:
  bool Peek(GmlToken::Kind kind) const {
    return pos_ < tokens_.size() && tokens_[pos_].kind == kind;
  }
  int Line() const {
    return pos_ < tokens_.size() ? tokens_[pos_].line : (tokens_.empty() ? 1 : tokens_.back().line);
  }
  static absl::Status Prefixed(const absl::Status& s) {
    if (s.ok()) return s;
    return absl::Status(s.code(), absl::StrCat("GML ", s.message()));
  }
  absl::Status Error(absl::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat("GML line ", Line(), ": ", message));
  }

  absl::Status ReadKey(absl::string_view& key) {
    if (!Peek(GmlToken::kWord)) return Error("expected a key");
    key = tokens_[pos_++].text;
    if (pos_ >= tokens_.size()) {
      return Error(absl::StrCat("key '", key, "' has no value"));
    }
    return absl::OkStatus();
  }

  // Reads a scalar value (word or string); error on a list.
  absl::Status ReadScalar(std::string& value) {
    if (Peek(GmlToken::kWord)) {
      value = std::string(tokens_[pos_++].text);
      return absl::OkStatus();
    }
    if (Peek(GmlToken::kString)) {
      value = DecodeEntities(tokens_[pos_++].text);
      return absl::OkStatus();
    }
    return Error("expected a value");
  }

  // Skips a scalar or a bracketed list (iteratively: no recursion).
  absl::Status SkipValue() {
    if (pos_ >= tokens_.size()) return Error("missing value");
    if (!Peek(GmlToken::kOpen)) {
      if (Peek(GmlToken::kClose)) return Error("unexpected ']'");
      ++pos_;
      return absl::OkStatus();
    }
    int depth = 0;
    do {
      if (pos_ >= tokens_.size()) return Error("unbalanced '['");
      if (tokens_[pos_].kind == GmlToken::kOpen) ++depth;
      if (tokens_[pos_].kind == GmlToken::kClose) --depth;
      ++pos_;
    } while (depth > 0);
    return absl::OkStatus();
  }

  absl::Status ParseGraphBody() {
    while (!Peek(GmlToken::kClose)) {
      if (pos_ >= tokens_.size()) return Error("unterminated graph section");
      absl::string_view key;
      RETURN_IF_ERROR(ReadKey(key));
      if (key == "directed" && Peek(GmlToken::kWord)) {
        collector_.set_declared_directed(tokens_[pos_++].text != "0");
      } else if (key == "node" && Peek(GmlToken::kOpen)) {
        ++pos_;
        RETURN_IF_ERROR(ParseNode());
      } else if (key == "edge" && Peek(GmlToken::kOpen)) {
        ++pos_;
        RETURN_IF_ERROR(ParseEdge());
      } else {
        RETURN_IF_ERROR(SkipValue());
      }
    }
    ++pos_;  // ']'
    return absl::OkStatus();
  }

  absl::Status ParseNode() {
    const int line = Line();
    std::optional<std::string> id;
    std::string label;
    std::vector<std::pair<std::string, std::string>> attributes;
    while (!Peek(GmlToken::kClose)) {
      if (pos_ >= tokens_.size()) return Error("unterminated node section");
      absl::string_view key;
      RETURN_IF_ERROR(ReadKey(key));
      if (Peek(GmlToken::kOpen)) {
        RETURN_IF_ERROR(SkipValue());
        continue;
      }
      std::string value;
      RETURN_IF_ERROR(ReadScalar(value));
      if (key == "id") {
        id = std::move(value);
      } else if (key == "label") {
        label = std::move(value);
      } else {
        attributes.emplace_back(std::string(key), std::move(value));
      }
    }
    ++pos_;
    if (!id) {
      return absl::InvalidArgumentError(absl::StrCat("GML line ", line, ": node without id"));
    }
    if (absl::Status s = collector_.DeclareNode(*id, label, line); !s.ok()) {
      return Prefixed(s);
    }
    for (auto& [name, value] : attributes) {
      collector_.SetNodeAttribute(name, std::move(value));
    }
    return absl::OkStatus();
  }

  absl::Status ParseEdge() {
    const int line = Line();
    std::string source, target;
    std::optional<double> weight;
    bool has_source = false, has_target = false;
    while (!Peek(GmlToken::kClose)) {
      if (pos_ >= tokens_.size()) return Error("unterminated edge section");
      absl::string_view key;
      RETURN_IF_ERROR(ReadKey(key));
      if (Peek(GmlToken::kOpen)) {
        RETURN_IF_ERROR(SkipValue());
        continue;
      }
      const int value_line = Line();
      std::string text;
      RETURN_IF_ERROR(ReadScalar(text));
      if (key == "source") {
        source = std::move(text);
        has_source = true;
      } else if (key == "target") {
        target = std::move(text);
        has_target = true;
      } else if (key == "weight" || key == "value") {
        absl::StatusOr<double> w = ParseWeight(text, value_line);
        if (!w.ok()) return Prefixed(w.status());
        // "weight" wins over "value" (Gephi's GML importer reads either).
        if (key == "weight" || !weight) weight = *w;
      }
    }
    ++pos_;
    if (!has_source || !has_target) {
      return absl::InvalidArgumentError(
          absl::StrCat("GML line ", line, ": edge without ", has_source ? "target" : "source"));
    }
    return Prefixed(
        collector_.AddEdge(source, target, weight, line, options_.create_missing_nodes));
  }

  std::vector<GmlToken> tokens_;
  size_t pos_ = 0;
  ReadOptions options_;
  EdgeCollector collector_;
};

}  // namespace

absl::StatusOr<GraphFile> ParseGml(std::string_view text, const ReadOptions& options) {
  ASSIGN_OR_RETURN(std::vector<GmlToken> tokens, Tokenize(ToAbsl(text)));
  return GmlParser(std::move(tokens), options).Parse();
}

}  // namespace innoscope::graph
