// The LSP base protocol: "Content-Length: N\r\n\r\n" headers around JSON
// bodies. MessageReader takes bytes in whatever pieces the pipe delivers
// (half a header, three messages at once) and hands out whole bodies, or an
// error for a frame it cannot read; it never buffers more than one header
// block and one body within the limits below, so hostile input cannot
// exhaust memory, and it always makes progress, so it cannot hang.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil::lsp {

class MessageReader {
 public:
  static constexpr size_t kMaxHeaderBytes = 8192;
  // A rule file is at most 8 MiB (limits::kMaxSourceBytes); JSON escaping
  // and the envelope stay well below this.
  static constexpr size_t kMaxBodyBytes = size_t{64} << 20;

  struct Frame {
    bool ok = true;     // false: a frame that could not be read; `error` says why
    std::string body;   // the JSON text (ok)
    std::string error;  // lowercase, names what was wrong
  };

  // Appends bytes read from the stream.
  void Feed(std::string_view bytes);
  // Takes the next whole frame (or framing error); false when more bytes are
  // needed first.
  bool Next(Frame* out);
  // Bytes held, for tests: never more than a header block plus one body.
  size_t buffered() const { return buf_.size() - pos_; }
  // True while a partial frame is buffered (end of input here loses it).
  bool mid_frame() const { return state_ != State::kHeader || buffered() > 0; }

 private:
  enum class State { kHeader, kBody, kSkip };
  bool ReadHeader(Frame* out);
  void Compact();

  std::string buf_;
  size_t pos_ = 0;
  State state_ = State::kHeader;
  size_t body_length_ = 0;
  size_t skip_left_ = 0;  // bytes of an oversized body still to drop
};

// The frame for one outgoing body.
std::string FrameMessage(std::string_view body);

// Whether the JSON text nests arrays and objects deeper than `max_depth`
// (strings are skipped). Checked before parsing: no LSP message nests deeply,
// and a hostile one must not exhaust the stack of anything that walks it.
bool NestsDeeperThan(std::string_view text, size_t max_depth);

}  // namespace vigil::lsp
