// Runs a Server over a pair of file descriptors (stdin/stdout for `vigil
// lsp`): reads whatever is available, hands every whole frame to the server
// in one batch (so a burst of keystrokes is checked once, and a cancellation
// reaches the request it cancels), and checks documents when the input is
// idle.
#pragma once

#include "lsp/server.hpp"

namespace vigil::lsp {

// Returns the exit code: 0 after shutdown and exit, 1 when the input ends
// or the output cannot be written without them.
int RunServer(Server& server, int in_fd, int out_fd);

}  // namespace vigil::lsp
