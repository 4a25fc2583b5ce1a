#include "base/json_value.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "base/json_writer.hpp"
#include "base/utf8.hpp"

namespace vigil::json {

const char* TypeName(Type t) {
  switch (t) {
    case Type::kNull: return "null";
    case Type::kBool: return "a boolean";
    case Type::kNumber: return "a number";
    case Type::kString: return "a string";
    case Type::kArray: return "an array";
    case Type::kObject: return "an object";
    case Type::kRaw: return "a JSON value";
  }
  return "a value";
}

Value Value::Bool(bool b) {
  Value v;
  v.type_ = Type::kBool;
  v.b_ = b;
  return v;
}

Value Value::Number(std::string text) {
  Value v;
  v.type_ = Type::kNumber;
  v.text_ = std::move(text);
  return v;
}

Value Value::Int(int64_t i) { return Number(std::to_string(i)); }

Value Value::String(std::string s) {
  Value v;
  v.type_ = Type::kString;
  v.text_ = std::move(s);
  return v;
}

Value Value::Array() {
  Value v;
  v.type_ = Type::kArray;
  return v;
}

Value Value::Object() {
  Value v;
  v.type_ = Type::kObject;
  return v;
}

Value Value::Raw(const Value& of) {
  Value v;
  v.type_ = Type::kRaw;
  Write(of, v.text_);
  v.text_.shrink_to_fit();
  return v;
}

Value Value::RawText(std::string compact) {
  Value v;
  v.type_ = Type::kRaw;
  v.text_ = std::move(compact);
  return v;
}

std::optional<int64_t> Value::AsInt() const {
  if (type_ != Type::kNumber) return std::nullopt;
  int64_t i = 0;
  const char* end = text_.data() + text_.size();
  auto [ptr, ec] = std::from_chars(text_.data(), end, i);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return i;
}

const Value* Value::Find(std::string_view key) const {
  for (const auto& [k, v] : members_) {
    if (k == key) return &v;
  }
  return nullptr;
}

Value& Value::Push(Value v) {
  items_.push_back(std::move(v));
  return items_.back();
}

Value& Value::Set(std::string key, Value v) {
  members_.emplace_back(std::move(key), std::move(v));
  return members_.back().second;
}

bool Value::operator==(const Value& o) const {
  return type_ == o.type_ && b_ == o.b_ && text_ == o.text_ && items_ == o.items_ &&
         members_ == o.members_;
}

namespace {

// Parses into a tree, or with a null `out` only checks ("skips") a value:
// the same grammar, the same messages at the same places, no allocation
// once its key lists have grown. Skipping also finds whether the text
// is exactly what Write would give (`canonical_`), so that a member kept raw
// (ParseOptions::raw) can keep its text as it is.
class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options, ParseError* error)
      : s_(text), options_(options), error_(error) {}

  bool Run(Value* out) {
    SkipSpace();
    if (!ParseValue(out, 0)) return false;
    SkipSpace();
    if (pos_ != s_.size()) return Fail(fmt::format("expected the end of the input after the value, "
                                                   "found {}", Found()));
    return true;
  }

 private:
  bool Fail(std::string message) {
    if (error_ != nullptr) {
      error_->line = 1;
      error_->column = 1;
      for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
        if (s_[i] == '\n') {
          ++error_->line;
          error_->column = 1;
        } else {
          ++error_->column;
        }
      }
      error_->message = std::move(message);
    }
    return false;
  }

  // What is at the current position, for messages.
  std::string Found() const {
    if (pos_ >= s_.size()) return "the end of the input";
    auto c = static_cast<unsigned char>(s_[pos_]);
    if (c < 0x20 || c >= 0x7f) return fmt::format("byte 0x{:02x}", c);
    return fmt::format("'{}'", s_[pos_]);
  }

  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      canonical_ = false;  // Write puts no space between tokens
      ++pos_;
    }
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) {
      return Fail(fmt::format("expected a JSON value, found {}", Found()));
    }
    pos_ += word.size();
    return true;
  }

  bool ParseValue(Value* out, size_t depth) {
    if (pos_ >= s_.size()) return Fail("expected a JSON value, found the end of the input");
    switch (s_[pos_]) {
      case '{': return ParseObject(out, depth + 1);
      case '[': return ParseArray(out, depth + 1);
      case '"': {
        if (out == nullptr) {
          Discard nothing;
          return ParseString(&nothing);
        }
        std::string s;
        if (!ParseString(&s)) return false;
        *out = Value::String(std::move(s));
        return true;
      }
      case 't':
        if (out != nullptr) *out = Value::Bool(true);
        return Literal("true");
      case 'f':
        if (out != nullptr) *out = Value::Bool(false);
        return Literal("false");
      case 'n':
        if (out != nullptr) *out = Value::Null();
        return Literal("null");
      default:
        if (s_[pos_] == '-' || (s_[pos_] >= '0' && s_[pos_] <= '9')) return ParseNumber(out);
        return Fail(fmt::format("expected a JSON value, found {}", Found()));
    }
  }

  bool Digits() {
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool ParseNumber(Value* out) {
    const size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
      if (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        return Fail("a number cannot start with 0 followed by digits");
      }
    } else if (!Digits()) {
      return Fail(fmt::format("expected digits in a number, found {}", Found()));
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!Digits()) return Fail(fmt::format("expected digits after '.', found {}", Found()));
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!Digits()) return Fail(fmt::format("expected digits in an exponent, found {}", Found()));
    }
    if (out != nullptr) *out = Value::Number(std::string(s_.substr(start, pos_ - start)));
    return true;
  }

  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return Fail("expected four hex digits after '\\u'");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_ + i];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        pos_ += i;
        return Fail("expected four hex digits after '\\u'");
      }
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  // Where a skipped string's content goes: nowhere.
  struct Discard {
    void append(std::string_view) {}
    void append(const char*, size_t) {}
    Discard& operator+=(char) { return *this; }
  };

  // Whether Write escapes the character `cp` as `\e` (with `e` the escape's
  // letter, and for 'u' `hex` its four digits as written).
  static bool WriteEscapes(char e, uint32_t cp, std::string_view hex) {
    switch (e) {
      case '"': case '\\': case 'n': case 'r': case 't': return true;
      case 'u':
        return cp < 0x20 && cp != '\n' && cp != '\r' && cp != '\t' &&
               hex.find_first_of("ABCDEF") == std::string_view::npos;
      default: return false;  // '/', 'b', 'f': Write writes "/", "\u0008", "\u000c"
    }
  }

  // Decodes a string into `out` (appending; Discard to only check it).
  // Clears `canonical_` when Write would escape it differently.
  template <typename Out>
  bool ParseString(Out* out) {
    ++pos_;  // the opening quote
    for (;;) {
      if (pos_ >= s_.size()) return Fail("unterminated string");
      auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') break;
      if (c < 0x20) return Fail(fmt::format("a control character (0x{:02x}) inside a string; "
                                            "write it as an escape", c));
      if (c != '\\') {
        size_t run = pos_;
        // Eight bytes at a time while none is a quote, a backslash, a
        // control or a non-ASCII byte (a false alarm only ends this early).
        constexpr uint64_t k01 = 0x0101010101010101ULL, k80 = 0x8080808080808080ULL;
        while (run + 8 <= s_.size()) {
          uint64_t x = 0;
          std::memcpy(&x, s_.data() + run, 8);
          const uint64_t quote = x ^ (k01 * '"'), backslash = x ^ (k01 * '\\');
          if ((((quote - k01) | (backslash - k01) | (x - k01 * 0x20) | x) & k80) != 0) break;
          run += 8;
        }
        unsigned char high = 0;  // ASCII runs (most) need no UTF-8 check
        while (run < s_.size() && s_[run] != '"' && s_[run] != '\\' &&
               static_cast<unsigned char>(s_[run]) >= 0x20) {
          high |= static_cast<unsigned char>(s_[run]);
          ++run;
        }
        std::string_view chunk = s_.substr(pos_, run - pos_);
        size_t bad = high < 0x80 ? std::string_view::npos : utf8::FindInvalid(chunk);
        if (bad != std::string_view::npos) {
          pos_ += bad;
          return Fail("invalid UTF-8 inside a string");
        }
        out->append(chunk);
        pos_ = run;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) return Fail("unterminated string");
      char e = s_[pos_++];
      if (e != 'u' && !WriteEscapes(e, 0, {})) canonical_ = false;
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) return false;
          if (!WriteEscapes('u', cp, s_.substr(pos_ - 4, 4))) canonical_ = false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("a lone low surrogate in a \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (s_.substr(pos_, 2) != "\\u") return Fail("a high surrogate without its low half");
            pos_ += 2;
            if (!Hex4(&low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return Fail("a high surrogate without its low half");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          char buf[4];
          out->append(buf, static_cast<size_t>(utf8::Encode(static_cast<char32_t>(cp), buf)));
          break;
        }
        default:
          --pos_;
          return Fail(fmt::format("unknown escape '\\{}' in a string", e));
      }
    }
    ++pos_;  // the closing quote
    return true;
  }

  bool Enter(size_t depth) {
    if (depth > options_.max_depth) {
      return Fail(fmt::format("nested deeper than {} arrays and objects", options_.max_depth));
    }
    return true;
  }

  bool ParseArray(Value* out, size_t depth) {
    if (!Enter(depth)) return false;
    if (out != nullptr) *out = Value::Array();
    ++pos_;
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (out != nullptr) {
        Value item;
        path_.push_back("[]");
        const bool ok = ParseMemberValue(&item, depth);
        path_.pop_back();
        if (!ok) return false;
        out->Push(std::move(item));
      } else if (!ParseValue(nullptr, depth)) {
        return false;
      }
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        SkipSpace();
        if (pos_ < s_.size() && s_[pos_] == ']') return Fail("a trailing ',' before ']'");
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return Fail(fmt::format("expected ',' or ']' after an array item, found {}", Found()));
    }
  }

  // The member names of the objects being skipped, one list per depth,
  // reused (so that "appears twice" is found without allocating).
  std::vector<std::string>& SkippedKeys(size_t depth) {
    if (keys_.size() <= depth) keys_.resize(options_.max_depth + 2);
    return keys_[depth];
  }

  bool ParseObject(Value* out, size_t depth) {
    if (!Enter(depth)) return false;
    if (out != nullptr) *out = Value::Object();
    ++pos_;
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    std::vector<std::string>* seen = out == nullptr ? &SkippedKeys(depth) : nullptr;
    size_t seen_count = 0;
    for (;;) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"') {
        return Fail(fmt::format("expected a member name in quotes, found {}", Found()));
      }
      const size_t key_pos = pos_;
      std::string key;
      std::string* k = &key;
      if (seen != nullptr) {
        if (seen_count == seen->size()) seen->emplace_back();
        k = &(*seen)[seen_count];
        k->clear();
        if (!ParseString(k)) return false;
      } else if (!ParseString(k)) {
        return false;
      }
      bool twice = false;
      if (seen != nullptr) {
        for (size_t i = 0; i < seen_count && !twice; ++i) twice = (*seen)[i] == *k;
        ++seen_count;
      } else {
        twice = out->Find(key) != nullptr;
      }
      if (twice) {
        pos_ = key_pos;
        return Fail(fmt::format("member \"{}\" appears twice", *k));
      }
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != ':') {
        return Fail(fmt::format("expected ':' after a member name, found {}", Found()));
      }
      ++pos_;
      SkipSpace();
      if (out != nullptr) {
        Value v;
        path_.push_back(key);
        const bool ok = ParseMemberValue(&v, depth);
        path_.pop_back();
        if (!ok) return false;
        out->Set(std::move(key), std::move(v));
      } else if (!ParseValue(nullptr, depth)) {
        return false;
      }
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        SkipSpace();
        if (pos_ < s_.size() && s_[pos_] == '}') return Fail("a trailing ',' before '}'");
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Fail(fmt::format("expected ',' or '}}' after a member, found {}", Found()));
    }
  }

  // A member's value or an array's item (its path on path_): a tree, or
  // raw text when ParseOptions::raw names the path.
  bool ParseMemberValue(Value* out, size_t depth) {
    if (!IsRawPath()) return ParseValue(out, depth);
    const size_t start = pos_;
    canonical_ = true;
    if (!ParseValue(nullptr, depth)) return false;
    std::string_view text = s_.substr(start, pos_ - start);
    if (canonical_) {
      *out = Value::RawText(std::string(text));
      return true;
    }
    // Checked already: parsed again as a tree only to be written as Write
    // writes it.
    Value tree;
    ParseOptions plain;
    plain.max_depth = options_.max_depth;
    Parser again(text, plain, nullptr);
    if (!again.Run(&tree)) return Fail("internal error: a checked value did not parse again");
    *out = Value::Raw(tree);
    return true;
  }

  bool IsRawPath() const {
    for (const RawPath& raw : options_.raw) {
      if (raw.size() == path_.size() && std::equal(raw.begin(), raw.end(), path_.begin())) {
        return true;
      }
    }
    return false;
  }

  std::string_view s_;
  const ParseOptions& options_;
  ParseError* error_;
  size_t pos_ = 0;
  bool canonical_ = true;   // what was skipped since it was set is Write's text
  std::vector<std::string_view> path_;     // member names ("[]" for items) to the value
  std::vector<std::vector<std::string>> keys_;  // SkippedKeys
};

bool IsScalar(const Value& v) {
  return (v.type() != Type::kArray && v.type() != Type::kObject) ||
         (v.is_array() && v.items().empty()) || (v.is_object() && v.members().empty());
}

void WriteIndented(const Value& v, int indent, const std::vector<std::string_view>& compact,
                   std::string& out) {
  switch (v.type()) {
    case Type::kArray: {
      bool flat = true;
      for (const Value& item : v.items()) flat = flat && IsScalar(item);
      if (flat) {
        Write(v, out);
        return;
      }
      out += "[\n";
      for (size_t i = 0; i < v.items().size(); ++i) {
        out.append(static_cast<size_t>(indent + 2), ' ');
        WriteIndented(v.items()[i], indent + 2, compact, out);
        out += i + 1 < v.items().size() ? ",\n" : "\n";
      }
      out.append(static_cast<size_t>(indent), ' ');
      out += ']';
      return;
    }
    case Type::kObject: {
      if (v.members().empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      for (size_t i = 0; i < v.members().size(); ++i) {
        out.append(static_cast<size_t>(indent + 2), ' ');
        const std::string& key = v.members()[i].first;
        AppendJsonString(key, out);
        out += ": ";
        if (std::find(compact.begin(), compact.end(), key) != compact.end()) {
          Write(v.members()[i].second, out);
        } else {
          WriteIndented(v.members()[i].second, indent + 2, compact, out);
        }
        out += i + 1 < v.members().size() ? ",\n" : "\n";
      }
      out.append(static_cast<size_t>(indent), ' ');
      out += '}';
      return;
    }
    default:
      Write(v, out);
  }
}

}  // namespace

bool Parse(std::string_view text, Value* out, ParseError* error, const ParseOptions& options) {
  Parser p(text, options, error);
  Value v;
  if (!p.Run(&v)) return false;
  *out = std::move(v);
  return true;
}

void Write(const Value& v, std::string& out) {
  switch (v.type()) {
    case Type::kNull: out += "null"; return;
    case Type::kBool: out += v.boolean() ? "true" : "false"; return;
    case Type::kNumber: out += v.text(); return;
    case Type::kRaw: out += v.text(); return;
    case Type::kString: AppendJsonString(v.text(), out); return;
    case Type::kArray:
      out += '[';
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i > 0) out += ',';
        Write(v.items()[i], out);
      }
      out += ']';
      return;
    case Type::kObject:
      out += '{';
      for (size_t i = 0; i < v.members().size(); ++i) {
        if (i > 0) out += ',';
        AppendJsonString(v.members()[i].first, out);
        out += ':';
        Write(v.members()[i].second, out);
      }
      out += '}';
      return;
  }
}

void WritePretty(const Value& v, std::string& out,
                 const std::vector<std::string_view>& compact) {
  WriteIndented(v, 0, compact, out);
}

}  // namespace vigil::json
