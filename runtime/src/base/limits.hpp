// Limits on untrusted input. Rule files come from other banks: each limit
// turns an input that could exhaust memory or the stack into a clear error.
// Documented in docs/language.md ("Limits").
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigil::limits {

inline constexpr size_t kMaxSourceBytes = 8u << 20;     // one rule file
inline constexpr size_t kMaxSourceBytesTotal = 32u << 20;  // all the rule files of one compilation
inline constexpr size_t kMaxListFileBytes = 256u << 20; // one list file
// Entries of one list file, and of all the list files of one compilation
// (each string entry costs about 200 bytes of memory while compiling).
inline constexpr size_t kMaxListFileEntries = 5000000;
inline constexpr size_t kMaxListEntriesTotal = 10000000;
inline constexpr size_t kMaxNameLength = 256;           // identifiers, in bytes
inline constexpr size_t kMaxStringLength = 65536;       // string literals, in bytes
inline constexpr size_t kMaxParseDepth = 400;           // nested grammar rules while parsing
// Tokens (comments and blanks not counted) and grammar nodes of one parse:
// they bound the parser's memory (ANTLR's tokens and parse tree take about
// 300 bytes a node). 100,000 typical rules take about 1.5 M tokens and 3 M
// nodes, and 1 GB while they are parsed.
inline constexpr size_t kMaxTokens = 2000000;
inline constexpr size_t kMaxParseNodes = 4000000;
inline constexpr size_t kMaxSetElements = 100000;       // elements of one set literal
// RE2 instructions of one `matches` pattern, and of all the distinct patterns
// of one compilation: compile time (about 1 ms per 1,000 instructions) and
// the work of each match grow with them. `\pL{100}x` is 119,305.
inline constexpr size_t kMaxRegexProgram = 150000;
inline constexpr size_t kMaxRegexProgramTotal = 500000;
inline constexpr size_t kMaxExprDepth = 100;            // nested AST expression levels
inline constexpr size_t kMaxErrors = 20;                // errors reported per compilation
inline constexpr size_t kMaxWarnings = 50;              // warnings shown per compilation (the rest counted)
inline constexpr size_t kMaxFiles = 1000;               // source files per compilation
inline constexpr size_t kMaxTestRepeat = 100000;        // `repeat N` in a test
inline constexpr size_t kMaxFixtureBytes = 64u << 20;   // one fixture file (.jsonl)
// Window entries the aggregates of one test (or fixture file), and of all
// the tests of one run, may summarise: each event's aggregates scan its key's
// entries in the window, so N events of one key in a long window cost about
// N²/2. A test above either bound stops and fails.
inline constexpr uint64_t kMaxTestWindowWork = 20000000;
inline constexpr uint64_t kMaxTestRunWindowWork = 200000000;
inline constexpr size_t kMaxListEntries = 50000000;     // values of one external list
// One event: its JSON (a line of an events file, vigil_event_set_json), each
// string value, and the items of a set<string> value.
inline constexpr size_t kMaxEventJsonBytes = 16u << 20;
inline constexpr size_t kMaxEventStringBytes = 65536;
inline constexpr size_t kMaxEventSetItems = 10000;
inline constexpr size_t kMaxSnapshotBytes = size_t{4} << 30;  // one state snapshot file

}  // namespace vigil::limits
