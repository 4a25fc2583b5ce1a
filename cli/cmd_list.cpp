// vigil list hash: turn a plain watchlist into a hashed one (base/list_hash.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "base/list_hash.hpp"
#include "cli.hpp"

namespace vigil::cli {

namespace {

std::string_view TrimLine(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

int RunList(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("list");
  if (args.empty() || args[0] != "hash") return Usage(self, "expected `vigil list hash ...`");
  Normalization norm = Normalization::kNone;
  std::string key, out_path, in_path;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--normalize" || a == "--key" || a == "-o") && i + 1 == args.size()) {
      return Usage(self, fmt::format("{} needs a value", a));
    }
    if (a == "--normalize") {
      std::optional<Normalization> n = ParseNormalization(args[++i]);
      if (!n) {
        return Usage(self, fmt::format("unknown normalisation \"{}\" (one of: {})", args[i],
                                       NormalizationNames()));
      }
      norm = *n;
    } else if (a == "--key") {
      if (!ReadKeyFile(args[++i], &key)) {
        fmt::print(stderr, "vigil list hash: cannot read a key from \"{}\"\n", args[i]);
        return kExitFailure;
      }
    } else if (a == "-o") {
      out_path = args[++i];
    } else if (a.starts_with("-") && a != "-") {
      return Usage(self, fmt::format("unknown option '{}'", a));
    } else if (in_path.empty()) {
      in_path = a;
    } else {
      return Usage(self, "give one input file");
    }
  }
  if (in_path.empty()) return Usage(self, "no input file given");
  std::FILE* in = in_path == "-" ? stdin : std::fopen(in_path.c_str(), "rb");
  if (in == nullptr) {
    fmt::print(stderr, "vigil list hash: cannot read \"{}\"\n", in_path);
    return kExitFailure;
  }
  LineReader reader(in);
  std::string line;
  bool too_long = false;
  size_t number = 0, errors = 0;
  std::vector<std::string> digests;
  std::string norm_buf;
  char hex[kDigestHexLen];
  while (reader.Next(line, &too_long)) {
    ++number;
    std::string_view value = TrimLine(line);
    if (too_long) {
      fmt::print(stderr, "{}:{}: line too long\n", in_path, number);
      ++errors;
      continue;
    }
    if (value.empty() || value.front() == '#') continue;
    norm_buf.resize(value.size());
    size_t len = NormalizeInto(norm, value, norm_buf.data());
    if (len == 0) {
      fmt::print(stderr, "{}:{}: \"{}\" is empty after normalisation '{}'\n", in_path, number,
                 std::string(value.substr(0, 40)), NormalizationName(norm));
      ++errors;
      continue;
    }
    DigestHex(std::string_view(norm_buf.data(), len), key, hex);
    digests.emplace_back(hex, kDigestHexLen);
  }
  if (in != stdin) std::fclose(in);
  if (errors > 0) return kExitFailure;
  std::sort(digests.begin(), digests.end());
  digests.erase(std::unique(digests.begin(), digests.end()), digests.end());
  std::string text = fmt::format("# vigil hashed list: {} of values normalised with '{}'\n",
                                 key.empty() ? "SHA-256" : "HMAC-SHA-256", NormalizationName(norm));
  for (const std::string& d : digests) text += d + "\n";
  if (out_path.empty()) {
    fmt::print("{}", text);
    return kExitOk;
  }
  const std::string tmp = out_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      fmt::print(stderr, "vigil list hash: cannot write \"{}\"\n", out_path);
      return kExitFailure;
    }
  }
  if (std::rename(tmp.c_str(), out_path.c_str()) != 0) {
    std::remove(tmp.c_str());
    fmt::print(stderr, "vigil list hash: cannot write \"{}\"\n", out_path);
    return kExitFailure;
  }
  fmt::print(stderr, "{} digests written to {}\n", digests.size(), out_path);
  return kExitOk;
}

}  // namespace vigil::cli
