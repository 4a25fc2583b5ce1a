#include "syntax/scanner.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "VigilLexer.h"
#include "base/bom.hpp"
#include "base/bytes.hpp"
#include "base/utf8.hpp"

namespace vigil::syntax {

using L = vigil_grammar::VigilLexer;

namespace {

// The keyword rules of grammar/VigilLexer.g4, reserved and contextual. Each is
// written before ID there, so a word equal to one of them is that keyword;
// a longer word is an ID (the longest match wins).
struct Keyword {
  std::string_view text;
  size_t type;
};
constexpr Keyword kKeywords[] = {
    {"and", L::AND},           {"or", L::OR},
    {"not", L::NOT},           {"in", L::IN},
    {"matches", L::MATCHES},   {"is", L::IS},
    {"missing", L::MISSING},   {"present", L::PRESENT},
    {"true", L::TRUE},         {"false", L::FALSE},
    {"ruleset", L::RULESET},   {"uses", L::USES},
    {"schema", L::SCHEMA},     {"const", L::CONST},
    {"list", L::LIST},         {"param", L::PARAM},
    {"let", L::LET},           {"rule", L::RULE},
    {"test", L::TEST},         {"import", L::IMPORT},
    {"override", L::OVERRIDE}, {"when", L::WHEN},
    {"then", L::THEN},         {"version", L::VERSION},
    {"from", L::FROM},         {"external", L::EXTERNAL},
    {"hashed", L::HASHED},     {"set", L::SET},
    {"disable", L::DISABLE},   {"severity", L::SEVERITY},
    {"title", L::TITLE},       {"tags", L::TAGS},
    {"mode", L::MODE},         {"score", L::SCORE},
    {"decide", L::DECIDE},     {"tag", L::TAG},
    {"reason", L::REASON},     {"decisions", L::DECISIONS},
    {"event", L::EVENT},       {"repeat", L::REPEAT},
    {"every", L::EVERY},       {"expect", L::EXPECT},
    {"fires", L::FIRES},       {"decision", L::DECISION},
    {"reversal", L::REVERSAL},
};
constexpr size_t kMaxKeyword = 9;  // "decisions"

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsLetter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsWordChar(char32_t c) { return IsLetter(c) || IsDigit(c); }
bool IsBlank(char32_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

// The type of a word ([A-Za-z_][A-Za-z0-9_]*, all ASCII): a keyword or ID.
size_t WordType(const char32_t* word, size_t length) {
  if (length > kMaxKeyword) return L::ID;
  char buffer[kMaxKeyword];
  for (size_t i = 0; i < length; ++i) buffer[i] = static_cast<char>(word[i]);
  const std::string_view text(buffer, length);
  for (const Keyword& k : kKeywords) {
    if (k.text == text) return k.type;
  }
  return L::ID;
}

}  // namespace

bool AllAscii(std::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    if (!EightBytesAscii(text.data() + i)) return false;
  }
  for (; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80) return false;
  }
  return true;
}

CodePointStream::CodePointStream(std::string_view text) {
  if (!utf8::IsValid(text)) {
    load(std::string(text));
    return;
  }
  const std::string_view rest = SkipUtf8Bom(text);
  // Written through a pointer, an ASCII byte as itself: rule files are
  // almost all ASCII, and a push_back of a call's result a code point was
  // about 16 instructions a byte (0.47M at 100 rules).
  _data.resize(rest.size());
  char32_t* out = _data.data();
  size_t n = 0;
  for (size_t i = 0; i < rest.size();) {
    if (i + 8 <= rest.size()) {  // eight ASCII bytes at once
      if (EightBytesAscii(rest.data() + i)) {
        for (size_t k = 0; k < 8; ++k) out[n + k] = static_cast<unsigned char>(rest[i + k]);
        n += 8;
        i += 8;
        continue;
      }
    }
    const auto byte = static_cast<unsigned char>(rest[i]);
    if (byte < 0x80) {
      out[n++] = byte;
      ++i;
    } else {
      out[n++] = utf8::Decode(rest, i);
    }
  }
  _data.resize(n);
  p = 0;
}

Scanner::Scanner(CodePointStream* input, bool hidden)
    : input_(input), text_(input->data()), size_(input->length()), hidden_(hidden) {}

antlr4::TokenFactory<antlr4::CommonToken>* Scanner::getTokenFactory() {
  return antlr4::CommonTokenFactory::DEFAULT.get();
}

size_t Scanner::Match(size_t* length) const {
  const char32_t* s = text_ + pos_;
  const size_t n = size_ - pos_;  // > 0
  // The code point at i, or 0 past the end (no rule matches U+0000 other
  // than ERROR_CHAR's `.`, which only ever takes the first code point).
  auto at = [&](size_t i) -> char32_t { return i < n ? s[i] : 0; };
  auto digits = [&](size_t i) {  // end of a run of digits starting at i
    while (i < n && IsDigit(s[i])) ++i;
    return i;
  };
  const char32_t c = s[0];

  if (IsLetter(c)) {
    size_t i = 1;
    while (i < n && IsWordChar(s[i])) ++i;
    *length = i;
    return WordType(s, i);
  }

  if (IsDigit(c)) {
    // Every candidate's longest match; the longest wins, and between equal
    // lengths the rule written first: TIME, FLOAT, SUFFIXED_NUMBER,
    // DECIMAL, INT.
    const size_t d = digits(0);
    size_t best = d;
    size_t type = L::INT;
    auto offer = [&](size_t len, size_t t) {
      // Called from the last rule to the first, so that a tie goes to the
      // earlier one.
      if (len >= best) {
        best = len;
        type = t;
      }
    };
    // DECIMAL: D+ '.' D+
    size_t decimal = 0;
    if (at(d) == '.' && IsDigit(at(d + 1))) decimal = digits(d + 1);
    if (decimal != 0) offer(decimal, L::DECIMAL);
    // SUFFIXED_NUMBER: D+ [a-zA-Z_] [a-zA-Z0-9_]*
    if (IsLetter(at(d))) {
      size_t i = d + 1;
      while (i < n && IsWordChar(s[i])) ++i;
      offer(i, L::SUFFIXED_NUMBER);
    }
    // FLOAT: D+ '.' D+ [eE] [+-]? D+ | D+ [eE] [+-]? D+
    auto exponent = [&](size_t i) -> size_t {  // end of [eE] [+-]? D+ at i, or 0
      if (at(i) != 'e' && at(i) != 'E') return 0;
      ++i;
      if (at(i) == '+' || at(i) == '-') ++i;
      if (!IsDigit(at(i))) return 0;
      return digits(i);
    };
    size_t float_end = exponent(d);
    if (decimal != 0) float_end = std::max(float_end, exponent(decimal));
    if (float_end != 0) offer(float_end, L::FLOAT);
    // TIME: D D D D '-' D D '-' D D ('T' D D ':' D D ':' D D ('.' D+)?
    //       ('Z' | [+-] D D ':' D D))?
    auto two = [&](size_t i) { return IsDigit(at(i)) && IsDigit(at(i + 1)); };
    if (d >= 4 && at(4) == '-' && two(5) && at(7) == '-' && two(8) && IsDigit(s[3])) {
      size_t time = 10;
      if (at(10) == 'T' && two(11) && at(13) == ':' && two(14) && at(16) == ':' && two(17)) {
        size_t i = 19;
        if (at(i) == '.' && IsDigit(at(i + 1))) i = digits(i + 1);
        // Without a zone the optional part does not match at all.
        if (at(i) == 'Z') {
          time = i + 1;
        } else if ((at(i) == '+' || at(i) == '-') && two(i + 1) && at(i + 3) == ':' &&
                   two(i + 4)) {
          time = i + 6;
        }
      }
      offer(time, L::TIME);
    }
    *length = best;
    return type;
  }

  switch (c) {
    case '"': {
      // STRING: '"' (~["\\\r\n] | '\\' ~[\r\n])* '"', and UNTERMINATED_STRING:
      // the same without the closing quote. The body is read the one way it
      // can be; a closing quote after it makes the longer STRING.
      size_t i = 1;
      while (i < n) {
        const char32_t b = s[i];
        if (b == '"' || b == '\r' || b == '\n') break;
        if (b == '\\') {
          if (i + 1 >= n || s[i + 1] == '\r' || s[i + 1] == '\n') break;
          i += 2;
        } else {
          ++i;
        }
      }
      if (i < n && s[i] == '"') {
        *length = i + 1;
        return L::STRING;
      }
      *length = i;
      return L::UNTERMINATED_STRING;
    }
    case '#': {
      size_t i = 1;
      while (i < n && s[i] != '\r' && s[i] != '\n') ++i;
      *length = i;
      return L::LINE_COMMENT;
    }
    case '/':
      if (at(1) == '/') {
        size_t i = 2;
        while (i < n && s[i] != '\r' && s[i] != '\n') ++i;
        *length = i;
        return L::LINE_COMMENT;
      }
      *length = 1;
      return L::SLASH;
    case '=':
      *length = at(1) == '=' ? 2 : 1;
      return *length == 2 ? L::EQ : L::ASSIGN;
    case '!':  // alone, ERROR_CHAR
      *length = at(1) == '=' ? 2 : 1;
      return *length == 2 ? L::NE : L::ERROR_CHAR;
    case '<':
      *length = at(1) == '=' ? 2 : 1;
      return *length == 2 ? L::LE : L::LT;
    case '>':
      *length = at(1) == '=' ? 2 : 1;
      return *length == 2 ? L::GE : L::GT;
    case '(': *length = 1; return L::LPAREN;
    case ')': *length = 1; return L::RPAREN;
    case '{': *length = 1; return L::LBRACE;
    case '}': *length = 1; return L::RBRACE;
    case ',': *length = 1; return L::COMMA;
    case ':': *length = 1; return L::COLON;
    case '.': *length = 1; return L::DOT;
    case '@': *length = 1; return L::AT;
    case '+': *length = 1; return L::PLUS;
    case '-': *length = 1; return L::MINUS;
    case '*': *length = 1; return L::STAR;
    case '%': *length = 1; return L::PERCENT;
    default:
      break;
  }
  if (IsBlank(c)) {
    size_t i = 1;
    while (i < n && IsBlank(s[i])) ++i;
    *length = i;
    return L::WS;
  }
  *length = 1;  // `.`: any one code point
  return L::ERROR_CHAR;
}

std::unique_ptr<antlr4::Token> Scanner::nextToken() {
  const std::pair<antlr4::TokenSource*, antlr4::CharStream*> source{this, input_};
  size_t length = 0;
  size_t type = 0;
  size_t channel = antlr4::Token::DEFAULT_CHANNEL;
  for (;;) {
    if (pos_ >= size_) {
      // As Lexer::emitEOF: an empty range just past the end.
      auto eof = std::make_unique<antlr4::CommonToken>(source, antlr4::Token::EOF,
                                                       antlr4::Token::DEFAULT_CHANNEL, pos_,
                                                       pos_ - 1);
      eof->setLine(line_);
      eof->setCharPositionInLine(column_);
      return eof;
    }
    type = Match(&length);
    channel = type == L::WS || type == L::LINE_COMMENT ? antlr4::Token::HIDDEN_CHANNEL
                                                       : antlr4::Token::DEFAULT_CHANNEL;
    if (hidden_ || channel == antlr4::Token::DEFAULT_CHANNEL) break;
    Advance(length);
  }
  auto token = std::make_unique<antlr4::CommonToken>(source, type, channel, pos_, pos_ + length - 1);
  token->setLine(line_);
  token->setCharPositionInLine(column_);
  Advance(length);
  return token;
}

void Scanner::Advance(size_t length) {
  // Lines and columns move as ANTLR's lexer moves them, one code point at a
  // time: a '\n' starts a line, anything else (a '\r' too) is a column.
  for (size_t i = pos_; i < pos_ + length; ++i) {
    if (text_[i] == '\n') {
      ++line_;
      column_ = 0;
    } else {
      ++column_;
    }
  }
  pos_ += length;
}

}  // namespace vigil::syntax
