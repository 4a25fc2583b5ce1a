#include "syntax/tokens.hpp"

#include <string>

#include "syntax/parse_internal.hpp"

namespace vigil::syntax {

namespace {

// The token types' symbolic names, from the generated parser's vocabulary
// (the parser numbers tokens by grammar/VigilLexer.g4's vocabulary, so the
// names are the lexer's). Built once; the views below point into it.
const std::vector<std::string>& TokenNames() {
  static const std::vector<std::string> names = [] {
    std::lock_guard<std::recursive_mutex> lock(ParserMutex());
    CodePointStream empty{std::string_view()};
    Scanner scanner(&empty);
    antlr4::CommonTokenStream tokens(&scanner);
    vigil_grammar::VigilParser parser(&tokens);
    const antlr4::dfa::Vocabulary& vocabulary = parser.getVocabulary();
    std::vector<std::string> out;
    for (size_t t = 0; t <= vocabulary.getMaxTokenType(); ++t) {
      out.push_back(vocabulary.getSymbolicName(t));
    }
    return out;
  }();
  return names;
}

}  // namespace

std::vector<LexToken> Tokenize(std::string_view text) {
  const std::vector<std::string>& names = TokenNames();
  // The scanner shares nothing between instances (unlike ANTLR's lexer,
  // whose DFA cache is static): no lock is needed to read tokens.
  CodePointStream input(text);
  Scanner scanner(&input);
  std::vector<LexToken> out;
  // ANTLR indexes code points; the mapper turns them into byte offsets.
  TokenMapper mapper(0, text, 0);
  for (auto t = scanner.nextToken(); t->getType() != antlr4::Token::EOF; t = scanner.nextToken()) {
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
