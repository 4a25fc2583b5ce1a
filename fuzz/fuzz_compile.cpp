// Fuzz target: any bytes as a rule file. Compiling (parse, check, plan,
// lint) and formatting must report errors, never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/compiler.hpp"
#include "format/formatter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  vigil::CompileOptions options;
  options.allow_filesystem = false;
  vigil::Compilation c = vigil::CompileSources({vigil::SourceInput{"fuzz.vgl", text}}, options);
  (void)c.RenderDiagnostics();
  if (c.ok()) {
    vigil::SourceManager sources;
    uint32_t id = sources.Add("fuzz.vgl", text);
    vigil::DiagSink diags;
    std::optional<std::string> once = vigil::format::Format(sources, id, diags);
    if (once) {
      // Formatting is idempotent: a difference is a bug worth a crash report.
      vigil::SourceManager again;
      uint32_t id2 = again.Add("fuzz.vgl", *once);
      vigil::DiagSink diags2;
      std::optional<std::string> twice = vigil::format::Format(again, id2, diags2);
      if (!twice || *twice != *once) __builtin_trap();
    }
  }
  return 0;
}
