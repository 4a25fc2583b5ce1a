#include "syntax/tokens.hpp"

#include <mutex>

#include "syntax/parse_internal.hpp"

namespace vigil::syntax {

std::vector<LexToken> Tokenize(std::string_view text) {
  std::lock_guard<std::recursive_mutex> lock(ParserMutex());
  antlr4::ANTLRInputStream input(text.data(), text.size());
  vigil_grammar::VigilLexer lexer(&input);
  lexer.removeErrorListeners();
  std::vector<LexToken> out;
  const antlr4::dfa::Vocabulary& vocabulary = lexer.getVocabulary();
  // Names are static strings of the generated lexer; keep them alive here.
  static std::vector<std::string> names;
  if (names.empty()) {
    for (size_t t = 0; t <= vocabulary.getMaxTokenType(); ++t) {
      names.push_back(vocabulary.getSymbolicName(t));
    }
  }
  // ANTLR indexes code points; the mapper turns them into byte offsets.
  TokenMapper mapper(0, text, 0);
  for (auto t = lexer.nextToken(); t->getType() != antlr4::Token::EOF; t = lexer.nextToken()) {
    size_t type = t->getType();
    SourceRange r = mapper.Range(t.get());
    LexToken tok;
    tok.kind = type < names.size() ? std::string_view(names[type]) : std::string_view("?");
    tok.text = text.substr(r.begin, r.end - r.begin);
    out.push_back(tok);
  }
  return out;
}

}  // namespace vigil::syntax
