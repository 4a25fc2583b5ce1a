#include "base/decimal.hpp"

#include <algorithm>

namespace vigil {

namespace {

using i128 = __int128;

constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

bool Fits(i128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

// Divides with rounding half to even.
i128 DivRound(i128 num, i128 den) {
  i128 q = num / den;
  i128 r = num % den;
  if (r == 0) return q;
  i128 twice = (r < 0 ? -r : r) * 2;
  i128 d = den < 0 ? -den : den;
  bool negative = (num < 0) != (den < 0);
  if (twice > d || (twice == d && (q % 2 != 0))) q += negative ? -1 : 1;
  return q;
}

}  // namespace

std::optional<Decimal> ParseDecimal(std::string_view s) {
  DecimalError why;
  return ParseDecimal(s, &why);
}

const char* DecimalErrorText(DecimalError why) {
  switch (why) {
    case DecimalError::kRange: return "out of range (decimals hold ±9,223,372,036,854.775807)";
    case DecimalError::kPrecision: return "more than 6 fractional digits";
    default: return "not a decimal number";
  }
}

std::optional<Decimal> ParseDecimal(std::string_view s, DecimalError* why) {
  auto fail = [&](DecimalError e) -> std::optional<Decimal> {
    *why = e;
    return std::nullopt;
  };
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  i128 digits = 0;
  int frac = 0;       // digits after the point
  size_t count = 0;   // significant digits read
  bool any = false;
  bool too_many = false;  // more significant digits than any decimal has
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (!too_many) digits = digits * 10 + (s[i] - '0');
    ++i;
    any = true;
    if (digits != 0 && ++count > 30) too_many = true;
  }
  if (!any) return fail(DecimalError::kSyntax);
  if (i < s.size() && s[i] == '.') {
    ++i;
    bool frac_any = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (!too_many) digits = digits * 10 + (s[i] - '0');
      ++i;
      ++frac;
      frac_any = true;
      if (digits != 0 && ++count > 30) too_many = true;
      if (frac > 1000) return fail(DecimalError::kSyntax);
    }
    if (!frac_any) return fail(DecimalError::kSyntax);
  }
  int exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) exp_negative = s[i++] == '-';
    bool exp_any = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (exp < 100000) exp = exp * 10 + (s[i] - '0');  // saturates: 1e999999 is out of range
      ++i;
      exp_any = true;
    }
    if (!exp_any) return fail(DecimalError::kSyntax);
    if (exp_negative) exp = -exp;
  }
  if (i != s.size()) return fail(DecimalError::kSyntax);
  if (digits == 0 && !too_many) {
    // Zero with any exponent is zero; its scale is what it was written with, at most 6.
    return Decimal{0, static_cast<uint8_t>(std::clamp(frac - exp, 0, kDecimalMaxScale))};
  }
  if (too_many) return fail(count > 30 && frac - exp > kDecimalMaxScale ? DecimalError::kPrecision
                                                                       : DecimalError::kRange);
  int scale = frac - exp;  // fractional digits of the value as written
  // Drop trailing zeros beyond 6 fractional digits (1.5000000 is exact).
  while (scale > kDecimalMaxScale && digits % 10 == 0) {
    digits /= 10;
    --scale;
  }
  if (scale > kDecimalMaxScale) return fail(DecimalError::kPrecision);
  i128 units = digits;
  int shift = kDecimalMaxScale - std::max(scale, 0);
  int up = scale < 0 ? kDecimalMaxScale - scale : shift;
  for (int k = 0; k < up; ++k) {
    units *= 10;
    if (units > INT64_MAX) return fail(DecimalError::kRange);
  }
  if (negative) units = -units;
  if (!Fits(units)) return fail(DecimalError::kRange);
  return Decimal{static_cast<int64_t>(units), static_cast<uint8_t>(std::max(scale, 0))};
}

std::optional<Decimal> DecimalFromInt(int64_t v) {
  i128 u = static_cast<i128>(v) * kDecimalUnit;
  if (!Fits(u)) return std::nullopt;
  return Decimal{static_cast<int64_t>(u), 0};
}

bool DecimalAdd(Decimal a, Decimal b, Decimal* out) {
  int64_t r;
  if (__builtin_add_overflow(a.units, b.units, &r)) return false;
  *out = Decimal{r, std::max(a.scale, b.scale)};
  return true;
}

bool DecimalSub(Decimal a, Decimal b, Decimal* out) {
  int64_t r;
  if (__builtin_sub_overflow(a.units, b.units, &r)) return false;
  *out = Decimal{r, std::max(a.scale, b.scale)};
  return true;
}

bool DecimalMul(Decimal a, Decimal b, Decimal* out) {
  i128 r = DivRound(static_cast<i128>(a.units) * b.units, kDecimalUnit);
  if (!Fits(r)) return false;
  *out = Decimal{static_cast<int64_t>(r),
                 static_cast<uint8_t>(std::min(a.scale + b.scale, kDecimalMaxScale))};
  return true;
}

bool DecimalDiv(Decimal a, Decimal b, Decimal* out) {
  if (b.units == 0) return false;
  i128 r = DivRound(static_cast<i128>(a.units) * kDecimalUnit, b.units);
  if (!Fits(r)) return false;
  *out = Decimal{static_cast<int64_t>(r), kDecimalMaxScale};
  return true;
}

bool DecimalMod(Decimal a, Decimal b, Decimal* out) {
  if (b.units == 0 || (a.units == INT64_MIN && b.units == -1)) return false;
  *out = Decimal{a.units % b.units, std::max(a.scale, b.scale)};
  return true;
}

bool DecimalNeg(Decimal a, Decimal* out) {
  if (a.units == INT64_MIN) return false;
  *out = Decimal{-a.units, a.scale};
  return true;
}

double DecimalToDouble(Decimal d) {
  return static_cast<double>(d.units / kDecimalUnit) +
         static_cast<double>(d.units % kDecimalUnit) / static_cast<double>(kDecimalUnit);
}

size_t FormatDecimal(Decimal d, char* buf) {
  char tmp[32];
  size_t n = 0;
  bool negative = d.units < 0;
  // Work in unsigned so that INT64_MIN prints correctly.
  uint64_t u = negative ? 0 - static_cast<uint64_t>(d.units) : static_cast<uint64_t>(d.units);
  uint64_t whole = u / kDecimalUnit;
  uint64_t frac = u % kDecimalUnit;
  int scale = std::min<int>(d.scale, kDecimalMaxScale);
  // Show the digits the scale asks for, but never drop non-zero ones.
  while (scale < kDecimalMaxScale && frac % kPow10[kDecimalMaxScale - scale] != 0) ++scale;
  uint64_t shown = frac / kPow10[kDecimalMaxScale - scale];
  for (int k = 0; k < scale; ++k) {
    tmp[n++] = static_cast<char>('0' + shown % 10);
    shown /= 10;
  }
  if (scale > 0) tmp[n++] = '.';
  do {
    tmp[n++] = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  if (negative) tmp[n++] = '-';
  for (size_t k = 0; k < n; ++k) buf[k] = tmp[n - 1 - k];
  return n;
}

std::string DecimalToString(Decimal d) {
  char buf[32];
  return std::string(buf, FormatDecimal(d, buf));
}

}  // namespace vigil
