// Fuzz target: any bytes as an event line for the example pack (which has a
// windowed aggregate). Reading, evaluating, recording and explaining must
// never crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/compiler.hpp"
#include "eval/event_json.hpp"
#include "eval/explain.hpp"
#include "eval/result_json.hpp"
#include "eval/session.hpp"

namespace {

struct Fixture {
  vigil::Compilation c = vigil::CompileFiles(
      {std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"});
  vigil::eval::Session session{c.program};
  vigil::eval::Event event{c.program->schema};
  vigil::eval::Result result;
  vigil::eval::EventJsonReader reader;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* f = new Fixture();
  std::string line(reinterpret_cast<const char*>(data), size);
  std::string error, out;
  if (!f->reader.Read(line, f->event, &error)) return 0;
  f->session.Evaluate(f->event, f->result);
  vigil::eval::WriteResultJson(*f->c.program, f->result, 1, out);
  vigil::eval::AppendExplainJson(f->session, f->event, f->result, {}, out);
  return 0;
}
