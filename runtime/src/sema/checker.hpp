// Semantic analysis: resolves names, checks types, evaluates constants and
// loads lists. Reports every problem it finds (not just the first) and
// returns a Module only when there are no errors.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/diag.hpp"
#include "sema/module.hpp"
#include "syntax/ast.hpp"

namespace vigil::sema {

// One parsed file with where it came from.
struct LoadedFile {
  ast::File ast;
  int parent = -1;  // index of the file that imported it; -1 for a file given by the user
  // Where it came from: the pack ("coalition.vgp") or "" for the host's own
  // files. Decides what its overrides and `decisions` may touch.
  std::string origin;
};

// Reads a list file named relative to the declaring source file. Returns the
// source id of the loaded text (added to `sources`), or an error message and
// the code to report it with.
using ListReader = std::function<std::optional<uint32_t>(uint32_t from_file, const std::string& path,
                                                        std::string* error, DiagCode* code)>;

struct CheckOptions {
  // Keys of keyed hashed lists (`hashed(key: "name") set`), by name: the host
  // supplies them; they are never part of a rule set.
  std::map<std::string, std::string> hmac_keys;
  // "Now" for list entries with an expiry (µs since the epoch); 0: the clock.
  int64_t now_us = 0;
  // Whether an override carried by a pack may target rule sets declared
  // outside that pack (reported with W5008); otherwise E2021.
  bool allow_pack_overrides = false;
};

std::optional<Module> Check(std::vector<LoadedFile>& files, SourceManager& sources, DiagSink& diags,
                            const ListReader& read_list, const CheckOptions& options = {});

}  // namespace vigil::sema
