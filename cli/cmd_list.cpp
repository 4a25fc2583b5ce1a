// vigil list hash: turn a plain watchlist into a hashed one (base/list_hash.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/bom.hpp"
#include "base/list_file.hpp"
#include "base/list_hash.hpp"
#include "cli.hpp"

namespace vigil::cli {

int RunList(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("list");
  if (args.empty() || args[0] != "hash") return Usage(self, "expected `vigil list hash ...`");
  Normalization norm = Normalization::kNone;
  std::string key, out_path, in_path;
  OnceOptions once;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--normalize" || a == "--key" || a == "-o") && i + 1 == args.size()) {
      return Usage(self, fmt::format("{} needs a value", a));
    }
    if (a == "--normalize" || a == "--key" || a == "-o") {
      std::string problem = once.Take(a);
      if (!problem.empty()) return Usage(self, problem);
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
  Doing hashing(fmt::format("hashing \"{}\"", in_path));
  std::string input, error;
  if (!ReadInput(in_path, limits::kMaxListFileBytes, &input, &error)) {
    fmt::print(stderr, "vigil list hash: cannot read \"{}\": {}\n", in_path, error);
    return kExitFailure;
  }
  // Text like every list file: a byte-order mark skipped, UTF-8 without NUL.
  StripUtf8Bom(input);
  if (std::string bad = CheckListText(input, in_path); !bad.empty()) {
    fmt::print(stderr, "{}\n", bad);  // "names.txt:2: ...", as the line errors below
    return kExitFailure;
  }
  const size_t entries = CountListEntries(input);
  if (entries > limits::kMaxListFileEntries) {
    fmt::print(stderr, "vigil list hash: \"{}\" has {} entries (the limit is {} a list file)\n",
               in_path, entries, limits::kMaxListFileEntries);
    return kExitFailure;
  }
  // The plain list's own syntax (base/list_file.hpp); an entry's expiry is
  // kept on its digest's line. The first kMaxErrors bad lines are named,
  // the rest counted.
  const ListDigest digest(norm, key);
  size_t errors = 0;
  auto report = [&](const std::string& message) {
    if (++errors <= limits::kMaxErrors) fmt::print(stderr, "{}\n", message);
  };
  std::vector<std::string> lines;
  lines.reserve(entries);
  std::string scratch;
  char hex[kDigestHexLen];
  ForEachListLine(input, [&](const ListLine& line) {
    scratch.resize(line.value.size());
    if (line.bad_expiry) {
      report(fmt::format("{}:{}: '{}' is not an expiry date", in_path, line.number,
                         std::string(line.expiry.substr(0, 40))));
    } else if (NormalizeInto(norm, line.value, scratch.data()) == 0) {
      report(fmt::format("{}:{}: \"{}\" is empty after normalisation '{}'", in_path, line.number,
                         std::string(line.value.substr(0, 40)), NormalizationName(norm)));
    } else {
      digest.Hex(line.value, scratch.data(), hex);
      lines.emplace_back(hex, kDigestHexLen);
      if (line.expires) lines.back() += " @expires " + std::string(line.expiry);
    }
  });
  if (errors > limits::kMaxErrors) {
    fmt::print(stderr, "vigil list hash: {} bad lines in all (the first {} are shown)\n", errors,
               limits::kMaxErrors);
  }
  if (errors > 0) return kExitFailure;
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  std::string text = fmt::format("# vigil hashed list: {} of values normalised with '{}'\n",
                                 key.empty() ? "SHA-256" : "HMAC-SHA-256", NormalizationName(norm));
  for (const std::string& l : lines) text += l + "\n";
  if (out_path.empty()) {
    fmt::print("{}", text);
    return kExitOk;
  }
  if (!WriteFileAtomically(out_path, text)) {
    fmt::print(stderr, "vigil list hash: cannot write \"{}\"\n", out_path);
    return kExitFailure;
  }
  fmt::print(stderr, "{} digests written to {}\n", lines.size(), out_path);
  return kExitOk;
}

}  // namespace vigil::cli
