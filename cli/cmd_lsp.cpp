// vigil lsp: the language server on stdin/stdout (runtime/src/lsp).
#include <fmt/format.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <utility>

#include "cli.hpp"
#include "lsp/server.hpp"
#include "lsp/transport.hpp"

namespace vigil::cli {

int RunLsp(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("lsp");
  for (const auto& a : args) {
    if (a != "--stdio") return Usage(self, fmt::format("unknown option '{}'", a));
  }
  // A client that goes away must not kill the server mid-write: the write
  // fails and the server stops.
  std::signal(SIGPIPE, SIG_IGN);
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).generic_string();
  // An editor shows each warning at its place: none is capped (the CLI caps
  // what it prints, docs/limits.md).
  CompileOptions options = OptionsFromEnvironment();
  options.max_warnings = 0;
  lsp::Server server(std::move(options), cwd);
  return lsp::RunServer(server, STDIN_FILENO, STDOUT_FILENO);
}

}  // namespace vigil::cli
