#include "libs/config/yaml_tree.h"

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "yaml-cpp/anchor.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/exceptions.h"
#include "yaml-cpp/mark.h"
#include "yaml-cpp/parser.h"

namespace innoscope::config {
namespace {

// Thrown from the event handler to stop yaml-cpp at the first refusal.
struct Refusal {
  absl::Status status;
};

int LineOf(const YAML::Mark& mark) { return mark.is_null() ? 0 : mark.line + 1; }

absl::Status Error(int line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", what));
}

absl::Status Unsupported(int line, absl::string_view what) {
  return Error(line, absl::StrCat(what,
                                  " are not supported in Innoscope configuration files; "
                                  "write the value out (quote it if it starts with that "
                                  "character)"));
}

[[noreturn]] void Refuse(absl::Status status) { throw Refusal{std::move(status)}; }
[[noreturn]] void Refuse(int line, absl::string_view what) { Refuse(Error(line, what)); }
[[noreturn]] void RefuseConstruct(int line, absl::string_view what) {
  Refuse(Unsupported(line, what));
}

// Builds the tree from yaml-cpp's events with an explicit stack (no
// recursion of ours, whatever the nesting).
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(absl::string_view text) : text_(text) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents_;
    if (documents_ > 1) Refuse(LineOf(mark), "several documents ('---') are not supported");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    CheckAnchor(mark, anchor);
    YamlNode node;
    node.line = LineOf(mark);
    Attach(std::move(node));
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override {
    RefuseConstruct(LineOf(mark), "aliases (*)");
  }

  void OnAnchor(const YAML::Mark& mark, const std::string& /*name*/) override {
    RefuseConstruct(LineOf(mark), "anchors (&)");
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    CheckAnchor(mark, anchor);
    // yaml-cpp gives "?" to plain scalars and "!" to quoted and block ones;
    // anything else was written as a tag.
    if (tag != "?" && tag != "!") RefuseConstruct(LineOf(mark), "tags (!)");
    if (tag == "!") CheckClosingQuote(mark);
    YamlNode node;
    node.kind = YamlNode::Kind::kScalar;
    node.line = LineOf(mark);
    node.scalar = value;
    node.quoted = tag == "!";
    Attach(std::move(node));
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    Open(mark, tag, anchor, YamlNode::Kind::kList, style);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    Open(mark, tag, anchor, YamlNode::Kind::kMapping, style);
  }
  void OnMapEnd() override { Close(); }

  YamlNode TakeRoot() { return root_ ? *std::move(root_) : YamlNode(); }

  // The line of the innermost flow collection ('[...]' or '{...}') of
  // `kind` still open, for yaml-cpp's "end of ... flow not found", which it
  // reports where the input ends.
  std::optional<int> OpenFlowLine(YamlNode::Kind kind) const {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->flow && it->node.kind == kind) return it->node.line;
    }
    return std::nullopt;
  }

 private:
  struct Frame {
    YamlNode node;
    bool flow = false;
    // kMapping: the key waiting for its value, and the keys seen.
    bool has_key = false;
    YamlEntry pending;
    std::map<std::string, int> seen;
  };

  // yaml-cpp 0.7 ends a quoted scalar that is never closed at the end of the
  // input, silently taking in the rest of the file; refuse that.
  void CheckClosingQuote(const YAML::Mark& mark) const {
    if (mark.is_null() || mark.pos < 0 || static_cast<size_t>(mark.pos) >= text_.size()) return;
    const char quote = text_[mark.pos];
    if (quote != '\'' && quote != '"') return;  // a block scalar (| or >)
    for (size_t i = mark.pos + 1; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;
      } else if (text_[i] == quote) {
        if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
          ++i;  // '' is a quote inside a single-quoted scalar
        } else {
          return;
        }
      }
    }
    Refuse(LineOf(mark),
           absl::StrCat("unterminated ", quote == '"' ? "double" : "single", "-quoted string"));
  }

  static void CheckAnchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) RefuseConstruct(LineOf(mark), "anchors (&)");
  }

  void Open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
            YamlNode::Kind kind, YAML::EmitterStyle::value style) {
    CheckAnchor(mark, anchor);
    if (tag != "?") RefuseConstruct(LineOf(mark), "tags (!)");
    if (!stack_.empty() && stack_.back().node.kind == YamlNode::Kind::kMapping &&
        !stack_.back().has_key) {
      Refuse(LineOf(mark), "a mapping key must be a single value, not a list or a mapping");
    }
    Frame frame;
    frame.node.kind = kind;
    frame.node.line = LineOf(mark);
    frame.flow = style == YAML::EmitterStyle::Flow;
    stack_.push_back(std::move(frame));
  }

  void Close() {
    YamlNode node = std::move(stack_.back().node);
    stack_.pop_back();
    Attach(std::move(node));
  }

  void Attach(YamlNode node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& top = stack_.back();
    if (top.node.kind == YamlNode::Kind::kList) {
      top.node.list.push_back(std::move(node));
      return;
    }
    if (!top.has_key) {
      if (node.kind != YamlNode::Kind::kScalar || node.scalar.empty()) {
        Refuse(node.line, "empty key before ':'");
      }
      auto [it, inserted] = top.seen.emplace(node.scalar, node.line);
      if (!inserted) {
        Refuse(node.line,
               absl::StrCat("duplicate key '", node.scalar, "' (first on line ", it->second, ")"));
      }
      top.pending = YamlEntry();
      top.pending.key = std::move(node.scalar);
      top.pending.line = node.line;
      top.has_key = true;
      return;
    }
    // `key:` with nothing after it: the value is null on the key's line.
    if (node.kind == YamlNode::Kind::kNull) node.line = top.pending.line;
    top.pending.value = std::move(node);
    top.node.mapping.push_back(std::move(top.pending));
    top.has_key = false;
  }

  absl::string_view text_;
  int documents_ = 0;
  std::vector<Frame> stack_;
  std::optional<YamlNode> root_;
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
    case Kind::kNull:
      return "nothing";
    case Kind::kScalar:
      return "a value";
    case Kind::kMapping:
      return "a mapping";
    case Kind::kList:
      return "a list";
  }
  return "?";
}

absl::StatusOr<YamlNode> ParseYamlTree(absl::string_view text) {
  // Without the UTF-8 BOM yaml-cpp's marks are offsets into `text`.
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  std::istringstream in{std::string(text)};
  TreeBuilder builder(text);
  try {
    YAML::Parser parser(in);
    if (parser.HandleNextDocument(builder)) {
      // A second document is refused by OnDocumentStart.
      parser.HandleNextDocument(builder);
    }
  } catch (const Refusal& refusal) {
    return refusal.status;
  } catch (const YAML::DeepRecursion& e) {
    return Error(LineOf(e.mark),
                 absl::StrCat("nesting reaches yaml-cpp's limit of ", e.depth(), " levels"));
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null()
                         ? static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1
                         : e.mark.line + 1;
    // An alias whose anchor is not defined fails inside yaml-cpp before the
    // handler sees it; it is refused like every alias.
    if (e.msg == YAML::ErrorMsg::UNKNOWN_ANCHOR) return Unsupported(line, "aliases (*)");
    // An unclosed '[' or '{' is found at the end of the input; name the line
    // it opens on.
    const bool seq = e.msg == YAML::ErrorMsg::END_OF_SEQ_FLOW;
    if (seq || e.msg == YAML::ErrorMsg::END_OF_MAP_FLOW) {
      std::optional<int> open =
          builder.OpenFlowLine(seq ? YamlNode::Kind::kList : YamlNode::Kind::kMapping);
      if (open) {
        return Error(
            *open, absl::StrCat("'", seq ? "[" : "{", "' is never closed (not valid YAML: ", e.msg,
                                " at line ", line, ")"));
      }
    }
    const std::string where =
        e.mark.is_null() ? "" : absl::StrCat(" (column ", e.mark.column + 1, ")");
    return Error(line, absl::StrCat("not valid YAML", where, ": ", e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not valid YAML: ", e.what()));
  }
  return builder.TakeRoot();
}

}  // namespace innoscope::config
