#include "base/json_check.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>

#include "base/json_scan.hpp"
#include "base/utf8.hpp"

namespace vigil {

std::string JsonProblem::Describe() const {
  if (member.empty()) return fmt::format("at column {}: {}", column, message);
  return fmt::format("at column {}, in member '{}': {}", column, member, message);
}

namespace {

// Recursive descent over the bytes; recursion is bounded by kMaxJsonDepth.
class Checker {
 public:
  explicit Checker(std::string_view text, JsonMemberVisitor visit = nullptr,
                   void* context = nullptr)
      : s_(text), visit_(visit), context_(context) {}

  bool stopped() const { return stopped_; }

  bool Run(JsonProblem* problem) {
    problem_ = problem;
    SkipWs();
    if (pos_ == s_.size()) return Fail("expected a JSON object, found the end of the line");
    if (s_[pos_] != '{') {
      if (s_.substr(pos_).starts_with("\xEF\xBB\xBF")) {
        return Fail("a byte-order mark, which only the start of a file may have");
      }
      return Fail(fmt::format("expected a JSON object, found {}", Found()));
    }
    if (!Object(1, true)) return false;  // the object is the first level
    SkipWs();
    if (pos_ != s_.size()) {
      return Fail(fmt::format("unexpected {} after the object (a line holds exactly one object)",
                              Found()));
    }
    return true;
  }

 private:
  bool Fail(std::string message) {
    problem_->offset = pos_;
    problem_->column = utf8::CountCodePoints(s_.substr(0, pos_)) + 1;
    problem_->member.assign(member_);
    problem_->message = std::move(message);
    return false;
  }

  // What is at pos_, for messages: ',' or the end of the line.
  std::string Found() const {
    if (pos_ >= s_.size()) return "the end of the line";
    auto c = static_cast<unsigned char>(s_[pos_]);
    if (c >= 0x20 && c < 0x7F) return fmt::format("'{}'", static_cast<char>(c));
    return fmt::format("byte 0x{:02X}", c);
  }

  void SkipWs() {
    const char* p = s_.data() + pos_;
    const char* end = s_.data() + s_.size();
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    pos_ = static_cast<size_t>(p - s_.data());
  }

  bool Value(size_t depth) {
    SkipWs();
    if (pos_ == s_.size()) return Fail("expected a value, found the end of the line");
    switch (s_[pos_]) {
      case '{': return Object(depth + 1, false);
      case '[': return Array(depth + 1);
      case '"': return String(nullptr);
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default:
        if (s_[pos_] == '-' || (s_[pos_] >= '0' && s_[pos_] <= '9')) return Number();
        return Fail(fmt::format("expected a value, found {}", Found()));
    }
  }

  bool Object(size_t depth, bool top) {
    if (depth > kMaxJsonDepth) {
      return Fail(fmt::format("nested deeper than {} levels", kMaxJsonDepth));
    }
    ++pos_;  // '{'
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipWs();
      if (pos_ == s_.size() || s_[pos_] != '"') {
        return Fail(fmt::format("expected a member name in double quotes, found {}", Found()));
      }
      std::string_view key;
      escaped_ = false;
      if (!String(&key)) return false;
      const bool key_escaped = escaped_;
      if (top) member_ = key.substr(0, 64);  // a view: nothing is allocated
      SkipWs();
      if (pos_ == s_.size() || s_[pos_] != ':') {
        return Fail(fmt::format("expected ':' after a member name, found {}", Found()));
      }
      ++pos_;
      if (top && visit_ != nullptr) {
        SkipWs();
        const size_t start = pos_;
        escaped_ = false;
        if (!Value(depth)) return false;
        JsonMemberText m;
        m.key = key;
        m.key_escaped = key_escaped;
        m.value = s_.substr(start, pos_ - start);
        m.value_escaped = escaped_;
        if (!visit_(context_, m)) {
          stopped_ = true;
          return false;
        }
      } else if (!Value(depth)) {
        return false;
      }
      if (top) member_ = {};
      SkipWs();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        SkipWs();
        if (pos_ < s_.size() && s_[pos_] == '}') {
          return Fail("a trailing comma before '}' (JSON has none)");
        }
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Fail(fmt::format("expected ',' or '}}' after a member, found {}", Found()));
    }
  }

  bool Array(size_t depth) {
    if (depth > kMaxJsonDepth) {
      return Fail(fmt::format("nested deeper than {} levels", kMaxJsonDepth));
    }
    ++pos_;  // '['
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipWs();
      if (pos_ < s_.size() && (s_[pos_] == ',' || s_[pos_] == ']')) {
        return Fail(fmt::format("expected a value, found {}", Found()));
      }
      if (!Value(depth)) return false;
      SkipWs();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        SkipWs();
        if (pos_ < s_.size() && s_[pos_] == ']') {
          return Fail("a trailing comma before ']' (JSON has none)");
        }
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return Fail(fmt::format("expected ',' or ']' in an array, found {}", Found()));
    }
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) {
      return Fail(fmt::format("expected a value, found {}", Found()));
    }
    pos_ += word.size();
    return Delimited();
  }

  // A number or literal must end at a delimiter: `truex`, `12a` are errors.
  bool Delimited() {
    if (pos_ == s_.size()) return true;
    switch (s_[pos_]) {
      case ' ': case '\t': case '\n': case '\r': case ',': case ']': case '}':
        return true;
      default:
        return Fail(fmt::format("unexpected {} after a value", Found()));
    }
  }

  bool Digits() {
    const char* p = s_.data() + pos_;
    const char* start = p;
    const char* end = s_.data() + s_.size();
    while (p < end && static_cast<unsigned char>(*p - '0') < 10) ++p;
    pos_ = static_cast<size_t>(p - s_.data());
    return p > start;
  }

  bool Number() {
    if (s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
      if (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        return Fail("a number with a leading zero");
      }
    } else if (!Digits()) {
      return Fail(fmt::format("expected a digit, found {}", Found()));
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!Digits()) return Fail(fmt::format("expected a digit after '.', found {}", Found()));
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!Digits()) return Fail(fmt::format("expected a digit in an exponent, found {}", Found()));
    }
    return Delimited();
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits at pos_ (after "\u"); -1 when malformed.
  long Hex4() {
    if (s_.size() - pos_ < 4) return -1;
    long v = 0;
    for (int k = 0; k < 4; ++k) {
      int h = Hex(s_[pos_ + static_cast<size_t>(k)]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    pos_ += 4;
    return v;
  }

  // A string at pos_ ('"'); `raw` (may be null) receives its text between the
  // quotes, escapes undecoded.
  bool String(std::string_view* raw) {
    const size_t open = pos_++;
    for (;;) {
      if (pos_ == s_.size()) {
        pos_ = open;
        return Fail("a string without its closing '\"'");
      }
      // The common case: a run of plain ASCII characters.
      const char* p = json_scan::FindStringStop(s_.data() + pos_, s_.data() + s_.size());
      pos_ = static_cast<size_t>(p - s_.data());
      if (pos_ == s_.size()) continue;
      auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        if (raw != nullptr) *raw = s_.substr(open + 1, pos_ - open - 1);
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail(fmt::format("a raw control character (byte 0x{:02X}) in a string; "
                                            "write it as an escape such as \\n",
                                            c));
      if (c == '\\') {
        escaped_ = true;
        if (!Escape()) return false;
        continue;
      }
      if (c < 0x80) {
        ++pos_;
        continue;
      }
      // One UTF-8 sequence.
      size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (len == 0 || s_.size() - pos_ < len ||
          utf8::FindInvalid(s_.substr(pos_, len)) != std::string_view::npos) {
        return Fail(fmt::format("invalid UTF-8 (byte 0x{:02X}) in a string", c));
      }
      pos_ += len;
    }
  }

  bool Escape() {
    const size_t at = pos_;
    if (pos_ + 1 >= s_.size()) return Fail("a string without its closing '\"'");
    char e = s_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return true;
      case 'u': {
        long cp = Hex4();
        if (cp < 0) {
          pos_ = at;
          return Fail("a \\u escape needs four hex digits");
        }
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
          pos_ = at;
          return Fail("a \\u escape of a low surrogate without a high one before it");
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          long low = -1;
          if (s_.size() - pos_ >= 2 && s_[pos_] == '\\' && s_[pos_ + 1] == 'u') {
            pos_ += 2;
            low = Hex4();
          }
          if (low < 0xDC00 || low > 0xDFFF) {
            pos_ = at;
            return Fail("a \\u escape of a high surrogate without a low one after it");
          }
        }
        return true;
      }
      default:
        pos_ = at;
        return Fail(e >= 0x20 && e < 0x7F
                        ? fmt::format("unknown escape '\\{}' in a string", e)
                        : std::string("unknown escape in a string"));
    }
  }

  std::string_view s_;
  JsonMemberVisitor visit_ = nullptr;
  void* context_ = nullptr;
  bool escaped_ = false;  // a string read since it was last cleared held an escape
  bool stopped_ = false;  // the visitor returned false
  size_t pos_ = 0;
  std::string_view member_;  // the top-level member being read (escapes undecoded)
  JsonProblem* problem_ = nullptr;
};

}  // namespace

bool CheckJsonObject(std::string_view text, JsonProblem* problem) {
  return Checker(text).Run(problem);
}

bool CheckJsonObject(std::string_view text, JsonProblem* problem, JsonMemberVisitor visit,
                     void* context) {
  Checker checker(text, visit, context);
  if (checker.Run(problem)) return true;
  if (checker.stopped()) *problem = JsonProblem{};
  return false;
}

}  // namespace vigil
