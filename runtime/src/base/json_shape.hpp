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

#include <algorithm>
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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil {

// Readable bytes a shaped text must be followed by (the steps below read
// whole words past its end without checking it). The first of them must be
// a control character: a zero (the padding of a copy), or the '\n' or '\r'
// that ends a line read where it lies in a chunk of input
// (EventJsonReader::ReadInPlace). No token, string or number goes on past
// such a byte, so what follows it is never taken for part of the text.
inline constexpr size_t kJsonShapePadding = 32;

class JsonShape {
 public:
  void Clear() {
    tokens_.clear();
    members_.clear();
  }
  // Appends a member name (as written between its quotes, without escapes).
  // Its token is `"name":`, with the ',' that separates it from the member
  // before in front: the delimiter is compared with the name.
  void Add(std::string_view key) {
    Member m;
    m.begin = static_cast<uint32_t>(tokens_.size());
    if (!members_.empty()) tokens_ += ',';
    tokens_ += '"';
    tokens_ += key;
    tokens_ += "\":";
    m.size = static_cast<uint32_t>(tokens_.size()) - m.begin;
    // The token's first 32 bytes, zeros after, and which of them are the
    // token's (SameToken): one bit each, and 0xFF bytes in a word mask.
    const size_t n = std::min<size_t>(m.size, 32);
    std::memcpy(m.bytes, tokens_.data() + m.begin, n);
    m.need = n == 32 ? 0xFFFFFFFFu : (1u << n) - 1;
    unsigned char mask[32] = {};
    std::memset(mask, 0xFF, n);
    std::memcpy(m.mask, mask, sizeof mask);
    members_.push_back(m);
  }
  size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  // The name of member i, as Add was given it.
  std::string_view key(size_t i) const {
    const size_t comma = i == 0 ? 0 : 1;
    return std::string_view(tokens_).substr(members_[i].begin + comma + 1, members_[i].size - comma - 3);
  }

  // Reads `text` as an object with exactly these members in this order,
  // calling visit(i, member) for member i once its value is read. False when
  // the text is not of this shape or a visit returned false; true means the
  // whole text is valid JSON (CheckJsonObject would accept it). The text is
  // copied first, followed by the padding the steps need.
  template <class Visit>
  bool Lex(std::string_view text, Visit&& visit) const {
    std::string padded(text);
    padded.append(kJsonShapePadding, '\0');
    const char* p = padded.data();
    const char* const end = p + text.size();
    if (!Open(p, end)) return false;
    for (size_t i = 0; i < members_.size(); ++i) {
      if (!Name(i, p, end)) return false;
      const char* const value = p;
      JsonMemberText member;
      if (!Value(p, end, &member.value_escaped)) return false;
      // The member as it lies in the caller's text (the name ends 2 bytes
      // before the value: `":`).
      const size_t at = static_cast<size_t>(value - padded.data());
      member.key = text.substr(at - 2 - key(i).size(), key(i).size());
      member.value = text.substr(at, static_cast<size_t>(p - value));
      if (!visit(i, static_cast<const JsonMemberText&>(member))) return false;
    }
    return Close(p, end);
  }

  // The steps of Lex: Open, then for each member Name and its value (Value,
  // or a narrower scan that accepts only valid JSON: PlainString, or a
  // number's scan followed by the check of what ends it, Ends), then Close.

  // The '{' at p (and at least one member in the shape); p moves past it.
  bool Open(const char*& p, const char* end) const {
    if (members_.empty() || p == end || *p != '{') return false;
    ++p;
    return true;
  }
  struct Member;
  // The members, for a loop over them that keeps the pointer in a local.
  const Member* members() const { return members_.data(); }
  // Member m's token (`"name":`, after a ',' but for the first) at p (at or
  // before the end of the text); p moves past the token. No byte of a token
  // is a control character (a name has none), so a token that matches ends
  // within the text, before the control character that follows it.
  bool Name(const Member& m, const char*& p, const char* end) const {
    if (!SameToken(p, end, m)) return false;
    p += m.size;
    return true;
  }
  bool Name(size_t i, const char*& p, const char* end) const { return Name(members_[i], p, end); }
  // The '}' that ends the object, then only whitespace.
  static bool Close(const char* p, const char* end) {
    if (p == end || *p != '}') return false;
    ++p;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    return p == end;
  }

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

  // A string of printable ASCII without escapes at p (which holds its
  // opening quote): its closing quote, or null for anything else (which
  // Value then reads: UTF-8, escapes, or an error). Reads the padding.
  static const char* PlainString(const char* p, const char* end) {
    const char* q = json_scan::FindStringStopPadded(p + 1);
    return q < end && *q == '"' ? q : nullptr;
  }

  // Whether a number scanned up to p ends there: the byte at p is not one
  // that would continue it (a digit, '.', 'e', 'E'). A scan that stops
  // early on such a byte hands the value to Value instead.
  static bool Ends(const char* p) {
    const char c = *p;
    return static_cast<unsigned char>(c - '0') >= 10 && c != '.' && c != 'e' && c != 'E';
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at p (not at end); p moves
  // past it. A leading zero followed by a digit fails at the next step (it
  // is not a ',' or the '}').
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
    return true;
  }

 private:
  static bool Word(const char*& p, const char* end, std::string_view word) {
    if (static_cast<size_t>(end - p) < word.size() || !SameBytes(p, word.data(), word.size())) {
      return false;
    }
    p += word.size();
    return true;  // the caller checks what follows
  }

  static bool Digits(const char*& p, const char* end) {
    const char* start = p;
    while (p < end && static_cast<unsigned char>(*p - '0') < 10) ++p;
    return p > start;
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

 public:
  struct Member {
    // The token's first 32 bytes (zeros after them), for a 16-byte compare
    // where SSE2 is there, and which of those bytes are the token's: one bit
    // each (`need`), and as 0xFF bytes of four words (`mask`, for the
    // compare by words elsewhere). Longer tokens compare the rest by
    // SameBytes.
    alignas(16) unsigned char bytes[32] = {};
    uint64_t mask[4] = {0, 0, 0, 0};
    uint32_t need = 0;
    uint32_t begin = 0;  // of the token in tokens_
    uint32_t size = 0;   // of the token
  };

  // Whether the token of `m` is at p, read as SameToken reads it: by one
  // 16-byte compare (SSE2), a second one for a token of more than 16 bytes,
  // or by four masked 8-byte words with no branch on the token's length;
  // the padding makes the bytes readable. Both ways are public so that a
  // test compares them on one machine.
  bool SameTokenWords(const char* p, const char* end, const Member& m) const {
    const uint64_t diff = ((Load8(p) ^ Word(m, 0)) & m.mask[0]) | ((Load8(p + 8) ^ Word(m, 1)) & m.mask[1]) |
                          ((Load8(p + 16) ^ Word(m, 2)) & m.mask[2]) |
                          ((Load8(p + 24) ^ Word(m, 3)) & m.mask[3]);
    return diff == 0 && Rest(p, end, m);
  }
#if defined(__SSE2__)
  bool SameTokenSse2(const char* p, const char* end, const Member& m) const {
    const __m128i lo = _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)),
                                      _mm_load_si128(reinterpret_cast<const __m128i*>(m.bytes)));
    // Most names: one compare and one test. The complement of the 16-bit
    // mask has its upper 16 bits set, and so has `need` for a token of more
    // than 16 bytes only: a zero here is a token of up to 16 bytes that
    // matched (no separate test of its size), anything else is decided below.
    const uint32_t missed = m.need & ~static_cast<uint32_t>(_mm_movemask_epi8(lo));
    if (__builtin_expect(missed == 0, 1)) return true;
    if ((missed & 0xFFFF) != 0) return false;  // a token of up to 16 bytes has only these bits
    const __m128i hi = _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)),
                                      _mm_load_si128(reinterpret_cast<const __m128i*>(m.bytes + 16)));
    return ((m.need >> 16) & ~static_cast<uint32_t>(_mm_movemask_epi8(hi))) == 0 && Rest(p, end, m);
  }
#endif

 private:
  // A token of more than 32 bytes: its bytes past the 32nd, within the text.
  bool Rest(const char* p, const char* end, const Member& m) const {
    return m.size <= 32 ||
           (static_cast<size_t>(end - p) >= m.size && SameBytes(p + 32, tokens_.data() + m.begin + 32, m.size - 32));
  }
  static uint64_t Word(const Member& m, int k) {
    uint64_t v;
    std::memcpy(&v, m.bytes + 8 * k, 8);
    return v;
  }

  static uint64_t Load8(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }

  // The token of `m` at p (the public ways above).
  bool SameToken(const char* p, const char* end, const Member& m) const {
#if defined(__SSE2__)
    return SameTokenSse2(p, end, m);
#else
    return SameTokenWords(p, end, m);
#endif
  }

  std::string tokens_;           // each member's token, one after another
  std::vector<Member> members_;  // each member's token, in order
};

}  // namespace vigil
