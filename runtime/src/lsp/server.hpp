// The language server: JSON-RPC messages in, replies and notifications out.
// Independent of the transport (transport.hpp runs it on stdin/stdout), so
// tests and benchmarks can drive it directly.
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "api/compiler.hpp"
#include "lsp/features.hpp"
#include "lsp/json_rpc.hpp"
#include "lsp/workspace.hpp"

namespace vigil::lsp {

class Server {
 public:
  // `options`: how rule files are compiled (as `vigil check` would, from the
  // environment); `root`: the directory paths are shown relative to until
  // the client names its workspace.
  Server(CompileOptions options, std::string root);

  // The frames read in one go, in order. A `$/cancelRequest` among them
  // also cancels a request that came before it in the batch.
  void HandleBatch(const std::vector<MessageReader::Frame>& frames);
  void Handle(const MessageReader::Frame& frame) { HandleBatch({frame}); }
  // Called when no input is waiting: checks the documents edited since the
  // last call and publishes their diagnostics.
  void Idle();
  bool HasIdleWork() const { return workspace_.HasDirty(); }

  // Message bodies to send, in order.
  std::vector<std::string> TakeOutgoing();
  bool exited() const { return exited_; }
  // Whether `initialize` moves the process into the client's root folder
  // (on for `vigil lsp`; off where the process is shared, as in the fuzzer).
  void set_enter_root(bool enter) { enter_root_ = enter; }
  // 0 after `shutdown` then `exit`, 1 otherwise (as the protocol says).
  int exit_code() const { return shutdown_ ? 0 : 1; }

 private:
  void HandleMessage(const json& msg);
  json Dispatch(const std::string& method, const json& params);
  void Notify(const std::string& method, const json& params);
  void Reply(const json& id, json result);
  void ReplyError(const json& id, int code, const std::string& message);
  void ShowMessage(int type, const std::string& message);

  json Initialize(const json& params);
  void DidOpen(const json& params);
  void DidChange(const json& params);
  Context ContextFor(const json& params, bool with_position);
  json Formatting(const json& params);
  json ExecuteCommand(const json& params);

  Workspace workspace_;
  ClientCaps caps_;
  bool initialized_ = false;
  bool shutdown_ = false;
  bool exited_ = false;
  bool enter_root_ = true;
  std::set<std::string> cancelled_;  // ids (as JSON text) of cancelled requests
  std::vector<std::string> outgoing_;
};

}  // namespace vigil::lsp
