// Syntax errors in our own words. ANTLR's messages ("mismatched input",
// "token recognition error") never reach a rule author.
#include <fmt/format.h>

#include "base/limits.hpp"
#include "syntax/parse_internal.hpp"

namespace vigil::syntax {

using vigil_grammar::VigilLexer;
using vigil_grammar::VigilParser;

std::string DescribeTokenType(const antlr4::dfa::Vocabulary& vocabulary, size_t type) {
  switch (type) {
    case antlr4::Token::EOF:
      return "end of file";
    case VigilLexer::ID:
      return "a name";
    case VigilLexer::INT:
      return "an integer";
    case VigilLexer::DECIMAL:
      return "a decimal number";
    case VigilLexer::FLOAT:
      return "a number";
    case VigilLexer::STRING:
    case VigilLexer::UNTERMINATED_STRING:
      return "a string";
    case VigilLexer::TIME:
      return "a time";
    case VigilLexer::SUFFIXED_NUMBER:
      return "a duration";
    default:
      break;
  }
  std::string literal = vocabulary.getLiteralName(type);
  if (literal.empty()) return "a token";
  return literal;  // already quoted: 'then'
}

std::string DescribeToken(const antlr4::Token* token) {
  if (token == nullptr || token->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = token->getText();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return fmt::format("'{}'", text);
}

namespace {

bool IsExpressionRule(size_t rule) {
  switch (rule) {
    case VigilParser::RuleExpr:
    case VigilParser::RuleOrExpr:
    case VigilParser::RuleAndExpr:
    case VigilParser::RuleNotExpr:
    case VigilParser::RuleCmpExpr:
    case VigilParser::RuleAddExpr:
    case VigilParser::RuleMulExpr:
    case VigilParser::RuleUnaryExpr:
    case VigilParser::RulePrimary:
    case VigilParser::RuleLiteral:
    case VigilParser::RuleArgument:
      return true;
    default:
      return false;
  }
}

std::string Expected(antlr4::Parser* recognizer) {
  antlr4::misc::IntervalSet expected = recognizer->getExpectedTokens();
  std::vector<std::string> names;
  for (size_t t : expected.toList()) {
    std::string name = DescribeTokenType(recognizer->getVocabulary(), t);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  if (names.empty() || names.size() > 4) return {};
  if (names.size() == 1) return names[0];
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// Tokens after which an expression must follow.
bool ExpectsExpressionAfter(size_t type) {
  switch (type) {
    case VigilLexer::AND: case VigilLexer::OR: case VigilLexer::NOT: case VigilLexer::EQ:
    case VigilLexer::NE: case VigilLexer::LT: case VigilLexer::LE: case VigilLexer::GT:
    case VigilLexer::GE: case VigilLexer::PLUS: case VigilLexer::MINUS: case VigilLexer::STAR:
    case VigilLexer::SLASH: case VigilLexer::PERCENT: case VigilLexer::IN:
    case VigilLexer::MATCHES: case VigilLexer::WHEN: case VigilLexer::LPAREN:
    case VigilLexer::ASSIGN:
      return true;
    default:
      return false;
  }
}

// The last token on the default channel before `token`.
antlr4::Token* PreviousVisible(antlr4::Parser* recognizer, antlr4::Token* token) {
  auto* stream = recognizer->getTokenStream();
  for (ssize_t i = static_cast<ssize_t>(token->getTokenIndex()) - 1; i >= 0; --i) {
    antlr4::Token* t = stream->get(static_cast<size_t>(i));
    if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL) return t;
  }
  return nullptr;
}

// Tokens that start a rule's action, which only 'then' may introduce.
bool IsAction(size_t type) {
  return type == VigilLexer::SCORE || type == VigilLexer::DECIDE || type == VigilLexer::TAG ||
         type == VigilLexer::REASON;
}

// When a ')' is missing: the innermost '(' before `token` that is still open
// (within the enclosing braces), so that the message points at it rather
// than at whatever came lines later.
antlr4::Token* UnclosedParen(antlr4::Parser* recognizer, antlr4::Token* token) {
  if (!recognizer->getExpectedTokens().contains(static_cast<size_t>(VigilLexer::RPAREN))) return nullptr;
  constexpr size_t kMaxScan = 100000;  // tokens looked at: errors stay cheap
  auto* stream = recognizer->getTokenStream();
  int parens = 0, braces = 0;
  const size_t from = token->getTokenIndex();
  for (size_t i = from; i-- > 0 && from - i <= kMaxScan;) {
    antlr4::Token* t = stream->get(i);
    switch (t->getType()) {
      case VigilLexer::RPAREN: ++parens; break;
      case VigilLexer::LPAREN:
        if (parens == 0) return t;
        --parens;
        break;
      case VigilLexer::RBRACE: ++braces; break;
      case VigilLexer::LBRACE:
        if (braces == 0) return nullptr;
        --braces;
        break;
      default: break;
    }
  }
  return nullptr;
}

struct Problem {
  antlr4::Token* at;  // where the message points
  std::string message;
};

// "expected an expression after 'and', found 'then'"
Problem DescribeProblem(antlr4::Parser* recognizer, antlr4::Token* token) {
  std::string found = DescribeToken(token);
  antlr4::Token* prev = PreviousVisible(recognizer, token);
  if (prev != nullptr && ExpectsExpressionAfter(prev->getType())) {
    return {token, fmt::format("expected an expression after '{}', found {}", prev->getText(), found)};
  }
  if (antlr4::Token* open = UnclosedParen(recognizer, token)) {
    return {open, fmt::format("this '(' is not closed: expected ')' before {} (line {})", found,
                              token->getLine())};
  }
  if (IsAction(token->getType()) &&
      recognizer->getExpectedTokens().contains(static_cast<size_t>(VigilLexer::THEN))) {
    return {token, fmt::format("expected 'then' before {}: a rule's actions follow 'then'", found)};
  }
  antlr4::ParserRuleContext* ctx = recognizer->getContext();
  if (ctx != nullptr && IsExpressionRule(ctx->getRuleIndex()) &&
      token->getType() == antlr4::Token::EOF) {
    return {token, fmt::format("expected an expression, found {}", found)};
  }
  std::string expected = Expected(recognizer);
  if (expected.empty()) return {token, fmt::format("unexpected {}", found)};
  return {token, fmt::format("expected {}, found {}", expected, found)};
}

}  // namespace

void VigilErrorStrategy::Report(antlr4::Parser* recognizer, antlr4::Token* token,
                                const std::string& message) {
  if (diags_.saturated()) throw ParseAbandoned{};
  recognizer->notifyErrorListeners(token, message, nullptr);
  if (diags_.saturated()) throw ParseAbandoned{};
}

void VigilErrorStrategy::reportNoViableAlternative(antlr4::Parser* recognizer,
                                                   const antlr4::NoViableAltException& e) {
  Problem p = DescribeProblem(recognizer, e.getOffendingToken());
  Report(recognizer, p.at, p.message);
}

void VigilErrorStrategy::reportInputMismatch(antlr4::Parser* recognizer,
                                             const antlr4::InputMismatchException& e) {
  Problem p = DescribeProblem(recognizer, e.getOffendingToken());
  Report(recognizer, p.at, p.message);
}

void VigilErrorStrategy::reportFailedPredicate(antlr4::Parser* recognizer,
                                               const antlr4::FailedPredicateException& e) {
  Report(recognizer, e.getOffendingToken(),
         fmt::format("unexpected {}", DescribeToken(e.getOffendingToken())));
}

void VigilErrorStrategy::reportUnwantedToken(antlr4::Parser* recognizer) {
  if (inErrorRecoveryMode(recognizer)) return;
  beginErrorCondition(recognizer);
  antlr4::Token* token = recognizer->getCurrentToken();
  Problem p = DescribeProblem(recognizer, token);
  Report(recognizer, p.at, p.message);
}

void VigilErrorStrategy::reportMissingToken(antlr4::Parser* recognizer) {
  if (inErrorRecoveryMode(recognizer)) return;
  beginErrorCondition(recognizer);
  antlr4::Token* token = recognizer->getCurrentToken();
  Problem p = DescribeProblem(recognizer, token);
  Report(recognizer, p.at, p.message);
}

void DiagErrorListener::syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t, size_t,
                                    const std::string& message, std::exception_ptr) {
  ++errors_;
  DiagCode code = DiagCode::kSyntax;
  std::string text = message;
  if (offending != nullptr) {
    switch (offending->getType()) {
      case antlr4::Token::EOF:
        code = DiagCode::kUnexpectedEof;
        break;
      case VigilLexer::ERROR_CHAR:
        code = DiagCode::kUnexpectedChar;
        text = fmt::format("unexpected character '{}'", offending->getText());
        break;
      case VigilLexer::UNTERMINATED_STRING:
        code = DiagCode::kUnterminatedString;
        text = "unterminated string: a string must end with '\"' on the same line";
        break;
      default:
        break;
    }
  }
  SourceRange range = offending != nullptr ? mapper_.Range(offending) : SourceRange{};
  diags_.Error(code, range, std::move(text));
}

void GuardedParser::enterRule(antlr4::ParserRuleContext* localctx, size_t state,
                              size_t rule_index) {
  // The depth of a context is its parent's plus one. Most rules are entered
  // from the rule entered just before (expr, orExpr, andExpr, ... down to a
  // literal), whose depth is known; otherwise the parents are counted.
  size_t depth = 0;
  if (localctx->parent != nullptr && localctx->parent == last_entered_) {
    depth = last_depth_ + 1;
  } else {
    for (antlr4::RuleContext* p = localctx; p != nullptr && depth <= limits::kMaxParseDepth;
         p = static_cast<antlr4::RuleContext*>(p->parent)) {
      ++depth;
    }
  }
  last_entered_ = localctx;
  last_depth_ = depth;
  // Parser::enterRule, without its dynamic_cast of the parent (150 to 250
  // instructions: the cast compares type names as it walks the classes):
  // every context the generated parser creates has a ParserRuleContext, or
  // nothing, as its parent.
  setState(state);
  _ctx = localctx;
  _ctx->start = _input->LT(1);
  if (_buildParseTrees && _ctx->parent != nullptr) {
    static_cast<antlr4::ParserRuleContext*>(_ctx->parent)->addChild(_ctx);
  }
  // Room for a few children at once: the vector would otherwise grow one
  // allocation at a time (1, 2, 4); an allocation holds 4 pointers anyway.
  if (_buildParseTrees) _ctx->children.reserve(4);
  if (!_parseListeners.empty()) triggerEnterRuleEvent();
  if (depth > limits::kMaxParseDepth) throw ParseTooDeep{getCurrentToken()};
  antlr4::Token* at = getCurrentToken();
  if (++nodes_ > limits::kMaxParseNodes) {
    throw ParseTooLarge{at->getStartIndex(), at->getStopIndex(), DiagCode::kTooManyTokens,
                        fmt::format("the file is too large to parse (more than {} grammar nodes)",
                                    limits::kMaxParseNodes),
                        "split it into several files that import each other"};
  }
  // Each element of a set literal enters `expr` with the set as its parent,
  // whose children are '{', the elements so far and their commas.
  // (Checked only for `expr`: a cast on every node costs a tenth of a parse.)
  if (rule_index != RuleExpr || localctx->parent == nullptr) return;
  auto* parent = static_cast<antlr4::ParserRuleContext*>(localctx->parent);
  if (parent->getRuleIndex() == RuleSetLiteral &&
      parent->children.size() / 2 > limits::kMaxSetElements) {
    throw ParseTooLarge{at->getStartIndex(), at->getStopIndex(), DiagCode::kSetTooLarge,
                        fmt::format("set literal has more than {} elements",
                                    limits::kMaxSetElements),
                        "put the values in a list file: list NAME: set<string> from \"values.txt\""};
  }
}

void GuardedParser::enterOuterAlt(antlr4::ParserRuleContext* localctx, size_t alt) {
  // A labelled alternative's context replaces the rule's, at the same depth.
  if (_ctx == last_entered_) last_entered_ = localctx;
  // Parser::enterOuterAlt, without its dynamic_cast of the parent (as in
  // enterRule: a parent is a ParserRuleContext or nothing).
  localctx->setAltNumber(alt);
  if (_buildParseTrees && _ctx != localctx && _ctx->parent != nullptr) {
    auto* parent = static_cast<antlr4::ParserRuleContext*>(_ctx->parent);
    parent->removeLastChild();
    parent->addChild(localctx);
  }
  _ctx = localctx;
}

void GuardedParser::Restart() {
  reset();
  getTreeTracker().reset();
  nodes_ = 0;
  last_entered_ = nullptr;
  last_depth_ = 0;
}

size_t ParseTokenStream::fetch(size_t n) {
  if (_fetchedEOF) return 0;
  for (size_t i = 0; i < n; ++i) {
    std::unique_ptr<antlr4::Token> token = _tokenSource->nextToken();
    // A CommonToken: the source is a ParseLexer (Scanner::nextToken makes no
    // other kind).
    static_cast<antlr4::CommonToken*>(token.get())->setTokenIndex(_tokens.size());
    const bool eof = token->getType() == antlr4::Token::EOF;
    _tokens.push_back(std::move(token));
    if (eof) {
      _fetchedEOF = true;
      return i + 1;
    }
  }
  return n;
}

std::unique_ptr<antlr4::Token> ParseLexer::nextToken() {
  for (;;) {
    std::unique_ptr<antlr4::Token> next = Scanner::nextToken();
    if (next->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    if (next->getType() != antlr4::Token::EOF && ++tokens_ > limits::kMaxTokens) {
      throw ParseTooLarge{next->getStartIndex(), next->getStopIndex(), DiagCode::kTooManyTokens,
                          fmt::format("the file has more than {} tokens", limits::kMaxTokens),
                          "split it into several files that import each other"};
    }
    return next;
  }
}

}  // namespace vigil::syntax
