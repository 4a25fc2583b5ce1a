// vigil pack keygen|build|sign|verify|info: rule packs (runtime/src/pack).
#include <fmt/format.h>
#include <sodium.h>

#include <filesystem>

#include "api/test_runner.hpp"
#include "base/file_io.hpp"
#include "cli.hpp"
#include "pack/pack.hpp"

namespace vigil::cli {

namespace {

namespace fs = std::filesystem;

bool ReadAll(const std::string& path, size_t limit, std::string* out, std::string* error) {
  if (ReadInput(path, limit, out, error)) return true;
  *error = fmt::format("cannot read \"{}\": {}", path, *error);
  return false;
}

int Fail(const std::string& message) {
  fmt::print(stderr, "vigil pack: {}\n", message);
  return kExitFailure;
}

// Each failed test by name, then where and why it failed.
void PrintFailures(const TestReport& report) {
  for (const auto& t : report.tests) {
    for (const auto& f : t.failures) {
      fmt::print(stderr, "FAIL \"{}\" ({}): {}\n", t.name, f.where, f.message);
    }
  }
}

int Keygen(const std::vector<std::string>& args) {
  std::string name;
  bool force = false;
  for (const std::string& a : args) {
    if (a == "--force") {
      force = true;
    } else if (name.empty() && !a.starts_with("-")) {
      name = a;
    } else {
      return Usage(*FindCommand("pack"), fmt::format("unexpected argument '{}'", a));
    }
  }
  if (name.empty()) return Usage(*FindCommand("pack"), "usage: vigil pack keygen NAME [--force]");
  // A key pair is made once: overwriting NAME.key loses the key every member
  // trusts, so it takes an explicit --force.
  for (const char* ext : {".key", ".pub"}) {
    std::error_code ec;
    if (!force && fs::symlink_status(name + ext, ec).type() != fs::file_type::not_found) {
      return Fail(fmt::format("\"{}{}\" already exists: refusing to overwrite a key (use --force "
                              "to replace it)", name, ext));
    }
  }
  if (sodium_init() < 0) return Fail("libsodium cannot be initialised");
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  std::string sk_hex = pack::ToHex(std::string_view(reinterpret_cast<char*>(sk), sizeof(sk)));
  sodium_memzero(sk, sizeof(sk));
  if (!WriteFileAtomically(name + ".key", sk_hex + "\n", 0600) ||
      !WriteFileAtomically(name + ".pub",
                       pack::ToHex(std::string_view(reinterpret_cast<char*>(pk), sizeof(pk))) + "\n")) {
    return Fail(fmt::format("cannot write {}.key / {}.pub", name, name));
  }
  fmt::print(stderr, "wrote {0}.key (secret: keep it off shared machines) and {0}.pub\n", name);
  return kExitOk;
}

int Build(const std::vector<std::string>& args) {
  std::string dir, out;
  OnceOptions once;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o") {
      std::string problem = once.Take(args[i]);
      if (!problem.empty()) return Usage(*FindCommand("pack"), problem);
    }
    if (args[i] == "-o" && i + 1 < args.size()) {
      out = args[++i];
    } else if (dir.empty() && !args[i].starts_with("-")) {
      dir = args[i];
    } else {
      return Usage(*FindCommand("pack"), fmt::format("unexpected argument '{}'", args[i]));
    }
  }
  if (dir.empty() || out.empty()) return Usage(*FindCommand("pack"), "usage: vigil pack build DIR -o NAME.vgp");
  std::string error, text;
  const std::string manifest_path = (fs::path(dir) / pack::kManifestName).string();
  pack::Manifest m;
  if (!ReadAll(manifest_path, 1 << 20, &text, &error) || !pack::ParseManifest(text, &m, &error)) {
    return Fail(fmt::format("{}: {}", manifest_path, error));
  }
  if (!pack::CheckMarkings(m, &error)) return Fail(error);
  std::map<std::string, std::string> files;
  files[pack::kManifestName] = text;
  std::vector<std::string> members = m.files;
  for (const auto& l : m.lists) members.push_back(l.path);
  members.insert(members.end(), m.fixtures.begin(), m.fixtures.end());
  if (members.size() >= pack::kMaxPackFiles) {
    return Fail(fmt::format("{}: {} files; a pack holds at most {}", manifest_path, members.size(),
                            pack::kMaxPackFiles - 1));
  }
  // The pack's bytes in all stay within what a member will load.
  size_t total = text.size();
  for (const std::string& p : members) {
    std::string bytes;
    const std::string path = (fs::path(dir) / p).string();
    if (!ReadAll(path, pack::kMaxPackBytes - total, &bytes, &error)) {
      return Fail(fmt::format("{} (a pack holds at most {} bytes in all)", error,
                              pack::kMaxPackBytes));
    }
    total += bytes.size();
    files[p] = std::move(bytes);
  }
  std::string image = pack::WriteImage(files);
  // What a member will load: the pack must compile and its tests pass. It
  // is checked in memory, so a failed build leaves an older `out` alone. An
  // unsigned pack is what `build` makes: the trust policy is not applied.
  CompileOptions options = OptionsFromEnvironment();
  options.pack_policy = pack::TrustPolicy{};
  // Its files are named as in DIR, so that messages point at the sources.
  SourceInput packed{out, image, true, dir};
  Compilation c = CompileSources({packed}, options);
  fmt::print(stderr, "{}", c.RenderDiagnostics());
  TestReport report;
  if (c.ok()) report = RunTests(c, {});
  if (!c.ok() || report.failed() > 0) {
    PrintFailures(report);
    return Fail(c.ok() ? fmt::format("{}: {} of the pack's tests fail: not built (\"{}\" is left "
                                     "as it was)", dir, report.failed(), out)
                       : fmt::format("{}: the pack's rules do not compile: not built (\"{}\" is "
                                     "left as it was)", dir, out));
  }
  if (!WriteFileAtomically(out, image)) return Fail(fmt::format("cannot write \"{}\"", out));
  fmt::print("built {}: {} {} ({} files, {} tests passed, TLP:{}), sha256 {}\n", out, m.name,
             m.version, files.size(), report.passed(), pack::MarkingName(m.marking),
             c.packs.at(0).content_hash);
  return kExitOk;
}

int Sign(const std::vector<std::string>& args) {
  std::string in, key_path, out;
  OnceOptions once;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--key" || args[i] == "-o") {
      std::string problem = once.Take(args[i]);
      if (!problem.empty()) return Usage(*FindCommand("pack"), problem);
    }
    if (args[i] == "--key" && i + 1 < args.size()) {
      key_path = args[++i];
    } else if (args[i] == "-o" && i + 1 < args.size()) {
      out = args[++i];
    } else if (in.empty() && !args[i].starts_with("-")) {
      in = args[i];
    } else {
      return Usage(*FindCommand("pack"), fmt::format("unexpected argument '{}'", args[i]));
    }
  }
  if (in.empty() || key_path.empty()) {
    return Usage(*FindCommand("pack"), "usage: vigil pack sign PACK.vgp --key NAME.key [-o OUT.vgp]");
  }
  if (out.empty()) out = in;
  std::string image, hex, key, signed_image, error;
  if (!ReadKeyFile(key_path, &hex) || !pack::FromHex(hex, crypto_sign_SECRETKEYBYTES, &key)) {
    return Fail(fmt::format("\"{}\" is not a secret key file (from `vigil pack keygen`)", key_path));
  }
  if (!ReadAll(in, pack::kMaxPackBytes, &image, &error)) return Fail(error);
  bool ok = pack::SignImage(image, key, &signed_image, &error);
  sodium_memzero(key.data(), key.size());
  if (!ok) return Fail(fmt::format("{}: {}", in, error));
  if (!WriteFileAtomically(out, signed_image)) return Fail(fmt::format("cannot write \"{}\"", out));
  fmt::print(stderr, "signed {}\n", out);
  return kExitOk;
}

int Verify(const std::vector<std::string>& args) {
  std::string path;
  pack::TrustPolicy policy;
  bool selftest = false;
  std::string error;
  OnceOptions once;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--min-version") {
      std::string problem = once.Take(a);
      if (!problem.empty()) return Usage(*FindCommand("pack"), problem);
    }
    if ((a == "--trust" || a == "--revoked") && i + 1 < args.size()) {
      if (!ReadPublicKeys(args[++i], a == "--trust" ? &policy.trusted_keys : &policy.revoked_keys,
                          &error)) {
        return Fail(error);
      }
      if (a == "--trust") policy.require_signature = true;
    } else if (a == "--require-signed") {
      policy.require_signature = true;
    } else if (a == "--min-version" && i + 1 < args.size()) {
      policy.min_version = args[++i];
      if (!pack::ParseVersion(policy.min_version)) return Fail("--min-version needs MAJOR.MINOR.PATCH");
    } else if (a == "--selftest") {
      selftest = true;
    } else if (path.empty() && !a.starts_with("-")) {
      path = a;
    } else {
      return Usage(*FindCommand("pack"), fmt::format("unexpected argument '{}'", a));
    }
  }
  if (path.empty()) return Usage(*FindCommand("pack"), "usage: vigil pack verify PACK.vgp [options]");
  std::string image;
  pack::Pack p;
  if (!ReadAll(path, pack::kMaxPackBytes, &image, &error) || !pack::ParseImage(image, &p, &error) ||
      !pack::Verify(p, policy, &error)) {
    return Fail(fmt::format("{}: refused: {}", path, error));
  }
  // Without --trust, a valid signature proves the pack is unchanged since
  // someone signed it, not who: say so.
  std::string signers = "unsigned";
  if (!p.signatures.empty()) {
    signers = fmt::format("{} valid signature(s)", p.signatures.size());
    if (policy.trusted_keys.empty()) {
      signers += "; the signers were not checked against trusted keys (give --trust KEYS)";
    } else {
      signers += ", signed by a trusted key";
    }
  }
  fmt::print("{}: {} {} intact (sha256 {}), {}\n", path, p.manifest.name, p.manifest.version,
             p.content_hash, signers);
  if (!selftest) return kExitOk;
  CompileOptions options = OptionsFromEnvironment();  // HMAC keys, host schema
  options.pack_policy = policy;
  Compilation c = CompileFiles({path}, options);
  if (!c.ok()) {
    fmt::print(stderr, "{}", c.RenderDiagnostics());
    return Fail("self-test: the pack does not compile on this host");
  }
  TestReport report = RunTests(c, {});
  PrintFailures(report);
  fmt::print("self-test: {} passed, {} failed\n", report.passed(), report.failed());
  return report.failed() == 0 ? kExitOk : kExitFailure;
}

// What a pack needs from the host before it is loaded: vigil version,
// schema and the fields with their types.
int Info(const std::vector<std::string>& args) {
  if (args.size() != 1) return Usage(*FindCommand("pack"), "usage: vigil pack info PACK.vgp");
  std::string image, error;
  pack::Pack p;
  if (!ReadAll(args[0], pack::kMaxPackBytes, &image, &error) || !pack::ParseImage(image, &p, &error)) {
    return Fail(fmt::format("{}: {}", args[0], error));
  }
  const pack::Manifest& m = p.manifest;
  fmt::print("pack {} {} (TLP:{}), sha256 {}\n", m.name, m.version, pack::MarkingName(m.marking),
             p.content_hash);
  fmt::print("needs vigil {} or later\n", m.min_vigil.empty() ? "any" : m.min_vigil);
  for (const auto& [name, version] : m.schemas) fmt::print("needs schema {} version {}\n", name, version);
  for (const auto& [path, bytes] : p.files) fmt::print("file {} ({} bytes)\n", path, bytes.size());
  for (const auto& l : m.lists) fmt::print("list {} TLP:{}\n", l.path, pack::MarkingName(l.marking));
  for (const auto& s : p.signatures) fmt::print("signed by {}\n", pack::ToHex(s.public_key));
  // Only listing: HMAC keys from the environment, no trust policy.
  CompileOptions options = OptionsFromEnvironment();
  options.pack_policy = pack::TrustPolicy{};
  options.host_schema.reset();
  Compilation c = CompileFiles({args[0]}, options);
  if (c.ok()) {
    for (const auto& f : c.program->schema.fields) {
      fmt::print("needs field {}: {}\n", f.name, TypeName(f.type));
    }
  } else {
    fmt::print(stderr, "{}", c.RenderDiagnostics());
  }
  return c.ok() ? kExitOk : kExitFailure;
}

}  // namespace

int RunPack(const std::vector<std::string>& args) {
  if (args.empty()) return Usage(*FindCommand("pack"), "expected keygen, build, sign, verify or info");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "keygen") return Keygen(rest);
  if (args[0] == "build") return Build(rest);
  if (args[0] == "sign") return Sign(rest);
  if (args[0] == "verify") return Verify(rest);
  if (args[0] == "info") return Info(rest);
  return Usage(*FindCommand("pack"), fmt::format("unknown pack command '{}'", args[0]));
}

}  // namespace vigil::cli
