#include "format/formatter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <vector>

#include "syntax/parse.hpp"
#include "syntax/tokens.hpp"

namespace vigil::format {

namespace {

using syntax::LexToken;

bool Is(const LexToken& t, std::string_view kind) { return t.kind == kind; }

// Words that start a declaration at the top level.
const std::set<std::string_view> kTopLevel = {
    "RULESET", "USES", "SCHEMA", "CONST", "LIST", "PARAM", "LET",
    "RULE", "TEST", "IMPORT", "OVERRIDE", "DECISIONS", "REVERSAL"};
// Clauses of a rule, and of a test step.
const std::set<std::string_view> kRuleClauses = {"TITLE", "SEVERITY", "TAGS", "MODE", "WHEN",
                                                 "THEN"};
// Header clauses line their values up: `title    "..."`, `severity high`.
const std::set<std::string_view> kHeaderClauses = {"TITLE", "SEVERITY", "TAGS", "MODE"};
constexpr size_t kHeaderWidth = 9;  // "severity" and a space
// Tokens after which a `-` is a sign, and a `{` opens a set.
const std::set<std::string_view> kOperators = {
    "EQ", "NE", "LE", "GE", "LT", "GT", "ASSIGN", "PLUS", "MINUS", "STAR", "SLASH", "PERCENT",
    "LPAREN", "COMMA", "COLON", "LBRACE", "AND", "OR", "NOT", "IN", "MATCHES", "WHEN", "THEN",
    "SCORE", "REPEAT", "EVERY"};

struct Line {
  std::vector<LexToken> tokens;  // code tokens
  std::string_view comment;      // a trailing or whole-line comment
  bool blank_before = false;
};

enum class Bracket : uint8_t { kBlock, kInlineBrace, kSet, kParen };

struct Open {
  Bracket kind;
  size_t align = 0;              // column for continuation lines (inline kinds)
  std::string_view block;        // for kBlock: the first word of the line that opened it
};

struct Rendered {
  std::string code;
  std::string_view comment;
  bool blank_before = false;
  size_t indent = 0;
};

class Formatter {
 public:
  std::string Run(const std::vector<LexToken>& tokens) {
    SplitLines(tokens);
    std::vector<Rendered> out;
    for (size_t i = 0; i < lines_.size(); ++i) out.push_back(RenderLine(lines_[i]));
    return Assemble(out);
  }

 private:
  void SplitLines(const std::vector<LexToken>& tokens) {
    Line cur;
    int pending_newlines = 0;
    bool started = false;
    for (const LexToken& t : tokens) {
      if (Is(t, "WS")) {
        int nl = static_cast<int>(std::count(t.text.begin(), t.text.end(), '\n'));
        if (nl > 0 && (!cur.tokens.empty() || !cur.comment.empty())) {
          lines_.push_back(cur);
          cur = Line();
        }
        pending_newlines += nl;
        continue;
      }
      if (cur.tokens.empty() && cur.comment.empty()) {
        cur.blank_before = started && pending_newlines >= 2;
        pending_newlines = 0;
        started = true;
      }
      if (Is(t, "LINE_COMMENT")) {
        cur.comment = t.text;
        while (!cur.comment.empty() && (cur.comment.back() == ' ' || cur.comment.back() == '\t' ||
                                        cur.comment.back() == '\r')) {
          cur.comment.remove_suffix(1);
        }
        continue;
      }
      cur.tokens.push_back(t);
    }
    if (!cur.tokens.empty() || !cur.comment.empty()) lines_.push_back(cur);
  }

  size_t BlockDepth() const {
    size_t d = 0;
    for (const Open& o : stack_) d += o.kind == Bracket::kBlock ? 1 : 0;
    return d;
  }
  const Open* InnermostBlock() const {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->kind == Bracket::kBlock) return &*it;
    }
    return nullptr;
  }

  size_t Indent(const Line& line) {
    if (!stack_.empty() && stack_.back().kind != Bracket::kBlock) {
      // Inside a bracket opened on an earlier line: align just inside it.
      return stack_.back().align;
    }
    const std::string_view first = line.tokens.empty() ? std::string_view() : line.tokens[0].kind;
    size_t depth = BlockDepth();
    if (first == "RBRACE" && depth > 0) --depth;
    const size_t base = 2 * depth;
    const Open* block = InnermostBlock();
    if (block == nullptr) {
      if (line.tokens.empty() || kTopLevel.count(first) > 0) return 0;
      return 4;  // a declaration continued on the next line
    }
    if (first == "RBRACE") return base;
    if (block->block == "RULE" || block->block == "OVERRIDE") {
      if (line.tokens.empty()) return base;
      if (kRuleClauses.count(first) > 0) {
        clause_ = first;
        clause_indent_ = base;
        clause_width_ = kHeaderClauses.count(first) > 0 ? kHeaderWidth
                                                        : line.tokens[0].text.size() + 1;
        return base;
      }
      if (clause_ == "WHEN" && (first == "AND" || first == "OR")) return base + 1;
      return base + clause_width_;
    }
    if (block->block == "TEST") {
      if (line.tokens.empty()) return base;
      if (first == "EVENT") {
        clause_ = first;
        clause_width_ = 0;
        return base;
      }
      if (first == "REPEAT" || first == "EXPECT") {
        clause_ = first;
        clause_indent_ = base + 2;
        clause_width_ = line.tokens[0].text.size() + 1;
        return base + 2;
      }
      return clause_indent_ + clause_width_;
    }
    return base;
  }

  // Whether a space goes between tokens a and b on one line.
  bool Space(const LexToken* before_a, const LexToken& a, const LexToken& b) {
    std::string_view x = a.kind, y = b.kind;
    if (in_type_ > 0 || (x == "SET" && y == "LT")) return false;  // set<string>
    if (y == "COMMA" || y == "RPAREN" || y == "COLON" || y == "DOT") return false;
    if (x == "LPAREN" || x == "DOT" || x == "AT") return false;
    if (y == "LPAREN") return !(x == "ID" || (kOperators.count(x) == 0 && x != "RPAREN" &&
                                              x != "STRING" && x != "INT"));
    if (x == "MINUS" && (before_a == nullptr || kOperators.count(before_a->kind) > 0)) {
      return false;  // a sign
    }
    if (x == "LBRACE" && !stack_.empty() && stack_.back().kind == Bracket::kSet) return false;
    if (y == "RBRACE" && !stack_.empty() && stack_.back().kind == Bracket::kSet) return false;
    return true;
  }

  Rendered RenderLine(const Line& line) {
    Rendered r;
    r.blank_before = line.blank_before;
    r.comment = line.comment;
    r.indent = Indent(line);
    std::string& s = r.code;
    const LexToken* prev = nullptr;
    const LexToken* prev2 = nullptr;
    const bool header = !line.tokens.empty() && kHeaderClauses.count(line.tokens[0].kind) > 0 &&
                        InnermostBlock() != nullptr && InnermostBlock()->block == "RULE";
    for (size_t i = 0; i < line.tokens.size(); ++i) {
      const LexToken& t = line.tokens[i];
      if (i == 1 && header) {
        s.resize(std::max(s.size() + 1, kHeaderWidth), ' ');
      } else if (prev != nullptr && Space(prev2, *prev, t)) {
        s += ' ';
      }
      // Closing brackets pop before the token is placed.
      if ((Is(t, "RPAREN") || Is(t, "RBRACE")) && !stack_.empty()) {
        stack_.pop_back();
      }
      if (Is(t, "GT") && in_type_ > 0) --in_type_;
      s.append(t.text);
      if (Is(t, "LT") && prev != nullptr && Is(*prev, "SET")) ++in_type_;
      const size_t col = r.indent + s.size();
      if (Is(t, "LPAREN")) {
        stack_.push_back(Open{Bracket::kParen, col, {}});
      } else if (Is(t, "LBRACE")) {
        const bool last = i + 1 == line.tokens.size();
        const bool set = prev != nullptr && (kOperators.count(prev->kind) > 0 &&
                                             !Is(*prev, "WHEN") && !Is(*prev, "THEN"));
        if (set) {
          stack_.push_back(Open{Bracket::kSet, col, {}});
        } else if (last) {
          stack_.push_back(Open{Bracket::kBlock, 0, line.tokens[0].kind});
        } else {
          stack_.push_back(Open{Bracket::kInlineBrace, col + 1, {}});
        }
      }
      prev2 = prev;
      prev = &t;
    }
    return r;
  }

  static std::string Assemble(const std::vector<Rendered>& lines) {
    // Trailing comments: aligned over runs of consecutive lines that have one.
    std::vector<size_t> comment_col(lines.size(), 0);
    for (size_t i = 0; i < lines.size();) {
      if (lines[i].code.empty() || lines[i].comment.empty()) {
        ++i;
        continue;
      }
      size_t j = i, width = 0;
      while (j < lines.size() && !lines[j].code.empty() && !lines[j].comment.empty() &&
             (j == i || !lines[j].blank_before)) {
        width = std::max(width, lines[j].indent + lines[j].code.size());
        ++j;
      }
      for (size_t k = i; k < j; ++k) comment_col[k] = width + 2;
      i = j;
    }
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
      const Rendered& l = lines[i];
      const bool after_open = i > 0 && !lines[i - 1].code.empty() && lines[i - 1].code.back() == '{';
      const bool closing = l.code.starts_with("}");
      if (l.blank_before && i > 0 && !after_open && !closing) out += '\n';
      std::string text(l.indent, ' ');
      text += l.code;
      if (!l.comment.empty()) {
        if (!l.code.empty()) text.resize(std::max(text.size() + 2, comment_col[i]), ' ');
        text += l.comment;
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out += text;
      out += '\n';
    }
    return out;
  }

  std::vector<Line> lines_;
  std::vector<Open> stack_;
  std::string_view clause_;
  size_t clause_indent_ = 0;
  size_t clause_width_ = 0;
  int in_type_ = 0;
};

}  // namespace

namespace {

std::string_view TrimTrailingBlanks(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The formatter's promise, checked before anything is written: its output
// reads back to the same tokens as its input (comments with their trailing
// blanks dropped), so that formatting can change the layout and nothing else.
// Returns the index of the first input token that differs (the number of
// input tokens when the output has more), or -1.
long FirstChangedIndex(const std::vector<LexToken>& before, const std::vector<LexToken>& after) {
  size_t i = 0, j = 0;
  auto skip_ws = [](const std::vector<LexToken>& v, size_t& k) {
    while (k < v.size() && Is(v[k], "WS")) ++k;
  };
  for (;;) {
    skip_ws(before, i);
    skip_ws(after, j);
    if (i == before.size() || j == after.size()) {
      if (i == before.size() && j == after.size()) return -1;
      return static_cast<long>(i);
    }
    const LexToken& a = before[i];
    const LexToken& b = after[j];
    const bool comment = Is(a, "LINE_COMMENT");
    if (a.kind != b.kind ||
        (comment ? TrimTrailingBlanks(a.text) != TrimTrailingBlanks(b.text) : a.text != b.text)) {
      return static_cast<long>(i);
    }
    ++i;
    ++j;
  }
}

}  // namespace

long FirstChangedToken(std::string_view before, std::string_view after) {
  const std::vector<LexToken> a = syntax::Tokenize(before);
  const long i = FirstChangedIndex(a, syntax::Tokenize(after));
  if (i < 0) return -1;
  if (static_cast<size_t>(i) == a.size()) return static_cast<long>(before.size());
  return static_cast<long>(a[static_cast<size_t>(i)].text.data() - before.data());
}

std::optional<std::string> Format(const SourceManager& sources, uint32_t file_id,
                                  DiagSink& diags) {
  if (!syntax::ParseFile(sources, file_id, diags)) return std::nullopt;
  if (diags.has_errors()) return std::nullopt;
  const std::string_view text = sources.file(file_id).text();
  const std::vector<LexToken> before = syntax::Tokenize(text);
  std::string out = Formatter().Run(before);
  const long changed = FirstChangedIndex(before, syntax::Tokenize(out));
  if (changed >= 0) {
    auto at = static_cast<uint32_t>(text.size()), end = at;  // the output has more tokens
    if (static_cast<size_t>(changed) < before.size()) {
      const LexToken& t = before[static_cast<size_t>(changed)];
      at = static_cast<uint32_t>(t.text.data() - text.data());
      end = at + static_cast<uint32_t>(t.text.size());
    }
    diags.Error(DiagCode::kFormatChangesTokens, SourceRange{file_id, at, end},
                "formatting would change the tokens of the file from here on, not only its "
                "layout; the file is left as it is",
                "this is a bug in vigil fmt: please report it with the file");
    return std::nullopt;
  }
  return out;
}

std::string Diff(const std::string& path, const std::string& before, const std::string& after) {
  auto split = [](const std::string& s) {
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < s.size()) {
      size_t nl = s.find('\n', start);
      if (nl == std::string::npos) nl = s.size();
      lines.push_back(std::string_view(s).substr(start, nl - start));
      start = nl + 1;
    }
    return lines;
  };
  std::vector<std::string_view> a = split(before), b = split(after);
  // Trim the common head and tail, then a longest common subsequence of the
  // middle (small in practice: formatting changes are local).
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) {
    ++tail;
  }
  const size_t n = a.size() - head - tail, m = b.size() - head - tail;
  std::string out = fmt::format("--- {}\n+++ {} (formatted)\n", path, path);
  if (n == 0 && m == 0) return out;
  std::vector<std::pair<char, std::string_view>> ops;
  if (n * m <= 4000000) {
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1
                                              : std::max(at(i + 1, j), at(i, j + 1));
      }
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[head + i] == b[head + j]) {
        ops.push_back({' ', a[head + i]});
        ++i, ++j;
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        ops.push_back({'-', a[head + i++]});  // removals before additions
      } else {
        ops.push_back({'+', b[head + j++]});
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) ops.push_back({'-', a[head + i]});
    for (size_t j = 0; j < m; ++j) ops.push_back({'+', b[head + j]});
  }
  // Hunks: each change with up to three unchanged lines around it.
  constexpr size_t kContext = 3;
  std::vector<bool> keep(ops.size(), false);
  for (size_t k = 0; k < ops.size(); ++k) {
    if (ops[k].first == ' ') continue;
    for (size_t c = k >= kContext ? k - kContext : 0; c < std::min(ops.size(), k + kContext + 1); ++c) {
      keep[c] = true;
    }
  }
  size_t old_line = head + 1, new_line = head + 1;
  for (size_t k = 0; k < ops.size();) {
    if (!keep[k]) {
      old_line += ops[k].first != '+';
      new_line += ops[k].first != '-';
      ++k;
      continue;
    }
    size_t end = k;
    size_t old_count = 0, new_count = 0;
    while (end < ops.size() && keep[end]) {
      old_count += ops[end].first != '+';
      new_count += ops[end].first != '-';
      ++end;
    }
    out += fmt::format("@@ -{},{} +{},{} @@\n", old_line, old_count, new_line, new_count);
    for (; k < end; ++k) out += fmt::format("{}{}\n", ops[k].first, ops[k].second);
    old_line += old_count;
    new_line += new_count;
  }
  return out;
}

}  // namespace vigil::format
