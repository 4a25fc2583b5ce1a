// The lexer the parser reads from: the tokens of grammar/VigilLexer.g4,
// recognised by hand instead of by ANTLR's lexer simulation. Internal to
// syntax/.
//
// Why not the generated lexer: ANTLR builds its lexer DFA lazily, one state
// and one edge at a time, each by an ATN closure over every token rule; the
// DFA lives only as long as the process, so every `vigil eval` paid for it
// again (about 40% of the instructions of starting on a 100-rule file, and
// the deserialisation of the lexer's ATN at load time besides). The token
// rules are simple enough to read directly: each token is the longest match
// of any rule, ties going to the rule written first, exactly as ANTLR
// decides. grammar/VigilLexer.g4 stays the definition of the tokens (its
// vocabulary numbers the token types, editors read its keywords), and
// tests/unit/syntax/scanner_test.cpp checks this scanner against the
// generated lexer, token by token (type, channel, code-point range, line,
// column), on every rule file of the repository and on random text.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "antlr4-runtime.h"

namespace vigil::syntax {

// Whether every byte of `text` is below 0x80, looked at eight at a time.
bool AllAscii(std::string_view text);

// An ANTLRInputStream whose code points the scanner reads directly (the
// parser and the error messages still take token text from the stream).
// ANTLRInputStream decodes UTF-8 through a std::wstring_convert; valid UTF-8
// (every source is checked before it is parsed) is decoded here instead, to
// the same code points, a byte-order mark at the start dropped as ANTLR drops
// it. Anything else is given to ANTLRInputStream, to fail as it fails.
class CodePointStream : public antlr4::ANTLRInputStream {
 public:
  explicit CodePointStream(std::string_view text);
  const char32_t* data() const { return _data.data(); }
  size_t length() const { return _data.size(); }
};

// Tokens of every channel, as the generated VigilLexer produces them: the
// same types, channels, code-point start and stop indexes, lines and
// columns, and the same end-of-file token. One thread at a time.
class Scanner : public antlr4::TokenSource {
 public:
  // With `hidden` false, comments and blanks (the hidden channel) are passed
  // over without making tokens of them: the parser never sees them.
  explicit Scanner(CodePointStream* input, bool hidden = true);

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return line_; }
  size_t getCharPositionInLine() override { return column_; }
  antlr4::CharStream* getInputStream() override { return input_; }
  std::string getSourceName() override { return input_->getSourceName(); }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override;

 private:
  // The type of the token at pos_ and its length in code points.
  size_t Match(size_t* length) const;
  void Advance(size_t length);  // past `length` code points, counting lines

  CodePointStream* input_;
  const char32_t* text_;
  size_t size_;
  size_t pos_ = 0;     // code point index of the next token
  size_t line_ = 1;    // ANTLR's lines: 1-based, counted at '\n' only
  size_t column_ = 0;  // code points since the last '\n'
  bool hidden_;
};

}  // namespace vigil::syntax
