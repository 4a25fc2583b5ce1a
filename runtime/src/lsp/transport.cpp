#include "lsp/transport.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace vigil::lsp {

namespace {

bool WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

bool Flush(Server& server, int out_fd) {
  for (const std::string& body : server.TakeOutgoing()) {
    if (!WriteAll(out_fd, FrameMessage(body))) return false;
  }
  return true;
}

}  // namespace

int RunServer(Server& server, int in_fd, int out_fd) {
  MessageReader reader;
  std::string chunk(size_t{1} << 16, '\0');
  bool eof = false;
  while (!server.exited() && !eof) {
    pollfd p{in_fd, POLLIN, 0};
    int ready = ::poll(&p, 1, server.HasIdleWork() ? 0 : -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (ready == 0) {
      server.Idle();
      if (!Flush(server, out_fd)) return 1;
      continue;
    }
    // Read what is there now (and a little more while it keeps coming).
    std::vector<MessageReader::Frame> frames;
    for (int reads = 0; reads < 64; ++reads) {
      ssize_t n = ::read(in_fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof = true;
        break;
      }
      reader.Feed(std::string_view(chunk.data(), static_cast<size_t>(n)));
      MessageReader::Frame frame;
      while (reader.Next(&frame)) frames.push_back(std::move(frame));
      pollfd more{in_fd, POLLIN, 0};
      if (::poll(&more, 1, 0) <= 0) break;
    }
    server.HandleBatch(frames);
    if (!Flush(server, out_fd)) return 1;
  }
  return server.exit_code();
}

}  // namespace vigil::lsp
