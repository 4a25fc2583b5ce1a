// Fuzz target: vigil's JSON event readers against a strict reference parser
// (nlohmann::json, RFC 8259). Whatever the reference rejects, vigil must
// reject too, on both ways in:
//   - the CLI's: the input read as a JSON Lines file (cli::LineReader, as
//     `vigil eval` reads it), each line given to eval::EventJsonReader;
//   - the C ABI's: the whole input given to vigil_event_set_json.
// And the lines `vigil eval` cuts from raw blocks (stream::BlockLines, a
// pipe) and from byte ranges (stream::RangeLines, a regular file) are those
// of cli::LineReader.
// A line is valid when it is exactly one JSON object; anything else (two
// objects, an array, trailing bytes, invalid UTF-8...) must be an error.
//
// And the reader's one-pass path (Read) against its reference path
// (ReadReference): the same verdict, message and values on every line; and
// again with a reader that has just read the input's last valid line, so
// that the line is first tried as that line's shape (base/json_shape.hpp),
// and read in place (ReadInPlace) with bytes of the input after its '\n'.
//
// One relaxation: a number too large for a double (1e400) is valid JSON
// grammar that nlohmann refuses as out of range (its error 406). RFC 8259
// lets an implementation limit the range of numbers, so vigil may accept such
// a number in a member it does not read (in a field it reads, the field's own
// type decides).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/compiler.hpp"
#include "base/json_shape.hpp"
#include "cli.hpp"
#include "eval/event_json.hpp"
#include "stream/block_lines.hpp"
#include "stream/range_lines.hpp"
#include "vigil/vigil.h"

namespace {

constexpr char kRules[] = R"(ruleset f.json version "1.0.0"
schema s version 1 {
  ts: time
  id: string
  card: string @key
  amount: decimal
  n: int
  rate: float
  ok: bool
  wait: duration
  flags: set<string>
}
uses schema s
rule big {
  title "big"
  severity high
  when amount > 10.00 and n > 1 and rate < 2 and ok and wait > 1s and "x" in flags
  then score 10 decide review
}
)";

// What the reference says about one JSON text.
enum class Verdict { kObject, kNotAnObject, kRejected, kOutOfRange };

Verdict Reference(std::string_view text) {
  try {
    nlohmann::json j = nlohmann::json::parse(text.begin(), text.end());
    return j.is_object() ? Verdict::kObject : Verdict::kNotAnObject;
  } catch (const nlohmann::json::out_of_range&) {
    return Verdict::kOutOfRange;
  } catch (const nlohmann::json::exception&) {
    return Verdict::kRejected;
  }
}

[[noreturn]] void Disagree(const char* path, std::string_view text, const std::string& why) {
  std::fprintf(stderr, "%s accepted what the strict reference rejects (%s): '%.*s'\n", path,
               why.c_str(), static_cast<int>(std::min<size_t>(text.size(), 400)), text.data());
  __builtin_trap();
}

struct Fixture {
  vigil::Compilation c = vigil::CompileSources({vigil::SourceInput{"fuzz.vgl", kRules}});
  vigil::eval::Event event{c.program->schema};
  vigil::eval::EventJsonReader reader;
  vigil::eval::Event reference_event{c.program->schema};
  vigil::eval::EventJsonReader reference;
  vigil_ruleset* rs = nullptr;
  vigil_event* e = nullptr;
  Fixture() {
    vigil_compiler* comp = nullptr;
    vigil_compiler_new(nullptr, &comp);
    vigil_compiler_add_source(comp, "fuzz.vgl", 8, kRules, sizeof kRules - 1);
    if (vigil_compiler_build(comp, &rs) != VIGIL_OK || c.program == nullptr) __builtin_trap();
    vigil_compiler_free(comp);
    vigil_event_new(rs, &e);
  }
};

// Whether two events read from the same line hold the same values.
bool SameValues(const vigil::eval::Event& a, const vigil::eval::Event& b) {
  const vigil::eval::Schema& schema = a.schema();
  if (a.member_id() != b.member_id() || a.member_id_name() != b.member_id_name()) return false;
  for (size_t slot = 0; slot < schema.fields.size(); ++slot) {
    const vigil::eval::Value& x = a.at(slot);
    const vigil::eval::Value& y = b.at(slot);
    if (x.present != y.present) return false;
    if (!x.present) continue;
    const vigil::Type t = schema.fields[slot].type;
    if (t.is_set) {
      if (x.set_size() != y.set_size()) return false;
      for (uint32_t k = 0; k < x.set_size(); ++k) {
        if (x.set_items()[k].view() != y.set_items()[k].view()) return false;
      }
      continue;
    }
    switch (t.kind) {
      case vigil::Kind::kBool: if (x.b != y.b) return false; break;
      case vigil::Kind::kString: if (x.str() != y.str()) return false; break;
      case vigil::Kind::kFloat: if (std::memcmp(&x.f, &y.f, sizeof x.f) != 0) return false; break;
      case vigil::Kind::kDecimal: if (x.i != y.i || x.scale != y.scale) return false; break;
      default: if (x.i != y.i) return false; break;
    }
  }
  return true;
}

bool Rejected(Verdict v) { return v == Verdict::kRejected || v == Verdict::kNotAnObject; }
const char* Why(Verdict v) { return v == Verdict::kNotAnObject ? "not an object" : "not JSON"; }

// `vigil eval` reads raw blocks cut into lines in place (stream::BlockLines):
// the same lines as cli::LineReader, numbers and too-long lines included,
// for reads and chunks of sizes taken from the input.
void SameLinesInBlocks(std::string_view input) {
  struct Line {
    uint64_t number;
    bool too_long;
    std::string text;
    bool operator==(const Line&) const = default;
  };
  std::vector<Line> want;
  std::FILE* file = fmemopen(const_cast<char*>(input.data()), input.size(), "rb");
  if (file == nullptr) return;
  vigil::cli::LineReader lines(file);
  std::string line;
  bool too_long = false;
  for (uint64_t number = 1; lines.Next(line, &too_long); ++number) {
    if (!too_long && line.find_first_not_of(" \t") == std::string::npos) continue;
    want.push_back({number, too_long, too_long ? std::string() : line});
  }
  std::fclose(file);
  const size_t read_size = input.empty() ? 1 : 1 + static_cast<uint8_t>(input[0]) % 17;
  const size_t chunk_lines = input.size() < 2 ? 1 : 1 + static_cast<uint8_t>(input[1]) % 5;
  size_t at = 0;
  const vigil::stream::ReadBytes read = [&](char* buffer, size_t n) {
    n = std::min({n, read_size, input.size() - at});
    std::memcpy(buffer, input.data() + at, n);
    at += n;
    return n;
  };
  vigil::stream::BlockLines blocks(read, vigil::cli::LineReader::kMaxLine, 64, " \t");
  std::vector<Line> got;
  std::string text;
  std::vector<vigil::stream::LineRef> refs;
  for (bool more = true; more;) {
    more = blocks.Fill(text, refs, chunk_lines);
    for (const auto& r : refs) {
      got.push_back({r.number, r.too_long, r.too_long ? std::string() : text.substr(r.offset, r.size)});
      // Each line followed by a stop and the padding (ReadInPlace's needs).
      if (r.too_long) continue;
      const size_t after = r.offset + r.size;
      if (text.size() < after + vigil::stream::kLinePadding ||
          (text[after] != '\n' && text[after] != '\r' && text[after] != '\0')) {
        Disagree("the block reader", input, "a line without its stop and padding");
      }
    }
  }
  if (got != want) Disagree("the block reader", input, "other lines than the line reader");

  // Ranges of a size taken from the input, cut in order and numbered after
  // the ranges before them, as the stream does on any number of threads.
  const size_t range = input.size() < 3 ? 1 : 1 + static_cast<uint8_t>(input[2]) % 23;
  const vigil::stream::ReadAt read_at = [&](char* buffer, size_t n, uint64_t offset) -> int64_t {
    n = std::min({n, read_size, input.size() - static_cast<size_t>(offset)});
    std::memcpy(buffer, input.data() + offset, n);
    return static_cast<int64_t>(n);
  };
  const vigil::stream::RangeLines ranges(read_at, input.size(), vigil::cli::LineReader::kMaxLine, " \t");
  got.clear();
  uint64_t before = 0;
  for (uint64_t start = 0; start < input.size(); start += range) {
    const vigil::stream::RangeCut cut = ranges.Fill(start, start + range, text, refs);
    for (const auto& r : refs) {
      got.push_back({before + r.number, r.too_long, r.too_long ? std::string() : text.substr(r.offset, r.size)});
      if (r.too_long) continue;
      const size_t after = r.offset + r.size;
      if (text.size() < after + vigil::stream::kLinePadding ||
          (text[after] != '\n' && text[after] != '\r' && text[after] != '\0')) {
        Disagree("the range reader", input, "a line without its stop and padding");
      }
    }
    before += cut.newlines;
  }
  if (got != want) Disagree("the range reader", input, "other lines than the line reader");

  // And with a line limit small enough to be met (the line reader's is
  // 16 MiB): the range reader's lines, numbers and last line are the block
  // reader's, too-long lines and a last line's rest read past its range
  // included.
  const size_t max_line = input.size() < 4 ? 1 : static_cast<uint8_t>(input[3]) % 40;
  std::vector<Line> blocks_small;
  at = 0;
  vigil::stream::BlockLines small_blocks(read, max_line, 64, " \t");
  uint64_t blocks_seen = 0;
  for (bool more = true; more;) {
    more = small_blocks.Fill(text, refs, chunk_lines);
    for (const auto& r : refs) {
      blocks_small.push_back({r.number, r.too_long, r.too_long ? std::string() : text.substr(r.offset, r.size)});
    }
  }
  blocks_seen = small_blocks.lines_seen();
  const vigil::stream::RangeLines small_ranges(read_at, input.size(), max_line, " \t");
  got.clear();
  before = 0;
  uint64_t ranges_seen = 0;
  for (uint64_t start = 0; start < input.size(); start += range) {
    const vigil::stream::RangeCut cut = small_ranges.Fill(start, start + range, text, refs);
    for (const auto& r : refs) {
      got.push_back({before + r.number, r.too_long, r.too_long ? std::string() : text.substr(r.offset, r.size)});
    }
    if (cut.last_number > 0) ranges_seen = before + cut.last_number;
    before += cut.newlines;
  }
  if (got != blocks_small || ranges_seen != blocks_seen) {
    Disagree("the range reader", input, "other lines than the block reader under a small line limit");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* f = new Fixture();
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // The C ABI: the whole input is one JSON text.
  Verdict whole = Reference(input);
  if (vigil_event_set_json(f->e, input.data(), input.size()) == VIGIL_OK && Rejected(whole)) {
    Disagree("vigil_event_set_json", input, Why(whole));
  }

  // The CLI: the input as a JSON Lines file, line by line.
  std::FILE* file = fmemopen(const_cast<uint8_t*>(data), size, "rb");
  if (file == nullptr) return 0;
  vigil::cli::LineReader lines(file);
  std::string line, error, last_valid;
  bool too_long = false;
  while (lines.Next(line, &too_long)) {
    // `vigil eval` skips blank lines before reading them as events.
    if (too_long || line.find_first_not_of(" \t") == std::string::npos) continue;
    Verdict v = Reference(line);
    const bool read = f->reader.Read(line, f->event, &error);
    if (read && Rejected(v)) {
      std::fclose(file);
      Disagree("the JSON Lines reader", line, Why(v));
    }
    std::string reference_error;
    const bool reference_read = f->reference.ReadReference(line, f->reference_event, &reference_error);
    if (read != reference_read || (read && !SameValues(f->event, f->reference_event)) ||
        (!read && error != reference_error) || f->reader.last_id() != f->reference.last_id()) {
      std::fclose(file);
      std::fprintf(stderr, "the one-pass reader and the reference differ: '%s' / '%s'\n",
                   error.c_str(), reference_error.c_str());
      Disagree("the one-pass reader", line, "differs from the reference path");
    }
    if (!last_valid.empty()) {
      vigil::eval::EventJsonReader shaped;
      std::string shaped_error;
      if (!shaped.Read(last_valid, f->event, &shaped_error)) __builtin_trap();
      const bool shaped_read = shaped.Read(line, f->event, &shaped_error);
      if (shaped_read != reference_read || (shaped_read && !SameValues(f->event, f->reference_event)) ||
          (!shaped_read && shaped_error != reference_error) ||
          shaped.last_id() != f->reference.last_id()) {
        std::fclose(file);
        std::fprintf(stderr, "the shaped reader and the reference differ: '%s' / '%s'\n",
                     shaped_error.c_str(), reference_error.c_str());
        Disagree("the shaped reader", line, "differs from the reference path");
      }
      // And read where it lies, as `vigil eval` reads a chunk's lines
      // (ReadInPlace): followed by its '\n', then by bytes of the input,
      // which a scan that went on past the line's end would take in.
      std::string buffer = line + '\n';
      for (size_t k = 0; buffer.size() < line.size() + 1 + vigil::kJsonShapePadding; ++k) {
        buffer += size > 0 ? input[k % size] : '0';
      }
      vigil::eval::EventJsonReader in_place;
      if (!in_place.Read(last_valid, f->event, &shaped_error)) __builtin_trap();
      const bool in_place_read =
          in_place.ReadInPlace(std::string_view(buffer.data(), line.size()), f->event, &shaped_error);
      if (in_place_read != reference_read || (in_place_read && !SameValues(f->event, f->reference_event)) ||
          (!in_place_read && shaped_error != reference_error) ||
          in_place.last_id() != f->reference.last_id()) {
        std::fclose(file);
        std::fprintf(stderr, "the in-place reader and the reference differ: '%s' / '%s'\n",
                     shaped_error.c_str(), reference_error.c_str());
        Disagree("the in-place reader", line, "differs from the reference path");
      }
    }
    if (reference_read) last_valid = line;
  }
  std::fclose(file);
  SameLinesInBlocks(input);
  return 0;
}
