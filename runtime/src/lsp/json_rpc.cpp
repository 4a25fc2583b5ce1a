#include "lsp/json_rpc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace vigil::lsp {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Shown in errors: printable ASCII only, at most 40 bytes.
std::string Shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  return out;
}

}  // namespace

void MessageReader::Feed(std::string_view bytes) {
  if (state_ == State::kSkip && buffered() == 0) {
    size_t drop = std::min(skip_left_, bytes.size());
    skip_left_ -= drop;
    bytes.remove_prefix(drop);
    if (skip_left_ == 0) state_ = State::kHeader;
  }
  buf_.append(bytes);
}

void MessageReader::Compact() {
  if (pos_ > 0 && (pos_ >= buf_.size() || pos_ > (size_t{1} << 16))) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
}

bool MessageReader::Next(Frame* out) {
  for (;;) {
    Compact();
    if (state_ == State::kSkip) {
      size_t drop = std::min(skip_left_, buf_.size() - pos_);
      pos_ += drop;
      skip_left_ -= drop;
      if (skip_left_ > 0) return false;
      state_ = State::kHeader;
      continue;
    }
    if (state_ == State::kBody) {
      if (buf_.size() - pos_ < body_length_) return false;
      out->ok = true;
      out->error.clear();
      out->body.assign(buf_, pos_, body_length_);
      pos_ += body_length_;
      state_ = State::kHeader;
      return true;
    }
    // Blank lines between messages are tolerated.
    while (pos_ < buf_.size() && (buf_[pos_] == '\r' || buf_[pos_] == '\n')) ++pos_;
    if (pos_ >= buf_.size()) return false;
    if (!ReadHeader(out)) return false;
    if (!out->ok) return true;
  }
}

// Reads one header block when it is complete. Returns false when more bytes
// are needed; true with out->ok false for a bad block (already consumed), or
// true with out->ok true when the state moved on to the body.
bool MessageReader::ReadHeader(Frame* out) {
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  // The block ends at an empty line; "\n\n" is accepted like "\r\n\r\n".
  size_t end = std::string_view::npos;
  size_t skip = 0;
  for (size_t i = 0; i + 1 < rest.size() && i <= kMaxHeaderBytes; ++i) {
    if (rest[i] != '\n') continue;
    if (rest[i + 1] == '\n') {
      end = i;
      skip = 2;
      break;
    }
    if (rest[i + 1] == '\r' && i + 2 < rest.size() && rest[i + 2] == '\n') {
      end = i;
      skip = 3;
      break;
    }
  }
  if (end == std::string_view::npos) {
    if (rest.size() <= kMaxHeaderBytes) return false;
    // No end in sight: drop everything held and report it.
    pos_ = buf_.size();
    out->ok = false;
    out->body.clear();
    out->error = fmt::format("message header is longer than {} bytes", kMaxHeaderBytes);
    return true;
  }
  std::string_view block = rest.substr(0, end);
  pos_ += end + skip;
  bool have_length = false;
  size_t length = 0;
  std::string problem;
  while (!block.empty() && problem.empty()) {
    size_t eol = block.find('\n');
    std::string_view line = Trim(block.substr(0, eol));
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 1);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      problem = fmt::format("header line '{}' has no ':'", Shown(line));
      break;
    }
    std::string_view name = Trim(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (!EqualsIgnoreCase(name, "Content-Length")) continue;  // Content-Type and others
    if (value.empty() || value.size() > 12 ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      problem = fmt::format("Content-Length '{}' is not a number", Shown(value));
      break;
    }
    size_t n = 0;
    for (char c : value) n = n * 10 + static_cast<size_t>(c - '0');
    if (have_length && n != length) {
      problem = "two different Content-Length headers";
      break;
    }
    have_length = true;
    length = n;
  }
  if (problem.empty() && !have_length) problem = "message header has no Content-Length";
  if (!problem.empty()) {
    out->ok = false;
    out->body.clear();
    out->error = problem;
    return true;
  }
  if (length > kMaxBodyBytes) {
    // Dropped as it arrives, never held.
    state_ = State::kSkip;
    skip_left_ = length;
    out->ok = false;
    out->body.clear();
    out->error = fmt::format("message of {} bytes is larger than the limit of {} bytes", length,
                             kMaxBodyBytes);
    return true;
  }
  state_ = State::kBody;
  body_length_ = length;
  out->ok = true;
  return true;
}

std::string FrameMessage(std::string_view body) {
  std::string out = fmt::format("Content-Length: {}\r\n\r\n", body.size());
  out.append(body);
  return out;
}

bool NestsDeeperThan(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace vigil::lsp
