// Limits on untrusted input. Rule files come from other banks: each limit
// turns an input that could exhaust memory or the stack into a clear error.
// Documented in docs/language.md ("Limits").
#pragma once

#include <cstddef>

namespace vigil::limits {

inline constexpr size_t kMaxSourceBytes = 8u << 20;     // one rule file
inline constexpr size_t kMaxListFileBytes = 256u << 20; // one list file
inline constexpr size_t kMaxNameLength = 256;           // identifiers, in bytes
inline constexpr size_t kMaxStringLength = 65536;       // string literals, in bytes
inline constexpr size_t kMaxParseDepth = 400;           // nested grammar rules while parsing
inline constexpr size_t kMaxExprDepth = 100;            // nested AST expression levels
inline constexpr size_t kMaxErrors = 20;                // errors reported per compilation
inline constexpr size_t kMaxFiles = 1000;               // source files per compilation
inline constexpr size_t kMaxTestRepeat = 100000;        // `repeat N` in a test
inline constexpr size_t kMaxListEntries = 50000000;     // values of one external list

}  // namespace vigil::limits
