// vigil_compiler_*: sources in, a rule set or diagnostics out.
#include "api/file_gate.hpp"
#include "api/test_runner.hpp"
#include "base/utf8.hpp"
#include "handles.hpp"
#include "pack/pack.hpp"

namespace vigil::capi {

std::string_view CheckedText(const char* data, size_t len, const char* what) {
  if (data == nullptr && len > 0) throw Failure{VIGIL_ERR_MISUSE, std::string(what) + " is NULL"};
  std::string_view s(data == nullptr ? "" : data, len);
  // Every text the C API takes in is valid UTF-8 without NUL, like the
  // strings of rule files, events and lists (docs/language.md).
  size_t bad = utf8::FindInvalidText(s);
  if (bad != std::string_view::npos) {
    throw Failure{VIGIL_ERR_INVALID_ARG, std::string(what) + " is not valid text: " +
                                             utf8::DescribeInvalidText(s, bad) + " at byte " +
                                             std::to_string(bad)};
  }
  return s;
}

}  // namespace vigil::capi

using vigil::capi::CheckedText;
using vigil::capi::Failure;
using vigil::capi::Guard;
using vigil::capi::kCompilerMagic;
using vigil::capi::Valid;

extern "C" {

vigil_status vigil_compiler_new(const vigil_compile_options* options, vigil_compiler** out) {
  if (out == nullptr) return VIGIL_ERR_MISUSE;
  *out = nullptr;
  return Guard(nullptr, [&]() -> vigil_status {
    vigil_compile_options opts = VIGIL_COMPILE_OPTIONS_INIT;
    if (options != nullptr) {
      // Read only what the caller's version of the struct has.
      if (options->struct_size < sizeof(vigil_compile_options)) return VIGIL_ERR_MISUSE;
      opts = *options;
    }
    auto c = std::make_unique<vigil_compiler>();
    c->options.allow_filesystem = (opts.flags & VIGIL_COMPILE_ALLOW_FILES) != 0;
    c->options.allow_pack_overrides = (opts.flags & VIGIL_COMPILE_ALLOW_PACK_OVERRIDES) != 0;
    if (opts.max_errors != 0) c->options.max_errors = opts.max_errors;
    *out = c.release();
    return VIGIL_OK;
  });
}

void vigil_compiler_free(vigil_compiler* compiler) {
  if (!Valid(compiler, kCompilerMagic)) return;
  compiler->magic = vigil::capi::kFreed;
  delete compiler;
}

namespace {

void AddFile(vigil_compiler* compiler, const char* path, size_t path_len, bool local) {
  if (compiler->built) throw Failure{VIGIL_ERR_MISUSE, "the compiler has already built"};
  if (!compiler->options.allow_filesystem) {
    throw Failure{VIGIL_ERR_MISUSE, "reading files is disabled by the compile options"};
  }
  std::string_view p = CheckedText(path, path_len, "path");
  if (p.empty()) throw Failure{VIGIL_ERR_INVALID_ARG, "path is empty"};
  compiler->files.emplace_back(p);
  if (local) compiler->options.local_files.insert(vigil::PathKey(std::string(p)));
}

void AddSource(vigil_compiler* compiler, const char* name, size_t name_len, const char* text,
               size_t text_len, bool local) {
  if (compiler->built) throw Failure{VIGIL_ERR_MISUSE, "the compiler has already built"};
  std::string_view n = CheckedText(name, name_len, "name");
  if (n.empty()) throw Failure{VIGIL_ERR_INVALID_ARG, "source name is empty"};
  if (text == nullptr && text_len > 0) throw Failure{VIGIL_ERR_MISUSE, "text is NULL"};
  if (text_len > vigil::limits::kMaxSourceBytes) {
    throw Failure{VIGIL_ERR_LIMIT, "source is larger than " +
                                       std::to_string(vigil::limits::kMaxSourceBytes) + " bytes"};
  }
  // UTF-8 problems in the text become a positioned diagnostic at build time.
  compiler->sources.push_back(vigil::SourceInput{std::string(n), std::string(text, text_len)});
  if (local) compiler->options.local_files.insert(vigil::PathKey(std::string(n)));
}

}  // namespace

vigil_status vigil_compiler_add_file(vigil_compiler* compiler, const char* path, size_t path_len) {
  if (!Valid(compiler, kCompilerMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&compiler->errmsg, [&]() -> vigil_status {
    AddFile(compiler, path, path_len, false);
    return VIGIL_OK;
  });
}

vigil_status vigil_compiler_add_local_file(vigil_compiler* compiler, const char* path,
                                           size_t path_len) {
  if (!Valid(compiler, kCompilerMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&compiler->errmsg, [&]() -> vigil_status {
    AddFile(compiler, path, path_len, true);
    return VIGIL_OK;
  });
}

vigil_status vigil_compiler_add_source(vigil_compiler* compiler, const char* name, size_t name_len,
                                       const char* text, size_t text_len) {
  if (!Valid(compiler, kCompilerMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&compiler->errmsg, [&]() -> vigil_status {
    AddSource(compiler, name, name_len, text, text_len, false);
    return VIGIL_OK;
  });
}

vigil_status vigil_compiler_add_local_source(vigil_compiler* compiler, const char* name,
                                             size_t name_len, const char* text, size_t text_len) {
  if (!Valid(compiler, kCompilerMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&compiler->errmsg, [&]() -> vigil_status {
    AddSource(compiler, name, name_len, text, text_len, true);
    return VIGIL_OK;
  });
}

vigil_status vigil_compiler_allow_dir(vigil_compiler* compiler, const char* dir, size_t dir_len) {
  if (!Valid(compiler, kCompilerMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&compiler->errmsg, [&]() -> vigil_status {
    if (compiler->built) throw Failure{VIGIL_ERR_MISUSE, "the compiler has already built"};
    std::string_view d = CheckedText(dir, dir_len, "dir");
    if (d.empty()) throw Failure{VIGIL_ERR_INVALID_ARG, "dir is empty"};
    compiler->options.read_roots.emplace_back(d);
    return VIGIL_OK;
  });
}

vigil_status vigil_compiler_set_hmac_key(vigil_compiler* compiler, const char* name,
                                         size_t name_len, const void* key, size_t key_len) {
  if (!Valid(compiler, kCompilerMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&compiler->errmsg, [&]() -> vigil_status {
    if (compiler->built) throw Failure{VIGIL_ERR_MISUSE, "the compiler has already built"};
    std::string_view n = CheckedText(name, name_len, "name");
    if (n.empty()) throw Failure{VIGIL_ERR_INVALID_ARG, "key name is empty"};
    if (key == nullptr || key_len == 0) throw Failure{VIGIL_ERR_INVALID_ARG, "the key is empty"};
    if (key_len > 4096) throw Failure{VIGIL_ERR_LIMIT, "the key is longer than 4096 bytes"};
    compiler->options.hmac_keys[std::string(n)] =
        std::string(static_cast<const char*>(key), key_len);
    return VIGIL_OK;
  });
}

vigil_status vigil_compiler_pack_key(vigil_compiler* compiler, const void* public_key,
                                     size_t key_len, int revoked) {
  if (!Valid(compiler, kCompilerMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&compiler->errmsg, [&]() -> vigil_status {
    if (compiler->built) throw Failure{VIGIL_ERR_MISUSE, "the compiler has already built"};
    if (public_key == nullptr) throw Failure{VIGIL_ERR_INVALID_ARG, "public_key is NULL"};
    std::string key(static_cast<const char*>(public_key), key_len);
    // 32 raw bytes, or the 64 hex digits `vigil pack keygen` writes to NAME.pub.
    std::string raw;
    if (key_len != 32 && (key_len < 64 || key_len > 66 || !vigil::pack::FromHex(key, 32, &raw))) {
      throw Failure{VIGIL_ERR_INVALID_ARG,
                    "an Ed25519 public key is 32 bytes, or 64 hex digits as in a .pub file from "
                    "`vigil pack keygen`"};
    }
    if (key_len != 32) key = std::move(raw);
    vigil::pack::TrustPolicy& policy = compiler->options.pack_policy;
    if (revoked) {
      policy.revoked_keys.push_back(std::move(key));
    } else {
      policy.trusted_keys.push_back(std::move(key));
      policy.require_signature = true;
    }
    return VIGIL_OK;
  });
}

vigil_status vigil_compiler_pack_policy(vigil_compiler* compiler, uint32_t flags,
                                        const char* min_version, size_t min_version_len) {
  if (!Valid(compiler, kCompilerMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&compiler->errmsg, [&]() -> vigil_status {
    if (compiler->built) throw Failure{VIGIL_ERR_MISUSE, "the compiler has already built"};
    if ((flags & ~(VIGIL_PACK_REQUIRE_SIGNED | VIGIL_PACK_SIGNED_ONLY)) != 0) {
      throw Failure{VIGIL_ERR_INVALID_ARG, "unknown flags"};
    }
    std::string version;
    if (min_version != nullptr) {
      version = std::string(CheckedText(min_version, min_version_len, "min_version"));
      if (!vigil::pack::ParseVersion(version)) {
        throw Failure{VIGIL_ERR_INVALID_ARG,
                      "min_version is not a semantic version (MAJOR.MINOR.PATCH[-prerelease])"};
      }
    }
    vigil::pack::TrustPolicy& policy = compiler->options.pack_policy;
    policy.require_signature =
        policy.require_signature || (flags & (VIGIL_PACK_REQUIRE_SIGNED | VIGIL_PACK_SIGNED_ONLY)) != 0;
    if ((flags & VIGIL_PACK_SIGNED_ONLY) != 0) compiler->options.require_packs = true;
    policy.min_version = version;
    return VIGIL_OK;
  });
}

vigil_status vigil_compiler_set_host_schema(vigil_compiler* compiler, const char* name,
                                            size_t name_len, const char* text, size_t text_len) {
  if (!Valid(compiler, kCompilerMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&compiler->errmsg, [&]() -> vigil_status {
    if (compiler->built) throw Failure{VIGIL_ERR_MISUSE, "the compiler has already built"};
    std::string_view n = CheckedText(name, name_len, "name");
    if (n.empty()) throw Failure{VIGIL_ERR_INVALID_ARG, "the schema's name is empty"};
    if (text == nullptr && text_len > 0) throw Failure{VIGIL_ERR_MISUSE, "text is NULL"};
    if (text_len > vigil::limits::kMaxSourceBytes) throw Failure{VIGIL_ERR_LIMIT, "schema text too large"};
    compiler->options.host_schema = vigil::SourceInput{std::string(n), std::string(text, text_len), false, {}};
    return VIGIL_OK;
  });
}

vigil_status vigil_compiler_selftest(vigil_compiler* compiler, uint32_t* passed, uint32_t* failed) {
  if (passed != nullptr) *passed = 0;
  if (failed != nullptr) *failed = 0;
  if (!Valid(compiler, kCompilerMagic) || passed == nullptr || failed == nullptr) {
    return VIGIL_ERR_MISUSE;
  }
  return Guard(&compiler->errmsg, [&]() -> vigil_status {
    if (!compiler->built || !compiler->compilation.ok()) {
      throw Failure{VIGIL_ERR_MISUSE, "build the rule set successfully before its self-test"};
    }
    vigil::TestReport report = vigil::RunTests(compiler->compilation, {});
    *passed = static_cast<uint32_t>(report.passed());
    *failed = static_cast<uint32_t>(report.failed());
    if (report.failed() == 0) return VIGIL_OK;
    // The message survives because it travels with the status (Guard keeps
    // a failure's message; it clears the message of a call that succeeds).
    for (const auto& t : report.tests) {
      if (t.failures.empty()) continue;
      throw Failure{VIGIL_ERR_TEST,
                    std::to_string(report.failed()) + " of " + std::to_string(report.tests.size()) +
                        " tests failed; the first, \"" + t.name + "\": " + t.failures[0].where +
                        ": " + t.failures[0].message};
    }
    throw Failure{VIGIL_ERR_TEST, std::to_string(report.failed()) + " tests failed"};
  });
}

vigil_status vigil_compiler_build(vigil_compiler* compiler, vigil_ruleset** out) {
  if (out != nullptr) *out = nullptr;
  if (!Valid(compiler, kCompilerMagic) || out == nullptr) return VIGIL_ERR_MISUSE;
  return Guard(&compiler->errmsg, [&]() -> vigil_status {
    if (compiler->built) throw Failure{VIGIL_ERR_MISUSE, "the compiler has already built"};
    compiler->built = true;
    if (compiler->files.empty() && compiler->sources.empty()) {
      throw Failure{VIGIL_ERR_MISUSE, "no sources were added"};
    }
    compiler->compilation = vigil::Compile(compiler->files, std::move(compiler->sources),
                                           compiler->options);
    for (const auto& d : compiler->compilation.diagnostics) {
      compiler->code_names.push_back(vigil::CodeName(d));
    }
    if (!compiler->compilation.ok()) {
      size_t n = compiler->compilation.error_count();
      throw Failure{VIGIL_ERR_COMPILE, std::to_string(n) + (n == 1 ? " error" : " errors") +
                                           "; see the diagnostics"};
    }
    auto rs = std::make_unique<vigil_ruleset>();
    rs->program = compiler->compilation.program;
    *out = rs.release();
    return VIGIL_OK;
  });
}

size_t vigil_compiler_diag_count(const vigil_compiler* compiler) {
  if (!Valid(compiler, kCompilerMagic)) return 0;
  return compiler->compilation.diagnostics.size();
}

vigil_status vigil_compiler_diag_get(const vigil_compiler* compiler, size_t index,
                                     vigil_diag_info* out) {
  if (!Valid(compiler, kCompilerMagic) || out == nullptr ||
      out->struct_size < sizeof(vigil_diag_info)) {
    return VIGIL_ERR_MISUSE;
  }
  return Guard(nullptr, [&]() -> vigil_status {
    const auto& diags = compiler->compilation.diagnostics;
    if (index >= diags.size()) return VIGIL_ERR_RANGE;
    const vigil::Diagnostic& d = diags[index];
    vigil_diag_info info{};
    info.struct_size = sizeof(vigil_diag_info);
    info.severity = d.severity == vigil::Severity::kError     ? VIGIL_SEVERITY_ERROR
                    : d.severity == vigil::Severity::kWarning ? VIGIL_SEVERITY_WARNING
                                                              : VIGIL_SEVERITY_NOTE;
    info.code = static_cast<uint32_t>(d.code);
    info.code_name = compiler->code_names[index].c_str();
    info.message = d.message.c_str();
    info.help = d.help.c_str();
    info.file = "";
    const vigil::SourceManager& sources = compiler->compilation.sources;
    if (d.has_range && d.range.file < sources.size()) {
      const vigil::SourceFile& f = sources.file(d.range.file);
      vigil::LineCol begin = f.Position(d.range.begin);
      vigil::LineCol end = f.Position(d.range.end);
      info.file = f.path().c_str();
      info.line = begin.line;
      info.column = begin.column;
      info.end_line = end.line;
      info.end_column = end.column;
      info.byte_offset = d.range.begin;
    }
    *out = info;
    return VIGIL_OK;
  });
}

const char* vigil_compiler_diag_render(vigil_compiler* compiler) {
  if (!Valid(compiler, kCompilerMagic)) return "";
  vigil_status status = Guard(&compiler->errmsg, [&]() -> vigil_status {
    compiler->rendered = compiler->compilation.RenderDiagnostics();
    return VIGIL_OK;
  });
  return status == VIGIL_OK ? compiler->rendered.c_str() : "";
}

const char* vigil_compiler_errmsg(const vigil_compiler* compiler) {
  if (!Valid(compiler, kCompilerMagic)) return "invalid compiler handle";
  return compiler->errmsg.c_str();
}

}  // extern "C"
