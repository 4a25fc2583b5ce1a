// The shape of the last object of a stream, to read the next one fast.
//
// Events of one stream are nearly always written by one program: the same
// members in the same order, without whitespace. A JsonShape holds those
// member names (`"txn_id":`, `"ts":`, ...) and Lex reads an object that has
// exactly them, in that order, written compactly, comparing each name as a
// block of bytes instead of scanning it and looking it up.
//
// Lex is a fast path, not a second JSON reader: it accepts only what
// CheckJsonObject (base/json_check.hpp) accepts, hands over exactly the
// JsonMemberText values the check's visitor would get, and gives up (false)
// on anything else: another member or order, whitespace between tokens, an
// escape or control character in a string, a nested object or array. The
// caller then reads the object with CheckJsonObject, which words any error.
// tests/unit/base/json_shape_test.cpp holds it to that on mutated lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/json_check.hpp"
#include "base/json_scan.hpp"
#include "base/utf8.hpp"

namespace vigil {

class JsonShape {
 public:
  void Clear() {
    tokens_.clear();
    ends_.clear();
  }
  // Appends a member name (as written between its quotes, without escapes).
  void Add(std::string_view key) {
    tokens_ += '"';
    tokens_ += key;
    tokens_ += "\":";
    ends_.push_back(static_cast<uint32_t>(tokens_.size()));
  }
  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  // The name of member i, as Add was given it.
  std::string_view key(size_t i) const {
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(tokens_).substr(begin + 1, ends_[i] - begin - 3);
  }

  // Reads `text` as an object with exactly these members in this order,
  // calling visit(i, member) for member i once its value is read. False when
  // the text is not of this shape or a visit returned false; true means the
  // whole text is valid JSON (CheckJsonObject would accept it).
  template <class Visit>
  bool Lex(std::string_view text, Visit&& visit) const {
    const char* p = text.data();
    const char* const end = p + text.size();
    if (ends_.empty() || p == end || *p != '{') return false;
    ++p;
    const char* token = tokens_.data();
    for (size_t i = 0; i < ends_.size(); ++i) {
      const char* const token_end = tokens_.data() + ends_[i];
      const size_t n = static_cast<size_t>(token_end - token);
      if (static_cast<size_t>(end - p) < n || !SameBytes(p, token, n)) return false;
      JsonMemberText member;
      member.key = std::string_view(p + 1, n - 3);
      p += n;
      token = token_end;
      const char* const value = p;
      if (!Value(p, end, &member.value_escaped)) return false;
      member.value = std::string_view(value, static_cast<size_t>(p - value));
      // A compact object: the value ends at ',' before the next member or
      // at the '}' after the last.
      if (p == end || *p != (i + 1 < ends_.size() ? ',' : '}')) return false;
      ++p;
      if (!visit(i, static_cast<const JsonMemberText&>(member))) return false;
    }
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    return p == end;
  }

 private:
  // One scalar value at p, as json_check's grammar has it; p moves past it.
  static bool Value(const char*& p, const char* end, bool* escaped) {
    if (p == end) return false;
    switch (*p) {
      case '"': return String(p, end, escaped);
      case 't': return Word(p, end, "true");
      case 'f': return Word(p, end, "false");
      case 'n': return Word(p, end, "null");
      default: return Number(p, end);
    }
  }

  static bool Word(const char*& p, const char* end, std::string_view word) {
    if (static_cast<size_t>(end - p) < word.size() || !SameBytes(p, word.data(), word.size())) {
      return false;
    }
    p += word.size();
    return true;  // the caller checks the delimiter
  }

  static bool Digits(const char*& p, const char* end) {
    const char* start = p;
    while (p < end && static_cast<unsigned char>(*p - '0') < 10) ++p;
    return p > start;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  static bool Number(const char*& p, const char* end) {
    if (*p == '-') ++p;
    if (p == end) return false;
    if (*p == '0') {
      ++p;
    } else if (!Digits(p, end)) {
      return false;
    }
    if (p < end && *p == '.') {
      ++p;
      if (!Digits(p, end)) return false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
      ++p;
      if (p < end && (*p == '+' || *p == '-')) ++p;
      if (!Digits(p, end)) return false;
    }
    return true;  // a leading zero followed by a digit fails the delimiter check
  }

  // A string without escapes or control characters; valid UTF-8 passes.
  static bool String(const char*& p, const char* end, bool* escaped) {
    *escaped = false;
    ++p;  // '"'
    for (;;) {
      p = json_scan::FindStringStop(p, end);
      if (p == end) return false;
      const auto c = static_cast<unsigned char>(*p);
      if (c == '"') {
        ++p;
        return true;
      }
      if (c < 0x80) return false;  // an escape or a control character
      const size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (len == 0 || static_cast<size_t>(end - p) < len ||
          utf8::FindInvalid(std::string_view(p, len)) != std::string_view::npos) {
        return false;
      }
      p += len;
    }
  }

  std::string tokens_;          // `"name":` of every member, one after another
  std::vector<uint32_t> ends_;  // where each member's token ends in tokens_
};

}  // namespace vigil
