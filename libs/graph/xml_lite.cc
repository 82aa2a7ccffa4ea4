#include "libs/graph/xml_lite.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace innoscope::graph {
namespace {

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         c == '-' || c == '.' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}

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

}  // namespace

std::optional<absl::string_view> XmlEvent::Attribute(
    absl::string_view key) const {
  for (const auto& [k, v] : attributes) {
    if (k == key) return absl::string_view(v);
  }
  return std::nullopt;
}

std::string DecodeXmlEntities(absl::string_view raw) {
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
      bool ok = entity[1] == 'x' || entity[1] == 'X'
                    ? absl::SimpleHexAtoi(entity.substr(2), &cp)
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

XmlLite::XmlLite(absl::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 BOM
}

void XmlLite::Advance(size_t count) {
  size_t end = std::min(text_.size(), pos_ + count);
  line_ += static_cast<int>(
      std::count(text_.begin() + pos_, text_.begin() + end, '\n'));
  pos_ = end;
}

absl::Status XmlLite::Error(absl::string_view message) const {
  return absl::InvalidArgumentError(
      absl::StrCat("XML line ", line_, ": ", message));
}

absl::Status XmlLite::SkipPast(absl::string_view terminator,
                               absl::string_view what) {
  size_t end = text_.find(terminator, pos_);
  if (end == absl::string_view::npos) {
    return Error(absl::StrCat("unterminated ", what));
  }
  Advance(end + terminator.size() - pos_);
  return absl::OkStatus();
}

absl::StatusOr<XmlEvent> XmlLite::Next() {
  if (pending_end_) {
    pending_end_ = false;
    XmlEvent event;
    event.kind = XmlEvent::kEnd;
    event.name = std::move(pending_name_);
    event.line = line_;
    return event;
  }
  while (pos_ < text_.size()) {
    if (text_[pos_] != '<') {
      size_t end = text_.find('<', pos_);
      if (end == absl::string_view::npos) end = text_.size();
      absl::string_view raw = text_.substr(pos_, end - pos_);
      int start_line = line_;
      Advance(end - pos_);
      if (absl::StripAsciiWhitespace(raw).empty()) continue;
      if (open_.empty()) return Error("text outside the root element");
      XmlEvent event;
      event.kind = XmlEvent::kText;
      event.text = DecodeXmlEntities(raw);
      event.line = start_line;
      return event;
    }
    absl::string_view rest = text_.substr(pos_);
    if (rest.substr(0, 4) == "<!--") {
      Advance(4);
      RETURN_IF_ERROR(SkipPast("-->", "comment"));
      continue;
    }
    if (rest.substr(0, 9) == "<![CDATA[") {
      Advance(9);
      size_t end = text_.find("]]>", pos_);
      if (end == absl::string_view::npos) {
        return Error("unterminated CDATA section");
      }
      XmlEvent event;
      event.kind = XmlEvent::kText;
      event.text = std::string(text_.substr(pos_, end - pos_));
      event.line = line_;
      Advance(end + 3 - pos_);
      if (open_.empty()) return Error("CDATA outside the root element");
      return event;
    }
    if (rest.substr(0, 2) == "<?") {
      Advance(2);
      RETURN_IF_ERROR(SkipPast("?>", "processing instruction"));
      continue;
    }
    if (rest.substr(0, 2) == "<!") {
      // DOCTYPE or another declaration; skip to the matching '>' while
      // stepping over an internal subset in brackets.
      int depth = 0;
      size_t i = pos_ + 2;
      for (; i < text_.size(); ++i) {
        if (text_[i] == '[') ++depth;
        if (text_[i] == ']') --depth;
        if (text_[i] == '>' && depth <= 0) break;
      }
      if (i >= text_.size()) return Error("unterminated declaration");
      Advance(i + 1 - pos_);
      continue;
    }
    return ReadTag();
  }
  if (!open_.empty()) {
    return Error(absl::StrCat("end of input inside <", open_.back(), ">"));
  }
  XmlEvent eof;
  eof.line = line_;
  return eof;
}

absl::StatusOr<XmlEvent> XmlLite::ReadTag() {
  XmlEvent event;
  event.line = line_;
  Advance(1);  // '<'
  bool closing = pos_ < text_.size() && text_[pos_] == '/';
  if (closing) Advance(1);
  size_t name_start = pos_;
  while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
  if (pos_ == name_start) return Error("expected an element name after '<'");
  event.name = std::string(text_.substr(name_start, pos_ - name_start));

  auto skip_space = [&] {
    while (pos_ < text_.size() &&
           absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
      Advance(1);
    }
  };
  if (closing) {
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != '>') {
      return Error(absl::StrCat("malformed end tag </", event.name));
    }
    Advance(1);
    if (open_.empty() || open_.back() != event.name) {
      return Error(absl::StrCat(
          "unexpected </", event.name, ">",
          open_.empty() ? std::string()
                        : absl::StrCat(" (open: <", open_.back(), ">)")));
    }
    open_.pop_back();
    event.kind = XmlEvent::kEnd;
    return event;
  }

  event.kind = XmlEvent::kStart;
  while (true) {
    skip_space();
    if (pos_ >= text_.size()) {
      return Error(absl::StrCat("unterminated start tag <", event.name));
    }
    char c = text_[pos_];
    if (c == '>') {
      Advance(1);
      break;
    }
    if (c == '/') {
      if (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '>') {
        return Error(absl::StrCat("stray '/' in <", event.name));
      }
      Advance(2);
      pending_end_ = true;
      pending_name_ = event.name;
      break;
    }
    size_t key_start = pos_;
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    if (pos_ == key_start) {
      return Error(absl::StrCat("unexpected character '", std::string(1, c),
                                "' in <", event.name));
    }
    std::string key(text_.substr(key_start, pos_ - key_start));
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != '=') {
      return Error(absl::StrCat("attribute ", key, " has no value"));
    }
    Advance(1);
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\'')) {
      return Error(absl::StrCat("attribute ", key, " value is not quoted"));
    }
    char quote = text_[pos_];
    size_t end = text_.find(quote, pos_ + 1);
    if (end == absl::string_view::npos) {
      return Error(absl::StrCat("unterminated value of attribute ", key));
    }
    std::string value =
        DecodeXmlEntities(text_.substr(pos_ + 1, end - pos_ - 1));
    Advance(end + 1 - pos_);
    event.attributes.emplace_back(std::move(key), std::move(value));
  }
  if (!pending_end_) open_.push_back(event.name);
  return event;
}

}  // namespace innoscope::graph
