#include "syntax/parse.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <mutex>

#include "base/bom.hpp"
#include "base/bytes.hpp"
#include "base/limits.hpp"
#include "base/utf8.hpp"
#include "syntax/ast_builder.hpp"
#include "syntax/parse_internal.hpp"

namespace vigil::syntax {

using vigil_grammar::VigilParser;

TokenMapper::TokenMapper(uint32_t file_id, std::string_view text, uint32_t base_offset)
    : file_id_(file_id), base_(base_offset), size_(static_cast<uint32_t>(text.size())) {
  // All ASCII (most rule files): code point i is byte i, and no table is
  // built (4 bytes a byte of the file, filled one push_back a byte).
  if (AllAscii(text)) return;
  // ANTLRInputStream drops a byte-order mark at the start of any text it is
  // given, so its code point 0 is the character after the mark. Sources hold
  // no BOM (SourceManager::Add), but a template's {expr} may start with one.
  const auto first = static_cast<uint32_t>(text.size() - SkipUtf8Bom(text).size());
  // Written through a pointer, eight ASCII bytes at once (a push_back a
  // byte was 7 instructions a byte); cut to the code points at the end.
  cp_to_byte_.resize(text.size() + 1);
  uint32_t* const out = cp_to_byte_.data();
  size_t n = 0;
  for (uint32_t i = first; i < size_;) {
    if (i + 8 <= size_) {
      if (EightBytesAscii(text.data() + i)) {
        for (uint32_t k = 0; k < 8; ++k) out[n + k] = i + k;
        n += 8;
        i += 8;
        continue;
      }
    }
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) out[n++] = i;
    ++i;
  }
  out[n++] = size_;
  cp_to_byte_.resize(n);
}

uint32_t TokenMapper::ByteOffset(size_t cp) const {
  if (cp_to_byte_.empty()) return base_ + static_cast<uint32_t>(std::min<size_t>(cp, size_));
  if (cp >= cp_to_byte_.size()) return base_ + cp_to_byte_.back();
  return base_ + cp_to_byte_[cp];
}

SourceRange TokenMapper::Range(const antlr4::Token* token) const {
  if (token->getType() == antlr4::Token::EOF) {
    // After the last code point: the text's end, with or without a table.
    return SourceRange{file_id_, base_ + size_, base_ + size_};
  }
  size_t start = token->getStartIndex();
  size_t stop = token->getStopIndex();
  if (stop + 1 < start) stop = start;  // zero-length (missing) tokens
  return SourceRange{file_id_, ByteOffset(start), ByteOffset(stop + 1)};
}

SourceRange TokenMapper::CodePoints(size_t start, size_t stop) const {
  if (stop + 1 < start) stop = start;
  return SourceRange{file_id_, ByteOffset(start), ByteOffset(stop + 1)};
}

SourceRange TokenMapper::Span(const antlr4::Token* first, const antlr4::Token* last) const {
  SourceRange a = Range(first);
  SourceRange b = Range(last);
  return SourceRange{file_id_, a.begin, std::max(a.begin, b.end)};
}

SourceRange TokenMapper::Range(antlr4::ParserRuleContext* ctx) const {
  return Span(ctx->getStart(), ctx->getStop() != nullptr ? ctx->getStop() : ctx->getStart());
}

// The generated parser keeps its DFA cache in static members shared by every
// instance; ANTLR 4.9 does not promise that concurrent parses are safe, so
// compilations in different threads parse one at a time. Recursive, because
// the AST builder parses reason-template expressions while it holds the lock.
std::recursive_mutex& ParserMutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

namespace {

// Runs `parse` on a fresh parser over `text`; SLL first (fast), then full LL
// with error reporting only when SLL fails. Returns false on syntax errors.
template <typename Rule, typename Build>
bool RunParser(std::string_view text, const TokenMapper& mapper, DiagSink& diags, Rule rule,
               Build build, ParseCounts* counts = nullptr, bool first_stage_only = false) {
  std::lock_guard<std::recursive_mutex> lock(ParserMutex());
  CodePointStream input(text);
  ParseLexer lexer(&input);
  ParseTokenStream tokens(&lexer);
  GuardedParser parser(&tokens);
  parser.removeErrorListeners();
  parser.removeParseListeners();
  try {
    // Tokens are lexed as the parser needs them (not all first), so that a
    // limit met early in the file (a set literal's elements) is reported
    // before the limit on the file's tokens.
    // Stage 1: SLL prediction, bail out at the first error.
    auto bail = std::make_shared<antlr4::BailErrorStrategy>();
    parser.setErrorHandler(bail);
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::SLL);
    try {
      auto* tree = rule(parser);
      build(tree);
      if (counts != nullptr) *counts = ParseCounts{lexer.tokens(), parser.nodes()};
      return true;
    } catch (antlr4::ParseCancellationException&) {
      // Fall through to the full parse, which reports the errors.
      if (first_stage_only) return false;
    }
    // Stage 2: full LL with our error wording and recovery.
    tokens.seek(0);
    parser.Restart();  // frees the first attempt's tree before building another
    DiagErrorListener listener(diags, mapper);
    parser.addErrorListener(&listener);
    parser.setErrorHandler(std::make_shared<VigilErrorStrategy>(diags));
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    auto* tree = rule(parser);
    if (listener.errors() > 0) return false;
    build(tree);  // SLL can fail where LL succeeds
    if (counts != nullptr) *counts = ParseCounts{lexer.tokens(), parser.nodes()};
    return true;
  } catch (const ParseTooDeep& e) {
    SourceRange range = e.token != nullptr ? mapper.Range(e.token) : SourceRange{};
    diags.Error(DiagCode::kTooDeep, range,
                fmt::format("nesting is too deep (the limit is {} levels of grammar rules)",
                            limits::kMaxParseDepth),
                "split the expression into lets");
  } catch (const ParseTooLarge& e) {
    diags.Error(e.code, mapper.CodePoints(e.start, e.stop), e.message, e.help);
  } catch (const ParseAbandoned&) {
    // The sink already holds the "too many errors" diagnostic.
  }
  return false;
}

}  // namespace

bool CheckFileText(const SourceManager& sources, uint32_t file_id, DiagSink& diags) {
  const SourceFile& file = sources.file(file_id);
  if (file.text().size() > limits::kMaxSourceBytes) {
    diags.Error(DiagCode::kFileTooLarge, SourceRange{file_id, 0, 0},
                fmt::format("file is too large ({} bytes; the limit is {} bytes)",
                            file.text().size(), limits::kMaxSourceBytes));
    return false;
  }
  size_t bad = utf8::FindInvalid(file.text());
  if (bad != std::string_view::npos) {
    auto at = static_cast<uint32_t>(bad);
    diags.Error(DiagCode::kInvalidUtf8, SourceRange{file_id, at, at + 1},
                fmt::format("invalid UTF-8 (byte 0x{:02X}); rule files must be UTF-8",
                            static_cast<unsigned char>(file.text()[bad])));
    return false;
  }
  // No string vigil holds contains NUL, and a rule file is text: a NUL byte
  // anywhere (even in a comment, where C-string tools would cut the file
  // short of what is compiled) is refused like an escape of U+0000.
  size_t nul = file.text().find('\0');
  if (nul != std::string_view::npos) {
    auto at = static_cast<uint32_t>(nul);
    diags.Error(DiagCode::kNulCharacter, SourceRange{file_id, at, at + 1},
                "a NUL character (U+0000) in a rule file",
                "rule files are text; remove it (strings cannot contain NUL)");
    return false;
  }
  return true;
}

namespace {

std::optional<ast::File> Parse(const SourceManager& sources, uint32_t file_id, DiagSink& diags,
                               ParseCounts* counts, bool first_stage_only) {
  const SourceFile& file = sources.file(file_id);
  if (!CheckFileText(sources, file_id, diags)) return std::nullopt;
  TokenMapper mapper(file_id, file.text(), 0);
  std::optional<ast::File> result;
  size_t errors_before = diags.error_count();
  bool ok = RunParser(
      file.text(), mapper, diags, [](VigilParser& p) { return p.file(); },
      [&](VigilParser::FileContext* tree) {
        AstBuilder builder(sources, mapper, diags);
        result = builder.BuildFile(tree);
      },
      counts, first_stage_only);
  if (!ok || diags.error_count() > errors_before) return std::nullopt;
  return result;
}

}  // namespace

std::optional<ast::File> ParseFile(const SourceManager& sources, uint32_t file_id,
                                   DiagSink& diags) {
  return Parse(sources, file_id, diags, nullptr, false);
}

std::optional<ast::File> ParseFileFast(const SourceManager& sources, uint32_t file_id,
                                       DiagSink& diags, ParseCounts* counts) {
  return Parse(sources, file_id, diags, counts, true);
}

ast::ExprPtr ParseExpression(const SourceManager& sources, uint32_t file_id, uint32_t begin,
                             uint32_t end, DiagSink& diags) {
  std::string_view text = sources.file(file_id).text().substr(begin, end - begin);
  TokenMapper mapper(file_id, text, begin);
  ast::ExprPtr result;
  size_t errors_before = diags.error_count();
  bool ok = RunParser(
      text, mapper, diags, [](VigilParser& p) { return p.exprOnly(); },
      [&](VigilParser::ExprOnlyContext* tree) {
        AstBuilder builder(sources, mapper, diags);
        result = builder.BuildExpr(tree->expr());
      });
  if (!ok || diags.error_count() > errors_before) return nullptr;
  return result;
}

}  // namespace vigil::syntax
