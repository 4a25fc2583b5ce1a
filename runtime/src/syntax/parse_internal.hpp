// Shared between the parser driver, the error translation and the AST
// builder. Internal to syntax/.
#pragma once

#include <mutex>
#include <vector>

#include "VigilLexer.h"
#include "VigilParser.h"
#include "base/diag.hpp"
#include "base/source.hpp"
#include "syntax/scanner.hpp"

namespace vigil::syntax {

// Held while the generated lexer or parser runs (see parse.cpp).
std::recursive_mutex& ParserMutex();

// Maps ANTLR's code-point token positions back to byte ranges in the file.
class TokenMapper {
 public:
  TokenMapper(uint32_t file_id, std::string_view text, uint32_t base_offset);
  SourceRange Range(const antlr4::Token* token) const;
  SourceRange Range(antlr4::ParserRuleContext* ctx) const;
  SourceRange Span(const antlr4::Token* first, const antlr4::Token* last) const;
  // The bytes of code points [start, stop].
  SourceRange CodePoints(size_t start, size_t stop) const;
  uint32_t file_id() const { return file_id_; }

 private:
  uint32_t ByteOffset(size_t code_point_index) const;
  uint32_t file_id_;
  uint32_t base_;
  uint32_t size_;  // the text's bytes
  // Code point index → byte offset (relative); empty when the text is all
  // ASCII, where they are the same.
  std::vector<uint32_t> cp_to_byte_;
};

// The lexer the parser reads from (the hand-written Scanner, scanner.hpp).
// Comments and blanks never reach the parser, so they are dropped here
// instead of being kept in the token stream (they would double its memory);
// and a file with more than limits::kMaxTokens tokens is refused before more
// are stored.
class ParseLexer : public Scanner {
 public:
  explicit ParseLexer(CodePointStream* input) : Scanner(input, /*hidden=*/false) {}
  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t tokens() const { return tokens_; }

 private:
  size_t tokens_ = 0;
};

// The parser's token stream. BufferedTokenStream::fetch gives each token its
// index through a dynamic_cast to WritableToken (about 200 instructions a
// token, 0.56M at 100 rules); every token here is a CommonToken made by the
// Scanner (ParseLexer), so the index is set without the cast. The rest is
// CommonTokenStream's.
class ParseTokenStream : public antlr4::CommonTokenStream {
 public:
  explicit ParseTokenStream(ParseLexer* lexer) : CommonTokenStream(lexer) {}

 protected:
  size_t fetch(size_t n) override;
};

// A parser that refuses to nest deeper than limits::kMaxParseDepth, so that
// 100,000 nested parentheses are an error instead of a stack overflow; that
// builds at most limits::kMaxParseNodes grammar nodes; and that refuses a set
// literal of more than limits::kMaxSetElements elements while reading it.
class GuardedParser : public vigil_grammar::VigilParser {
 public:
  using VigilParser::VigilParser;
  void enterRule(antlr4::ParserRuleContext* localctx, size_t state, size_t rule_index) override;
  void enterOuterAlt(antlr4::ParserRuleContext* localctx, size_t alt) override;
  // Before a second parse with the same parser: frees the first parse's
  // tree and starts counting again.
  void Restart();
  size_t nodes() const { return nodes_; }

 private:
  size_t nodes_ = 0;
  antlr4::ParserRuleContext* last_entered_ = nullptr;  // the context entered last
  size_t last_depth_ = 0;                              // and its depth
};

struct ParseTooDeep {
  antlr4::Token* token;
};
// A size limit reached while lexing or parsing: the input is refused at the
// token where it was reached (ANTLR code-point indexes).
struct ParseTooLarge {
  size_t start;
  size_t stop;
  DiagCode code;
  std::string message;
  std::string help;
};
struct ParseAbandoned {};  // too many errors: stop parsing this file

// Error strategy: our own wording, a cap on recovery attempts.
class VigilErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  explicit VigilErrorStrategy(DiagSink& diags) : diags_(diags) {}

 protected:
  void reportNoViableAlternative(antlr4::Parser* recognizer,
                                 const antlr4::NoViableAltException& e) override;
  void reportInputMismatch(antlr4::Parser* recognizer,
                           const antlr4::InputMismatchException& e) override;
  void reportFailedPredicate(antlr4::Parser* recognizer,
                             const antlr4::FailedPredicateException& e) override;
  void reportUnwantedToken(antlr4::Parser* recognizer) override;
  void reportMissingToken(antlr4::Parser* recognizer) override;

 private:
  void Report(antlr4::Parser* recognizer, antlr4::Token* token, const std::string& message);
  DiagSink& diags_;
};

// Receives the strategy's messages and turns them into diagnostics.
class DiagErrorListener : public antlr4::BaseErrorListener {
 public:
  DiagErrorListener(DiagSink& diags, const TokenMapper& mapper) : diags_(diags), mapper_(mapper) {}
  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t column, const std::string& message, std::exception_ptr e) override;
  size_t errors() const { return errors_; }

 private:
  DiagSink& diags_;
  const TokenMapper& mapper_;
  size_t errors_ = 0;
};

// How a token type is shown to people: 'then', a name, a string, end of file.
std::string DescribeTokenType(const antlr4::dfa::Vocabulary& vocabulary, size_t type);
// How a particular token is shown: 'foo', end of file.
std::string DescribeToken(const antlr4::Token* token);

}  // namespace vigil::syntax
