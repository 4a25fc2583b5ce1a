// Fuzz target: any bytes as what an editor sends to `vigil lsp`. The first
// byte chooses how the rest is cut into pieces (as a pipe might deliver
// it); every piece goes through the message reader, every whole frame
// through the server. Nothing may crash, hang or leak, and everything the
// server sends must be valid JSON.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lsp/json_rpc.hpp"
#include "lsp/server.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = static_cast<size_t>(data[0]) + 1;
  ++data;
  --size;
  vigil::CompileOptions options;
  options.allow_filesystem = false;  // open documents only
  vigil::lsp::Server server(options, "/nonexistent-vigil-fuzz");
  server.set_enter_root(false);
  vigil::lsp::MessageReader reader;
  auto check_output = [&]() {
    for (const std::string& body : server.TakeOutgoing()) {
      if (nlohmann::json::parse(body, nullptr, false).is_discarded()) __builtin_trap();
    }
  };
  for (size_t at = 0; at < size && !server.exited(); at += piece) {
    size_t n = std::min(piece, size - at);
    reader.Feed(std::string_view(reinterpret_cast<const char*>(data + at), n));
    std::vector<vigil::lsp::MessageReader::Frame> frames;
    vigil::lsp::MessageReader::Frame frame;
    while (reader.Next(&frame)) frames.push_back(std::move(frame));
    // The reader never holds more than a header block and one body.
    if (reader.buffered() > vigil::lsp::MessageReader::kMaxHeaderBytes + 1 +
                                vigil::lsp::MessageReader::kMaxBodyBytes) {
      __builtin_trap();
    }
    server.HandleBatch(frames);
    check_output();
  }
  if (!server.exited()) server.Idle();
  check_output();
  return 0;
}
