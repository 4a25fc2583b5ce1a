// The language features, one file each, all working on one analysis of the
// document's unit. Each takes the request's params and returns its result
// (JSON), or throws RequestError for a request that cannot be answered.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>
#include <string>

#include "lsp/workspace.hpp"

namespace vigil::lsp {

using json = nlohmann::json;

// JSON-RPC error codes used by the server.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerNotInitialized = -32002;
inline constexpr int kRequestFailed = -32803;
inline constexpr int kRequestCancelled = -32800;

// A character of an identifier (ASCII letters, digits, '_'): where a word
// under the cursor starts and ends.
inline bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

struct RequestError : std::runtime_error {
  RequestError(int c, const std::string& message) : std::runtime_error(message), code(c) {}
  int code;
};

// What the client said it can do (initialize params).
struct ClientCaps {
  bool snippets = false;
  bool hierarchical_symbols = true;
};

// A request about a position or the whole of one open document.
struct Context {
  Workspace& workspace;
  const Document& doc;
  std::shared_ptr<const Analysis> analysis;
  uint32_t file = 0;    // the document's source id in the analysis
  uint32_t offset = 0;  // the request's position, as a byte offset
  const ClientCaps& caps;

  json Range(SourceRange r) const;
  json Location(SourceRange r) const;
  std::string Uri(uint32_t file_id) const;
  std::string_view Text() const { return analysis->Text(file); }
};

json Hover(const Context& c);
json Completion(const Context& c);
json Definition(const Context& c);
json References(const Context& c, bool include_declaration);
json PrepareRename(const Context& c);
json Rename(const Context& c, const std::string& new_name);
json DocumentSymbols(const Context& c);
json SemanticTokens(const Context& c);
json SemanticTokensLegend();
json CodeActions(const Context& c, const json& range);
json CodeLenses(const Context& c);
// workspace/executeCommand "vigil.runTests": runs the unit's tests (all, or
// those naming a rule or with a name), returns the counts and failures.
json RunTestsCommand(const Context& c, const std::string& only);

// Shared helpers.
// The identifier around `offset` ([A-Za-z0-9_]); empty when there is none.
std::string_view WordAt(std::string_view text, uint32_t offset, uint32_t* begin = nullptr);
// The declaration the name at the context's offset refers to.
std::optional<uint32_t> DeclAt(const Context& c);
bool IsReserved(std::string_view word);

}  // namespace vigil::lsp
