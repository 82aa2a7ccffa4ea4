#include "libs/config/yaml_subset.h"

#include <cstddef>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace innoscope::config {
namespace {

struct Line {
  int number = 0;
  int indent = 0;    // leading spaces
  std::string text;  // after the indentation, comment and trailing spaces removed
};

absl::Status Error(int line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", what));
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// A quote can open a scalar only where a value starts: at the start of the
// text or after ':', '-', '[', '{' or ',' (spaces skipped), so apostrophes
// inside plain text ("Beijing's") are text.
bool OpensQuote(absl::string_view text, size_t i) {
  size_t j = i;
  while (j > 0 && IsSpace(text[j - 1])) --j;
  if (j == 0) return true;
  const char before = text[j - 1];
  return before == ':' || before == '-' || before == '[' || before == '{' || before == ',';
}

// Removes a `#` comment (at the start or after a space, outside quotes).
std::string StripComment(absl::string_view text) {
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == '"') {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quote = 0;
      }
      continue;
    }
    if (quote == '\'') {
      if (c == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is a quote inside the string
      } else if (c == '\'') {
        quote = 0;
      }
      continue;
    }
    if ((c == '"' || c == '\'') && OpensQuote(text, i)) {
      quote = c;
      continue;
    }
    if (c == '#' && (i == 0 || IsSpace(text[i - 1]))) return std::string(text.substr(0, i));
  }
  return std::string(text);
}

bool IsListItem(absl::string_view text) {
  return text == "-" || absl::StartsWith(text, "- ") || absl::StartsWith(text, "-\t");
}

// Parses a quoted scalar starting at text[*i] (a quote); on success *i is
// just past the closing quote.
absl::StatusOr<std::string> ParseQuoted(absl::string_view text, size_t* i, int line) {
  const char quote = text[*i];
  std::string out;
  for (size_t j = *i + 1; j < text.size(); ++j) {
    const char c = text[j];
    if (quote == '\'') {
      if (c == '\'') {
        if (j + 1 < text.size() && text[j + 1] == '\'') {
          out.push_back('\'');
          ++j;
          continue;
        }
        *i = j + 1;
        return out;
      }
      out.push_back(c);
      continue;
    }
    if (c == '"') {
      *i = j + 1;
      return out;
    }
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (j + 1 >= text.size()) break;
    const char e = text[++j];
    switch (e) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      default:
        return Error(line, absl::StrCat("unknown escape \\", std::string(1, e),
                                        " in a double-quoted string (use \\\\ for a backslash)"));
    }
  }
  return Error(line, absl::StrCat("unterminated ", quote == '"' ? "double" : "single",
                                  "-quoted string; close it on the same line"));
}

absl::Status Unsupported(int line, absl::string_view text) {
  const char c = text.empty() ? ' ' : text[0];
  const char* what = nullptr;
  switch (c) {
    case '&': what = "anchors (&)"; break;
    case '*': what = "aliases (*)"; break;
    case '!': what = "tags (!)"; break;
    case '|': what = "block scalars (|)"; break;
    case '>': what = "folded scalars (>)"; break;
    case '%': what = "directives (%)"; break;
    case '@': case '`': what = "values starting with @ or `"; break;
    case '?': what = "complex keys (?)"; break;
    default: return absl::OkStatus();
  }
  return Error(line, absl::StrCat(what, " are not supported by this YAML subset; write the value "
                                        "out (quote it if it starts with that character)"));
}

// A plain scalar: trimmed; ": " inside would be a second key on the line.
absl::StatusOr<YamlNode> PlainScalar(absl::string_view raw, int line) {
  absl::string_view text = absl::StripAsciiWhitespace(raw);
  if (text.empty()) return Error(line, "empty value");
  absl::Status unsupported = Unsupported(line, text);
  if (!unsupported.ok()) return unsupported;
  if (absl::StrContains(text, ": ") || absl::EndsWith(text, ":")) {
    return Error(line, absl::StrCat("'", text, "' has ': ' inside a plain value; quote the value, "
                                    "or put a mapping on its own lines"));
  }
  if (IsListItem(text)) {
    return Error(line, "a list item ('- ...') must start its own line");
  }
  YamlNode node;
  node.kind = YamlNode::Kind::kScalar;
  node.line = line;
  node.scalar = std::string(text);
  return node;
}

class FlowParser {
 public:
  FlowParser(absl::string_view text, int line) : text_(text), line_(line) {}

  absl::StatusOr<YamlNode> ParseAll() {
    absl::StatusOr<YamlNode> node = Value();
    if (!node.ok()) return node.status();
    SkipSpaces();
    if (i_ < text_.size()) {
      return Error(line_, absl::StrCat("unexpected '", text_.substr(i_), "' after the value"));
    }
    return node;
  }

 private:
  void SkipSpaces() {
    while (i_ < text_.size() && IsSpace(text_[i_])) ++i_;
  }

  absl::StatusOr<YamlNode> Value() {
    SkipSpaces();
    if (i_ >= text_.size()) return Error(line_, "missing value");
    const char c = text_[i_];
    if (c == '{') return Mapping();
    if (c == '[') return List();
    if (c == '"' || c == '\'') {
      absl::StatusOr<std::string> s = ParseQuoted(text_, &i_, line_);
      if (!s.ok()) return s.status();
      YamlNode node;
      node.kind = YamlNode::Kind::kScalar;
      node.line = line_;
      node.scalar = *std::move(s);
      node.quoted = true;
      return node;
    }
    const size_t start = i_;
    while (i_ < text_.size() && text_[i_] != ',' && text_[i_] != ']' && text_[i_] != '}') ++i_;
    if (i_ == start) return Error(line_, "empty value in a flow collection");
    return PlainScalar(text_.substr(start, i_ - start), line_);
  }

  absl::StatusOr<YamlNode> Mapping() {
    YamlNode node;
    node.kind = YamlNode::Kind::kMapping;
    node.line = line_;
    ++i_;  // '{'
    SkipSpaces();
    if (i_ < text_.size() && text_[i_] == '}') {
      ++i_;
      return node;
    }
    while (true) {
      SkipSpaces();
      std::string key;
      if (i_ < text_.size() && (text_[i_] == '"' || text_[i_] == '\'')) {
        absl::StatusOr<std::string> k = ParseQuoted(text_, &i_, line_);
        if (!k.ok()) return k.status();
        key = *std::move(k);
        SkipSpaces();
      } else {
        const size_t start = i_;
        while (i_ < text_.size() && text_[i_] != ':' && text_[i_] != ',' && text_[i_] != '{' &&
               text_[i_] != '}' && text_[i_] != '[' && text_[i_] != ']') {
          ++i_;
        }
        key = std::string(absl::StripAsciiWhitespace(text_.substr(start, i_ - start)));
      }
      if (i_ >= text_.size() || text_[i_] != ':') {
        return Error(line_, absl::StrCat("expected 'key: value' in '{...}'",
                                         key.empty() ? "" : absl::StrCat(" after '", key, "'"),
                                         "; close the mapping with '}' on the same line"));
      }
      if (key.empty()) return Error(line_, "empty key in '{...}'");
      ++i_;  // ':'
      for (const YamlEntry& e : node.mapping) {
        if (e.key == key) return Error(line_, absl::StrCat("duplicate key '", key, "'"));
      }
      SkipSpaces();
      YamlEntry entry;
      entry.key = key;
      entry.line = line_;
      if (i_ < text_.size() && (text_[i_] == ',' || text_[i_] == '}')) {
        entry.value.line = line_;  // `{a: , b: 1}`: a is null
      } else {
        absl::StatusOr<YamlNode> v = Value();
        if (!v.ok()) return v.status();
        entry.value = *std::move(v);
      }
      node.mapping.push_back(std::move(entry));
      SkipSpaces();
      if (i_ < text_.size() && text_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < text_.size() && text_[i_] == '}') {
        ++i_;
        return node;
      }
      return Error(line_, "expected ',' or '}' in '{...}'; flow mappings must close on their line");
    }
  }

  absl::StatusOr<YamlNode> List() {
    YamlNode node;
    node.kind = YamlNode::Kind::kList;
    node.line = line_;
    ++i_;  // '['
    SkipSpaces();
    if (i_ < text_.size() && text_[i_] == ']') {
      ++i_;
      return node;
    }
    while (true) {
      absl::StatusOr<YamlNode> v = Value();
      if (!v.ok()) return v.status();
      node.list.push_back(*std::move(v));
      SkipSpaces();
      if (i_ < text_.size() && text_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < text_.size() && text_[i_] == ']') {
        ++i_;
        return node;
      }
      return Error(line_, "expected ',' or ']' in '[...]'; flow lists must close on their line");
    }
  }

  absl::string_view text_;
  int line_;
  size_t i_ = 0;
};

// A value written on the line of its key or list dash.
absl::StatusOr<YamlNode> InlineValue(absl::string_view text, int line) {
  if (text.empty()) return Error(line, "missing value");
  absl::Status unsupported = Unsupported(line, text);
  if (!unsupported.ok()) return unsupported;
  if (text[0] == '{' || text[0] == '[' || text[0] == '"' || text[0] == '\'') {
    return FlowParser(text, line).ParseAll();
  }
  return PlainScalar(text, line);
}

// "key: rest" (or "key:"): the key and the rest, or false when the text is
// not a mapping entry (a scalar or a flow collection).
absl::StatusOr<bool> SplitKey(absl::string_view text, int line, std::string* key,
                              absl::string_view* rest) {
  size_t colon = absl::string_view::npos;
  if (text.empty() || text[0] == '{' || text[0] == '[') return false;
  if (text[0] == '"' || text[0] == '\'') {
    size_t i = 0;
    absl::StatusOr<std::string> quoted = ParseQuoted(text, &i, line);
    if (!quoted.ok()) return quoted.status();
    size_t j = i;
    while (j < text.size() && IsSpace(text[j])) ++j;
    if (j >= text.size() || text[j] != ':' || (j + 1 < text.size() && !IsSpace(text[j + 1]))) {
      return false;
    }
    *key = *std::move(quoted);
    colon = j;
  } else {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == ':' && (i + 1 == text.size() || IsSpace(text[i + 1]))) {
        colon = i;
        break;
      }
    }
    if (colon == absl::string_view::npos) return false;
    *key = std::string(absl::StripAsciiWhitespace(text.substr(0, colon)));
    if (key->empty()) return Error(line, "empty key before ':'");
    absl::Status unsupported = Unsupported(line, *key);
    if (!unsupported.ok()) return unsupported;
  }
  *rest = absl::StripAsciiWhitespace(text.substr(colon + 1));
  return true;
}

class BlockParser {
 public:
  explicit BlockParser(std::vector<Line> lines) : lines_(std::move(lines)) {}

  absl::StatusOr<YamlNode> Document() {
    if (lines_.empty()) return YamlNode();
    absl::StatusOr<YamlNode> root = Block(lines_[0].indent);
    if (!root.ok()) return root.status();
    if (pos_ < lines_.size()) {
      return Error(lines_[pos_].number, "unexpected indentation (does not line up with the "
                                        "lines above it)");
    }
    return root;
  }

 private:
  absl::StatusOr<YamlNode> Block(int indent) {
    Line& l = lines_[pos_];
    if (IsListItem(l.text)) return List(indent);
    std::string key;
    absl::string_view rest;
    absl::StatusOr<bool> is_key = SplitKey(l.text, l.number, &key, &rest);
    if (!is_key.ok()) return is_key.status();
    if (*is_key) return Mapping(indent);
    ++pos_;
    return InlineValue(l.text, l.number);
  }

  absl::StatusOr<YamlNode> Mapping(int indent) {
    YamlNode node;
    node.kind = YamlNode::Kind::kMapping;
    node.line = lines_[pos_].number;
    std::map<std::string, int> seen;
    while (pos_ < lines_.size()) {
      const Line& l = lines_[pos_];
      if (l.indent < indent) break;
      if (l.indent > indent) {
        return Error(l.number, "unexpected indentation (does not line up with the keys above it)");
      }
      if (IsListItem(l.text)) {
        return Error(l.number, "a list item where a 'key: value' line was expected; indent the "
                               "list under its key");
      }
      YamlEntry entry;
      absl::string_view rest;
      absl::StatusOr<bool> is_key = SplitKey(l.text, l.number, &entry.key, &rest);
      if (!is_key.ok()) return is_key.status();
      if (!*is_key) return Error(l.number, absl::StrCat("expected 'key: value', got '", l.text, "'"));
      entry.line = l.number;
      auto [it, inserted] = seen.emplace(entry.key, l.number);
      if (!inserted) {
        return Error(l.number, absl::StrCat("duplicate key '", entry.key, "' (first on line ",
                                            it->second, ")"));
      }
      ++pos_;
      if (rest.empty()) {
        if (pos_ < lines_.size() && lines_[pos_].indent > indent) {
          absl::StatusOr<YamlNode> v = Block(lines_[pos_].indent);
          if (!v.ok()) return v.status();
          entry.value = *std::move(v);
        } else if (pos_ < lines_.size() && lines_[pos_].indent == indent &&
                   IsListItem(lines_[pos_].text)) {
          absl::StatusOr<YamlNode> v = List(indent);
          if (!v.ok()) return v.status();
          entry.value = *std::move(v);
        } else {
          entry.value.line = entry.line;  // `key:` alone is null
        }
      } else {
        absl::StatusOr<YamlNode> v = InlineValue(rest, l.number);
        if (!v.ok()) return v.status();
        entry.value = *std::move(v);
      }
      node.mapping.push_back(std::move(entry));
    }
    return node;
  }

  absl::StatusOr<YamlNode> List(int indent) {
    YamlNode node;
    node.kind = YamlNode::Kind::kList;
    node.line = lines_[pos_].number;
    while (pos_ < lines_.size() && lines_[pos_].indent == indent &&
           IsListItem(lines_[pos_].text)) {
      Line& l = lines_[pos_];
      size_t offset = 1;
      while (offset < l.text.size() && IsSpace(l.text[offset])) ++offset;
      const std::string rest = l.text.substr(offset);
      if (rest.empty()) {
        ++pos_;
        if (pos_ < lines_.size() && lines_[pos_].indent > indent) {
          absl::StatusOr<YamlNode> v = Block(lines_[pos_].indent);
          if (!v.ok()) return v.status();
          node.list.push_back(*std::move(v));
        } else {
          YamlNode null_item;
          null_item.line = l.number;
          node.list.push_back(std::move(null_item));
        }
        continue;
      }
      std::string key;
      absl::string_view after;
      absl::StatusOr<bool> is_key = SplitKey(rest, l.number, &key, &after);
      if (!is_key.ok()) return is_key.status();
      if (*is_key || IsListItem(rest)) {
        // "- key: value" opens a mapping (or "- - x" a list) whose lines are
        // indented to where `key` starts.
        l.indent = indent + static_cast<int>(offset);
        l.text = rest;
        absl::StatusOr<YamlNode> v = *is_key ? Mapping(l.indent) : List(l.indent);
        if (!v.ok()) return v.status();
        node.list.push_back(*std::move(v));
        continue;
      }
      ++pos_;
      absl::StatusOr<YamlNode> v = InlineValue(rest, l.number);
      if (!v.ok()) return v.status();
      node.list.push_back(*std::move(v));
    }
    return node;
  }

  std::vector<Line> lines_;
  size_t pos_ = 0;
};

}  // namespace

const YamlEntry* YamlNode::Find(absl::string_view key) const {
  for (const YamlEntry& e : mapping) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const char* YamlNode::KindName() const {
  switch (kind) {
    case Kind::kNull: return "nothing";
    case Kind::kScalar: return "a value";
    case Kind::kMapping: return "a mapping";
    case Kind::kList: return "a list";
  }
  return "?";
}

absl::StatusOr<YamlNode> ParseYamlSubset(absl::string_view text) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM
  std::vector<Line> lines;
  int number = 0;
  bool content_seen = false;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    size_t indent = 0;
    while (indent < raw.size() && raw[indent] == ' ') ++indent;
    std::string body = StripComment(raw.substr(indent));
    while (!body.empty() && IsSpace(body.back())) body.pop_back();
    if (body.empty()) continue;
    if (body[0] == '\t') {
      return Error(number, "tab in the indentation; indent with spaces");
    }
    if (body == "---" && indent == 0) {
      if (content_seen) return Error(number, "several documents ('---') are not supported");
      content_seen = true;
      continue;
    }
    if (body == "..." && indent == 0) return Error(number, "document end ('...') is not supported");
    content_seen = true;
    lines.push_back({number, static_cast<int>(indent), std::move(body)});
  }
  return BlockParser(std::move(lines)).Document();
}

}  // namespace innoscope::config
