#include "lsp/server.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "format/formatter.hpp"
#include "lsp/uri.hpp"

namespace vigil::lsp {

namespace {

constexpr size_t kMaxJsonDepth = 64;
constexpr size_t kMaxDocumentBytes = MessageReader::kMaxBodyBytes;
constexpr const char* kRunTestsCommand = "vigil.runTests";

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Typed access to request params, with errors that name the member.
const json& Member(const json& obj, const char* name, const char* where) {
  if (!obj.is_object() || !obj.contains(name)) {
    throw RequestError(kInvalidParams, fmt::format("{}.{} is missing", where, name));
  }
  return obj[name];
}

std::string String(const json& obj, const char* name, const char* where) {
  const json& v = Member(obj, name, where);
  if (!v.is_string()) throw RequestError(kInvalidParams, fmt::format("{}.{} must be a string", where, name));
  return v.get<std::string>();
}

Position PositionOf(const json& obj, const char* where) {
  const json& line = Member(obj, "line", where);
  const json& ch = Member(obj, "character", where);
  if (!line.is_number_unsigned() || !ch.is_number_unsigned() || line.get<uint64_t>() > UINT32_MAX ||
      ch.get<uint64_t>() > UINT32_MAX) {
    throw RequestError(kInvalidParams, fmt::format("{} must have unsigned line and character", where));
  }
  return Position{static_cast<uint32_t>(line.get<uint64_t>()), static_cast<uint32_t>(ch.get<uint64_t>())};
}

bool ValidId(const json& id) { return id.is_string() || id.is_number_integer(); }

json DiagnosticJson(const PublishedDiagnostic& d, const std::string& uri) {
  json range{{"start", {{"line", d.start.line}, {"character", d.start.character}}},
             {"end", {{"line", d.end.line}, {"character", d.end.character}}}};
  int severity = d.severity == Severity::kError ? 1 : d.severity == Severity::kWarning ? 2 : 3;
  json out{{"range", range}, {"severity", severity}, {"code", d.code}, {"source", "vigil"},
           {"message", d.message}};
  if (!d.help.empty()) {
    out["relatedInformation"] = json::array(
        {json{{"location", {{"uri", uri}, {"range", range}}}, {"message", "help: " + d.help}}});
    out["data"] = {{"help", d.help}};
  }
  return out;
}

}  // namespace

Server::Server(CompileOptions options, std::string root) : workspace_(std::move(options)) {
  workspace_.SetRoot(std::move(root));
}

std::vector<std::string> Server::TakeOutgoing() {
  std::vector<std::string> out;
  out.swap(outgoing_);
  return out;
}

void Server::Notify(const std::string& method, const json& params) {
  outgoing_.push_back(Dump(json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}}));
}

void Server::Reply(const json& id, json result) {
  outgoing_.push_back(Dump(json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}));
}

void Server::ReplyError(const json& id, int code, const std::string& message) {
  outgoing_.push_back(Dump(json{{"jsonrpc", "2.0"},
                                {"id", id},
                                {"error", {{"code", code}, {"message", message}}}}));
}

void Server::ShowMessage(int type, const std::string& message) {
  Notify("window/showMessage", json{{"type", type}, {"message", message}});
}

void Server::HandleBatch(const std::vector<MessageReader::Frame>& frames) {
  std::vector<json> messages;
  for (const auto& frame : frames) {
    if (!frame.ok) {
      ReplyError(nullptr, kParseError, frame.error);
      continue;
    }
    if (NestsDeeperThan(frame.body, kMaxJsonDepth)) {
      ReplyError(nullptr, kInvalidRequest,
                 fmt::format("message nests deeper than {} levels", kMaxJsonDepth));
      continue;
    }
    json msg = json::parse(frame.body, nullptr, /*allow_exceptions=*/false);
    if (msg.is_discarded()) {
      ReplyError(nullptr, kParseError, "message is not valid JSON (or not UTF-8)");
      continue;
    }
    if (msg.is_object() && msg.contains("method") && msg["method"] == "$/cancelRequest" &&
        msg.contains("params") && msg["params"].is_object() && msg["params"].contains("id")) {
      cancelled_.insert(Dump(msg["params"]["id"]));
      continue;
    }
    messages.push_back(std::move(msg));
  }
  for (const json& msg : messages) {
    if (exited_) break;
    HandleMessage(msg);
  }
  cancelled_.clear();  // a cancellation for a request already answered is moot
}

void Server::HandleMessage(const json& msg) {
  if (!msg.is_object()) {
    ReplyError(nullptr, kInvalidRequest, "a message must be a JSON object");
    return;
  }
  json id = msg.contains("id") ? msg["id"] : json();
  bool has_id = msg.contains("id");
  if (!msg.contains("jsonrpc") || msg["jsonrpc"] != "2.0") {
    ReplyError(has_id && ValidId(id) ? id : json(), kInvalidRequest, "\"jsonrpc\" must be \"2.0\"");
    return;
  }
  if (!msg.contains("method")) {
    // A response to a request of ours (none needs an answer): ignored.
    if (msg.contains("result") || msg.contains("error")) return;
    ReplyError(has_id && ValidId(id) ? id : json(), kInvalidRequest, "a message needs a \"method\"");
    return;
  }
  if (!msg["method"].is_string()) {
    ReplyError(has_id && ValidId(id) ? id : json(), kInvalidRequest, "\"method\" must be a string");
    return;
  }
  if (has_id && !ValidId(id)) {
    ReplyError(nullptr, kInvalidRequest, "\"id\" must be a string or an integer");
    return;
  }
  const std::string method = msg["method"].get<std::string>();
  const json params = msg.contains("params") && !msg["params"].is_null() ? msg["params"] : json::object();
  if (!params.is_object() && !params.is_array()) {
    if (has_id) ReplyError(id, kInvalidParams, "\"params\" must be an object or an array");
    return;
  }
  if (!has_id) {  // a notification: errors are logged, never answered
    try {
      Dispatch(method, params);
    } catch (const RequestError& e) {
      // Notifications the server does not know are dropped, as the protocol says.
      if (e.code == kMethodNotFound) return;
      Notify("window/logMessage", json{{"type", 1}, {"message", fmt::format("{}: {}", method, e.what())}});
    } catch (const std::exception& e) {
      Notify("window/logMessage", json{{"type", 1}, {"message", fmt::format("{}: {}", method, e.what())}});
    }
    return;
  }
  if (cancelled_.count(Dump(id)) > 0) {
    ReplyError(id, kRequestCancelled, "request cancelled");
    return;
  }
  try {
    Reply(id, Dispatch(method, params));
  } catch (const RequestError& e) {
    ReplyError(id, e.code, e.what());
  } catch (const std::exception& e) {
    ReplyError(id, kInternalError, fmt::format("internal error: {}", e.what()));
  }
}

json Server::Dispatch(const std::string& method, const json& params) {
  if (method == "exit") {
    exited_ = true;
    return nullptr;
  }
  if (method == "initialize") {
    if (initialized_) throw RequestError(kInvalidRequest, "initialize was already received");
    return Initialize(params);
  }
  if (!initialized_) {
    throw RequestError(kServerNotInitialized, fmt::format("'{}' before initialize", method));
  }
  if (shutdown_) throw RequestError(kInvalidRequest, fmt::format("'{}' after shutdown", method));
  if (method == "shutdown") {
    shutdown_ = true;
    return nullptr;
  }
  if (method == "initialized" || method.starts_with("$/") ||
      method == "workspace/didChangeConfiguration" || method == "textDocument/didSave") {
    return nullptr;
  }
  if (method == "textDocument/didOpen") {
    DidOpen(params);
    return nullptr;
  }
  if (method == "textDocument/didChange") {
    DidChange(params);
    return nullptr;
  }
  if (method == "textDocument/didClose") {
    workspace_.Close(String(Member(params, "textDocument", "params"), "uri", "params.textDocument"));
    return nullptr;
  }
  if (method == "workspace/didChangeWatchedFiles") {
    workspace_.FilesChanged();
    return nullptr;
  }
  if (method == "textDocument/hover") return Hover(ContextFor(params, true));
  if (method == "textDocument/completion") return Completion(ContextFor(params, true));
  if (method == "textDocument/definition") return Definition(ContextFor(params, true));
  if (method == "textDocument/references") {
    bool decl = true;
    if (params.contains("context") && params["context"].is_object() &&
        params["context"].contains("includeDeclaration") &&
        params["context"]["includeDeclaration"].is_boolean()) {
      decl = params["context"]["includeDeclaration"].get<bool>();
    }
    return References(ContextFor(params, true), decl);
  }
  if (method == "textDocument/prepareRename") return PrepareRename(ContextFor(params, true));
  if (method == "textDocument/rename") {
    return Rename(ContextFor(params, true), String(params, "newName", "params"));
  }
  if (method == "textDocument/formatting") return Formatting(params);
  if (method == "textDocument/documentSymbol") return DocumentSymbols(ContextFor(params, false));
  if (method == "textDocument/semanticTokens/full") return SemanticTokens(ContextFor(params, false));
  if (method == "textDocument/codeAction") {
    return CodeActions(ContextFor(params, false), Member(params, "range", "params"));
  }
  if (method == "textDocument/codeLens") return CodeLenses(ContextFor(params, false));
  if (method == "workspace/executeCommand") return ExecuteCommand(params);
  throw RequestError(kMethodNotFound, fmt::format("unknown method '{}'", method));
}

json Server::Initialize(const json& params) {
  // The server runs in the client's workspace root, as `vigil check` run
  // there would: relative paths in messages and imports mean the same.
  std::optional<std::string> root;
  if (params.contains("rootUri") && params["rootUri"].is_string()) {
    root = UriToPath(params["rootUri"].get<std::string>());
  } else if (params.contains("rootPath") && params["rootPath"].is_string()) {
    root = params["rootPath"].get<std::string>();
  }
  if (root && !root->empty() && (!enter_root_ || ::chdir(root->c_str()) == 0)) {
    workspace_.SetRoot(*root);
  }
  const json caps = params.contains("capabilities") ? params["capabilities"] : json::object();
  auto flag = [&](std::initializer_list<const char*> path) {
    const json* at = &caps;
    for (const char* key : path) {
      if (!at->is_object() || !at->contains(key)) return false;
      at = &(*at)[key];
    }
    return at->is_boolean() && at->get<bool>();
  };
  caps_.snippets = flag({"textDocument", "completion", "completionItem", "snippetSupport"});
  caps_.hierarchical_symbols =
      flag({"textDocument", "documentSymbol", "hierarchicalDocumentSymbolSupport"});
  initialized_ = true;
  json capabilities{
      {"positionEncoding", "utf-16"},
      {"textDocumentSync", {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
      {"hoverProvider", true},
      {"completionProvider", {{"triggerCharacters", {"@", ":"}}, {"resolveProvider", false}}},
      {"definitionProvider", true},
      {"referencesProvider", true},
      {"renameProvider", {{"prepareProvider", true}}},
      {"documentFormattingProvider", true},
      {"documentSymbolProvider", true},
      {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
      {"codeLensProvider", {{"resolveProvider", false}}},
      {"semanticTokensProvider", {{"legend", SemanticTokensLegend()}, {"full", true}}},
      {"executeCommandProvider", {{"commands", {kRunTestsCommand}}}},
  };
  return json{{"capabilities", capabilities},
              {"serverInfo", {{"name", "vigil"}, {"version", VIGIL_VERSION_STRING_INTERNAL}}}};
}

void Server::DidOpen(const json& params) {
  const json& td = Member(params, "textDocument", "params");
  std::string uri = String(td, "uri", "params.textDocument");
  std::string text = String(td, "text", "params.textDocument");
  int64_t version = td.contains("version") && td["version"].is_number_integer()
                        ? td["version"].get<int64_t>()
                        : 0;
  std::string error;
  if (!workspace_.Open(uri, std::move(text), version, &error)) ShowMessage(1, "vigil: " + error);
}

void Server::DidChange(const json& params) {
  const json& td = Member(params, "textDocument", "params");
  std::string uri = String(td, "uri", "params.textDocument");
  Document* doc = workspace_.Find(uri);
  if (doc == nullptr) throw RequestError(kInvalidParams, fmt::format("'{}' is not open", uri));
  const json& changes = Member(params, "contentChanges", "params");
  if (!changes.is_array()) throw RequestError(kInvalidParams, "params.contentChanges must be an array");
  for (const json& change : changes) {
    std::string text = String(change, "text", "params.contentChanges[]");
    if (change.contains("range")) {
      const json& range = change["range"];
      LineIndex lines(doc->text);
      uint32_t a = lines.ToOffset(PositionOf(Member(range, "start", "range"), "range.start"));
      uint32_t b = lines.ToOffset(PositionOf(Member(range, "end", "range"), "range.end"));
      if (b < a) std::swap(a, b);
      if (doc->text.size() - (b - a) + text.size() > kMaxDocumentBytes) {
        ShowMessage(1, fmt::format("vigil: '{}' would exceed {} bytes; the change is ignored", uri,
                                   kMaxDocumentBytes));
        return;
      }
      doc->text.replace(a, b - a, text);
    } else {
      doc->text = std::move(text);
    }
  }
  if (td.contains("version") && td["version"].is_number_integer()) {
    doc->version = td["version"].get<int64_t>();
  }
  workspace_.Changed(*doc);
}

Context Server::ContextFor(const json& params, bool with_position) {
  const json& td = Member(params, "textDocument", "params");
  std::string uri = String(td, "uri", "params.textDocument");
  Document* doc = workspace_.Find(uri);
  if (doc == nullptr) {
    throw RequestError(kInvalidParams, fmt::format("'{}' is not open", uri.substr(0, 200)));
  }
  std::shared_ptr<const Analysis> analysis = workspace_.AnalysisFor(*doc);
  std::optional<uint32_t> file = analysis->FileId(doc->path);
  if (!file) throw RequestError(kRequestFailed, fmt::format("'{}' was not compiled", doc->path));
  Context c{workspace_, *doc, analysis, *file, 0, caps_};
  if (with_position) {
    c.offset = analysis->Lines(*file).ToOffset(PositionOf(Member(params, "position", "params"),
                                                          "params.position"));
  }
  return c;
}

json Server::Formatting(const json& params) {
  const json& td = Member(params, "textDocument", "params");
  std::string uri = String(td, "uri", "params.textDocument");
  Document* doc = workspace_.Find(uri);
  if (doc == nullptr) throw RequestError(kInvalidParams, fmt::format("'{}' is not open", uri));
  SourceManager sources;
  uint32_t id = sources.Add(doc->path, doc->text);
  DiagSink diags;
  std::optional<std::string> formatted = format::Format(sources, id, diags);
  if (!formatted) {
    throw RequestError(kRequestFailed,
                       fmt::format("'{}' has syntax errors; not formatted", doc->path));
  }
  if (*formatted == doc->text) return json::array();
  LineIndex lines(doc->text);
  Position end = lines.ToPosition(static_cast<uint32_t>(doc->text.size()));
  return json::array({json{{"range",
                            {{"start", {{"line", 0}, {"character", 0}}},
                             {"end", {{"line", end.line}, {"character", end.character}}}}},
                           {"newText", *formatted}}});
}

json Server::ExecuteCommand(const json& params) {
  std::string command = String(params, "command", "params");
  if (command != kRunTestsCommand) {
    throw RequestError(kInvalidParams, fmt::format("unknown command '{}'", command.substr(0, 80)));
  }
  const json args = params.contains("arguments") ? params["arguments"] : json::array();
  if (!args.is_array() || args.empty() || !args[0].is_string()) {
    throw RequestError(kInvalidParams, "vigil.runTests takes [uri, rule or test name]");
  }
  std::string only = args.size() > 1 && args[1].is_string() ? args[1].get<std::string>() : "";
  json fake{{"textDocument", {{"uri", args[0]}}}};
  json result = RunTestsCommand(ContextFor(fake, false), only);
  size_t failed = result["failed"].get<size_t>();
  std::string summary = fmt::format("vigil: {}{} passed, {} failed", only.empty() ? "" : only + ": ",
                                    result["passed"].get<size_t>(), failed);
  if (failed > 0 && !result["failures"].empty()) {
    summary += fmt::format(" ({}: {})", result["failures"][0]["where"].get<std::string>(),
                           result["failures"][0]["message"].get<std::string>());
  }
  ShowMessage(failed > 0 ? 1 : 3, summary);
  return result;
}

void Server::Idle() {
  for (const Publication& p : workspace_.Refresh()) {
    json diags = json::array();
    for (const auto& d : p.diagnostics) diags.push_back(DiagnosticJson(d, p.uri));
    json params{{"uri", p.uri}, {"diagnostics", diags}};
    if (const Document* doc = workspace_.Find(p.uri)) params["version"] = doc->version;
    Notify("textDocument/publishDiagnostics", params);
  }
}

}  // namespace vigil::lsp
