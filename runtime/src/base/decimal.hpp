// Exact fixed-point decimals for money (LANGUAGE.md §3): units of 10^-6 in an
// int64, so at least 18 significant digits and 6 fractional digits. Every
// operation reports overflow instead of wrapping; nothing here throws or
// allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

// value = units / 10^6. `scale` is how many fractional digits to print
// (0..6), kept from the text the value came from ("20.00" has scale 2);
// comparisons ignore it.
struct Decimal {
  int64_t units = 0;
  uint8_t scale = 0;
};

inline constexpr int64_t kDecimalUnit = 1000000;
inline constexpr int kDecimalMaxScale = 6;

// [-+]?digits[.digits][(e|E)[-+]?digits]. Returns nullopt on bad syntax, more
// than 6 fractional digits after applying the exponent, or a value outside
// the range. The scale is the number of fractional digits written (after the
// exponent), at most 6.
std::optional<Decimal> ParseDecimal(std::string_view text);
// The same, saying why a text is refused. Zero is zero whatever its exponent
// (0E+384, 0.000e-9). kRange: the value is outside ±9,223,372,036,854.775807;
// kPrecision: it has more than 6 fractional digits (after the exponent).
enum class DecimalError : uint8_t { kSyntax, kPrecision, kRange };
std::optional<Decimal> ParseDecimal(std::string_view text, DecimalError* why);
// "out of range (decimals hold ±9,223,372,036,854.775807)", "more than 6
// fractional digits", "not a decimal number", for messages.
const char* DecimalErrorText(DecimalError why);
std::optional<Decimal> DecimalFromInt(int64_t v);

// Results: add/sub/mod keep the larger scale; mul adds the scales (at most
// 6); div has scale 6. Mul and div round half to even at 6 digits. Each
// returns false on overflow or division by zero.
bool DecimalAdd(Decimal a, Decimal b, Decimal* out);
bool DecimalSub(Decimal a, Decimal b, Decimal* out);
bool DecimalMul(Decimal a, Decimal b, Decimal* out);
bool DecimalDiv(Decimal a, Decimal b, Decimal* out);
bool DecimalMod(Decimal a, Decimal b, Decimal* out);
bool DecimalNeg(Decimal a, Decimal* out);
inline int DecimalCompare(Decimal a, Decimal b) {
  return a.units < b.units ? -1 : a.units > b.units ? 1 : 0;
}
double DecimalToDouble(Decimal d);

// Writes e.g. "-12.30" (exactly `scale` fractional digits); buf >= 32 bytes.
size_t FormatDecimal(Decimal d, char* buf);
std::string DecimalToString(Decimal d);

}  // namespace vigil
