// file:// URIs (RFC 3986 / RFC 8089, as editors send them) and file paths.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil::lsp {

// The absolute path of a file: URI ("file:///a%20b/x.vgl" → "/a b/x.vgl"),
// or nothing for another scheme or a malformed escape.
std::optional<std::string> UriToPath(std::string_view uri);
// "file://" + the absolute path, percent-encoding what RFC 3986 reserves.
std::string PathToUri(std::string_view absolute_path);

}  // namespace vigil::lsp
