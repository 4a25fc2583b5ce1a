// The hand-written scanner (runtime/src/syntax/scanner.hpp) against the
// lexer ANTLR generates from grammar/VigilLexer.g4, which stays the
// definition of the tokens: every token the same (type, channel, code-point
// start and stop, line, column, text), the end-of-file token included, on
// every rule file in the repository, on each token rule's corner cases and
// on random text made of the pieces those rules care about.
//
// Compiled alone with -fno-char8_t, like the runtime's files that include the
// generated headers (tests/CMakeLists.txt).
// Before gtest: the generated parser has a rule function named TEST.
#include "syntax/parse_internal.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "VigilLexer.h"
#include "syntax/scanner.hpp"

namespace vigil::syntax {
namespace {

struct Tok {
  size_t type, channel, start, stop, line, column;
  std::string text;
  bool operator==(const Tok&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Tok& t) {
  return os << "{type " << t.type << " channel " << t.channel << " [" << t.start << ","
            << static_cast<long long>(t.stop) << "] " << t.line << ":" << t.column << " '"
            << t.text << "'}";
}

Tok Of(const antlr4::Token& t) {
  return Tok{t.getType(), t.getChannel(), t.getStartIndex(), t.getStopIndex(),
             t.getLine(), t.getCharPositionInLine(), t.getText()};
}

// Every token up to end of file, and the end-of-file token twice (a source
// asked again after the end answers end of file again).
template <typename Source>
std::vector<Tok> Drain(Source& source) {
  std::vector<Tok> out;
  for (;;) {
    std::unique_ptr<antlr4::Token> t = source.nextToken();
    out.push_back(Of(*t));
    if (t->getType() == antlr4::Token::EOF) break;
  }
  out.push_back(Of(*source.nextToken()));
  return out;
}

std::vector<Tok> Generated(const std::string& text) {
  antlr4::ANTLRInputStream input(text.data(), text.size());
  vigil_grammar::VigilLexer lexer(&input);
  lexer.removeErrorListeners();
  return Drain(lexer);
}

std::vector<Tok> Scanned(const std::string& text, bool hidden) {
  CodePointStream input(text);
  Scanner scanner(&input, hidden);
  return Drain(scanner);
}

std::string FirstDifference(const std::vector<Tok>& want, const std::vector<Tok>& got);

// The first difference, or "" when the streams agree: all tokens, and the
// tokens the parser reads (the scanner without hidden tokens against the
// generated lexer's default channel).
std::string Compare(const std::string& text) {
  std::vector<Tok> want = Generated(text);
  std::string difference = FirstDifference(want, Scanned(text, true));
  if (!difference.empty()) return difference;
  std::erase_if(want, [](const Tok& t) { return t.channel != antlr4::Token::DEFAULT_CHANNEL; });
  difference = FirstDifference(want, Scanned(text, false));
  return difference.empty() ? "" : "without hidden tokens, " + difference;
}

std::string FirstDifference(const std::vector<Tok>& want, const std::vector<Tok>& got) {
  for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    std::ostringstream out;
    if (i >= want.size() || i >= got.size() || !(want[i] == got[i])) {
      out << "token " << i << ": generated ";
      if (i < want.size()) out << want[i]; else out << "(none)";
      out << ", scanner ";
      if (i < got.size()) out << got[i]; else out << "(none)";
      return out.str();
    }
  }
  return "";
}

TEST(Scanner, AgreesOnEveryRuleFileOfTheRepository) {
  size_t files = 0;
  for (const char* dir : {"rules", "examples", "tests", "bench", "editors", "docs", "fuzz"}) {
    const std::filesystem::path root = std::filesystem::path(VIGIL_SOURCE_DIR) / dir;
    if (!std::filesystem::exists(root)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".vgl") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      EXPECT_EQ(Compare(text.str()), "") << entry.path();
      ++files;
    }
  }
  EXPECT_GT(files, 20u);  // the walk found the rule packs
}

TEST(Scanner, AgreesOnEveryLiteralOfTheVocabulary) {
  // Every keyword and operator the lexer grammar names, alone, glued to a
  // letter, a digit and an underscore, and between blanks.
  antlr4::ANTLRInputStream input("");
  vigil_grammar::VigilLexer lexer(&input);
  const antlr4::dfa::Vocabulary& vocabulary = lexer.getVocabulary();
  size_t literals = 0;
  for (size_t t = 1; t <= vocabulary.getMaxTokenType(); ++t) {
    std::string literal = vocabulary.getLiteralName(t);
    if (literal.size() < 3) continue;  // symbolic only: ID, STRING, ...
    literal = literal.substr(1, literal.size() - 2);
    ++literals;
    for (const std::string& text : {literal, literal + "x", literal + "9", literal + "_",
                                    "x" + literal, " " + literal + " ", literal + literal}) {
      EXPECT_EQ(Compare(text), "") << text;
    }
  }
  EXPECT_GT(literals, 60u);
}

TEST(Scanner, AgreesOnTheCornersOfEachTokenRule) {
  const std::vector<std::string> cases = {
      "",
      // TIME, and where it stops being one.
      "2026-03-01", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00.250+13:00",
      "2026-03-01T10:00:00.250-01:30x", "2026-03-01T10:00", "2026-03-01T10:00:00",
      "2026-03-01T10:00:00.", "2026-03-01T10:00:00.5", "2026-03-01T10:00:00+1", "2026-03-01T",
      "2026-03-01x", "2026-03-0", "2026-3-01", "20260-03-01", "202-03-01", "2026-03-01.5",
      "2026-03-01e5", "2026-03-01T10:00:00Zulu", "2026-03-01T10:00:00+13:0",
      // Numbers: FLOAT before SUFFIXED_NUMBER, then DECIMAL and INT.
      "1", "12", "1.5", "1.", ".5", "1.5.2", "2e4", "2E4", "2e4x", "2e", "2e+", "2e+4", "2e-4",
      "2e+4x", "1.5e3", "1.5e", "1.5e+", "1.5e-3s", "1.5x", "24h", "500ms", "24hours", "1_",
      "1..2", "10-20", "1-2-3",
      // Strings.
      "\"\"", "\"a\"", "\"a", "\"", "\"a\\\"b\"", "\"a\\\\\"", "\"a\\", "\"a\\\nb\"",
      "\"a\nb\"", "\"a\r\nb\"", "\"a\\\rb\"", "\"é€😀\"", "\"a\\qb\"", "\"\\\"",
      // Comments and blanks.
      "# c", "#", "// c\nx", "/", "/x", "a/b", "a // b", "\t\r\n\f x", "\r\r\n\n", "# a\r\nb",
      // Operators and error characters.
      "==", "=", "===", "!=", "!", "!!=", "<=", "<", "<<=", ">=", ">", "->", "a.b", "@key",
      "$", "é", "😀 x", "a\x01" "b", std::string("a\0b", 3), "`~^&|;?[]'",
      // Lines and columns after multi-byte characters and '\r'.
      "é\nx é\r\ny", "😀😀\n😀 x",
      // A byte-order mark at the start, which the input stream drops.
      "\xEF\xBB\xBFrule x", "\xEF\xBB\xBF",
  };
  for (const std::string& text : cases) EXPECT_EQ(Compare(text), "") << text;
}

// The scanner's stream decodes valid UTF-8 itself and hands anything else to
// ANTLRInputStream: what it holds is what ANTLR would hold, or it fails as
// ANTLR fails.
std::string Loaded(const std::string& text, bool antlr) {
  try {
    if (antlr) {
      antlr4::ANTLRInputStream in(text.data(), text.size());
      return std::to_string(in.size()) + ": " + in.toString();
    }
    CodePointStream in(text);
    return std::to_string(in.size()) + ": " + in.toString();
  } catch (const std::exception& e) {
    return std::string("throws: ") + e.what();
  }
}

TEST(Scanner, ReadsTextAsAntlrReadsIt) {
  for (const std::string& text :
       {std::string("plain"), std::string("\xEF\xBB\xBF" "bom"), std::string("a\xEF\xBB\xBF" "b"),
        std::string("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"), std::string("a\xFF" "b"),
        std::string("\xC3"), std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80"),
        std::string("\xC0\xAF"), std::string("\xE2\x82")}) {
    EXPECT_EQ(Loaded(text, false), Loaded(text, true)) << text;
  }
}

TEST(Scanner, AgreesOnRandomText) {
  // Pieces that the token rules tell apart, glued at random.
  const std::vector<std::string> pieces = {
      "a", "Z", "T", "e", "E", "x", "_", "and", "rule", "score", "decisions", "decisionsx",
      "0", "1", "9", "2026", "03", "-", "+", ":", ".", "\"", "\\", "\n", "\r", " ", "\t",
      "\f", "#", "/", "=", "!", "<", ">", "(", ")", "{", "}", ",", "@", "*", "%", "é",
      "€", "😀", "$", "ms", "2026-03-01", "T10:00:00", ":00", ".250", "+13:00",
  };
  std::mt19937 random(16);  // fixed: the same texts every run
  std::uniform_int_distribution<size_t> piece(0, pieces.size() - 1);
  std::uniform_int_distribution<size_t> length(0, 30);
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (size_t n = length(random); n > 0; --n) text += pieces[piece(random)];
    const std::string difference = Compare(text);
    ASSERT_EQ(difference, "") << "text: " << text;
  }
}

// The parser's token stream (parse_internal.hpp) numbers its tokens without
// BufferedTokenStream::fetch's cast: the same tokens, each with its index in
// the stream, as CommonTokenStream gives, whether fetched one at a time or
// all at once.
TEST(ParseTokenStream, NumbersTheTokensAsCommonTokenStreamDoes) {
  const std::string texts[] = {
      "",
      "# only a comment\n",
      "rule r { when amount >= 1.00 and c in {\"PH\", \"US\"} // x\n then score 5 }\n",
      "ruleset a.b version \"1\"\n\nconst X = (1, 2)\n@ \"unterminated\n",
  };
  for (const std::string& text : texts) {
    CodePointStream want_input(text);
    ParseLexer want_lexer(&want_input);
    antlr4::CommonTokenStream want(&want_lexer);
    want.fill();
    CodePointStream got_input(text);
    ParseLexer got_lexer(&got_input);
    ParseTokenStream got(&got_lexer);
    // One token at a time, as the parser asks for them.
    while (got.LA(1) != antlr4::Token::EOF) got.consume();
    got.fill();
    ASSERT_EQ(got.size(), want.size()) << text;
    ASSERT_GT(got.size(), 0u);
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got.get(i)->getTokenIndex(), i) << text;
      EXPECT_EQ(want.get(i)->getTokenIndex(), i) << text;
      EXPECT_EQ(got.get(i)->getType(), want.get(i)->getType()) << text;
      EXPECT_EQ(got.get(i)->getStartIndex(), want.get(i)->getStartIndex()) << text;
      EXPECT_EQ(got.get(i)->getStopIndex(), want.get(i)->getStopIndex()) << text;
    }
    EXPECT_EQ(got.get(got.size() - 1)->getType(), antlr4::Token::EOF);
    EXPECT_EQ(got_lexer.tokens(), want_lexer.tokens());
  }
}

// TokenMapper turns ANTLR's code-point positions into byte ranges: through a
// table when the text has multi-byte characters, without one when it is all
// ASCII (then code point i is byte i). Both give the bytes of every token as
// the text holds them, and the end of the text for the end-of-file token.
TEST(TokenMapper, GivesEachTokensBytesWithAndWithoutItsTable) {
  const std::string texts[] = {
      "",
      "rule r { when amount >= 1.00 then score 5 }\n",
      "const \u00e9t\u00e9 = \"\u00e0 \u4e2d \U0001F600\" // caf\u00e9\nlet x = 1\n",
  };
  for (const std::string& text : texts) {
    for (uint32_t base : {0u, 17u}) {
      const TokenMapper mapper(3, text, base);
      CodePointStream input(text);
      ParseLexer lexer(&input);
      antlr4::CommonTokenStream tokens(&lexer);
      tokens.fill();
      ASSERT_GT(tokens.size(), 0u);
      for (size_t i = 0; i + 1 < tokens.size(); ++i) {
        const antlr4::Token* t = tokens.get(i);
        const SourceRange r = mapper.Range(t);
        EXPECT_EQ(r.file, 3u);
        ASSERT_LE(r.begin, r.end);
        ASSERT_LE(r.end, base + text.size());
        EXPECT_EQ(text.substr(r.begin - base, r.end - r.begin), t->getText()) << text;
      }
      const SourceRange eof = mapper.Range(tokens.get(tokens.size() - 1));
      EXPECT_EQ(eof.begin, base + text.size()) << text;
      EXPECT_EQ(eof.end, base + text.size()) << text;
      // Past the end, as ANTLR may ask for a missing token's stop.
      EXPECT_EQ(mapper.CodePoints(input.size() + 3, input.size() + 5).begin, base + text.size());
    }
  }
}

}  // namespace
}  // namespace vigil::syntax
