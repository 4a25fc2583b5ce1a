#include "syntax/parse_cache.hpp"

#include <algorithm>

#include "base/limits.hpp"
#include "syntax/ast_copy.hpp"
#include "syntax/declaration_split.hpp"

namespace vigil::syntax {

std::shared_ptr<const ParseCache::Piece> ParseCache::ParsePiece(const std::string& path,
                                                               std::string text) {
  auto piece = std::make_shared<Piece>();
  SourceManager alone;
  const uint32_t id = alone.Add(path, std::move(text));
  DiagSink diags;  // every diagnostic kept: any one makes the piece unusable
  std::optional<ast::File> file = ParseFileFast(alone, id, diags, &piece->counts);
  piece->clean = file && diags.diagnostics().empty() && diags.warnings_not_shown() == 0;
  if (piece->clean) piece->ast = std::move(*file);
  return piece;
}

std::optional<ast::File> ParseCache::Parse(const SourceManager& sources, uint32_t file_id,
                                           DiagSink& diags) {
  last_ = Stats{};
  if (!CheckFileText(sources, file_id, diags)) return std::nullopt;
  const SourceFile& source = sources.file(file_id);
  const std::string& path = source.path();
  const std::string_view text = source.text();
  // A second byte-order mark (the first is never kept) would be dropped by a
  // piece's SourceManager but read by ANTLR in the whole file: parse it whole.
  if (text.starts_with("\xEF\xBB\xBF")) {
    last_ = Stats{1, 0, true};
    return ParseFile(sources, file_id, diags);
  }

  recent_.remove(path);
  recent_.push_front(path);
  while (recent_.size() > kMaxFiles) {
    files_.erase(recent_.back());
    recent_.pop_back();
  }
  Pieces& before = files_[path];
  Pieces now;
  std::vector<uint32_t> starts = DeclarationStarts(text);
  std::vector<std::shared_ptr<const Piece>> pieces;
  pieces.reserve(starts.size());
  ParseCounts total;
  bool clean = true;
  for (size_t i = 0; i < starts.size() && clean; ++i) {
    const uint32_t end = i + 1 < starts.size() ? starts[i + 1] : static_cast<uint32_t>(text.size());
    std::string piece_text(text.substr(starts[i], end - starts[i]));
    std::shared_ptr<const Piece> piece;
    if (auto it = now.find(piece_text); it != now.end()) {
      piece = it->second;
      ++last_.reused;
    } else if (auto old = before.find(piece_text); old != before.end()) {
      piece = old->second;
      ++last_.reused;
    } else {
      piece = ParsePiece(path, piece_text);
    }
    now.emplace(std::move(piece_text), piece);
    clean = piece->clean;
    total.tokens += piece->counts.tokens;
    total.nodes += piece->counts.nodes;
    pieces.push_back(std::move(piece));
  }
  last_.pieces = starts.size();
  // After a piece that does not parse the rest is not looked at: keep its
  // pieces for when the error is fixed.
  if (!clean) now.merge(before);
  before = std::move(now);
  // The limits count the whole file: pieces that fit them one by one may not
  // fit together, and only the whole parse reports that as ParseFile does.
  if (!clean || total.tokens > limits::kMaxTokens || total.nodes > limits::kMaxParseNodes) {
    last_.whole = true;
    return ParseFile(sources, file_id, diags);
  }
  ast::File file;
  file.file_id = file_id;
  size_t items = 0;
  for (const auto& piece : pieces) items += piece->ast.items.size();
  file.items.reserve(items);
  for (size_t i = 0; i < pieces.size(); ++i) {
    const Relocation to{file_id, starts[i]};
    for (const ast::Item& item : pieces[i]->ast.items) file.items.push_back(CopyItem(item, to));
  }
  return file;
}

}  // namespace vigil::syntax
