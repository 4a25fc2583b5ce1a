// Instants are int64 microseconds since the Unix epoch (UTC); durations are
// int64 microseconds. Parsing validates the calendar; nothing is rounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

// The instants vigil holds: 0001-01-01T00:00:00Z through
// 9999-12-31T23:59:59.999999Z, the range RFC 3339 can write, so every time
// can be printed and read back. Event times outside it are refused at input,
// and time arithmetic whose result falls outside it is missing. Offsets of
// time zones (under a day) and windows then never overflow an int64.
inline constexpr int64_t kMinTime = -62135596800LL * 1000000;          // 0001-01-01T00:00:00Z
inline constexpr int64_t kMaxTime = 253402300800LL * 1000000 - 1;      // 9999-12-31T23:59:59.999999Z
inline bool InTimeRange(int64_t micros) { return micros >= kMinTime && micros <= kMaxTime; }
// "time out of range (the years 0001 to 9999)", for input errors.
inline constexpr const char* kTimeRangeMessage =
    "out of range (times are 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)";

// RFC 3339: YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM); 'T' may be 't' or a
// space, 'Z' may be 'z'. Years 0001..9999. More than 6 fractional digits are
// accepted only when the extra ones are zeros.
std::optional<int64_t> ParseTime(std::string_view text);

// A calendar date written alone, YYYY-MM-DD (docs/language.md, "Dates"):
// midnight UTC of that day. Years 0001..9999. On failure `why` (when not
// null) says what is wrong in words for a message: "month 13 does not exist",
// "2024-02 has 29 days", "expected YYYY-MM-DD".
std::optional<int64_t> ParseDate(std::string_view text, std::string* why = nullptr);
// Whether `text` has the shape of a date alone (ten characters, digits and two
// '-'), so that readers can give ParseDate's reason instead of a time's.
bool LooksLikeDate(std::string_view text);
// A time field's value as text: an RFC 3339 instant or a date alone.
std::optional<int64_t> ParseTimeOrDate(std::string_view text, std::string* why = nullptr);
// Midnight UTC of year-month-day, or nullopt with `why` for a day that does
// not exist (vigil_event_set_date).
std::optional<int64_t> DateToTime(int64_t year, int64_t month, int64_t day, std::string* why);
// "2026-03-01T10:00:00Z", with ".250" (milliseconds) or ".250001"
// (microseconds) only when there is a fraction. buf >= 40 bytes.
size_t FormatTime(int64_t micros, char* buf);
std::string TimeToString(int64_t micros);

// A non-negative integer and a unit: us, ms, s, m, h, d ("24h").
std::optional<int64_t> ParseDuration(std::string_view text);
// The largest exact unit: 86400000000 → "1d", 5400000000 → "90m".
size_t FormatDuration(int64_t micros, char* buf);
std::string DurationToString(int64_t micros);

// Local wall-clock fields for an instant shifted by a UTC offset; -1 when the
// shifted instant does not fit in an int64 (never for times in range).
int HourOf(int64_t micros, int64_t offset_seconds = 0);     // 0..23
int WeekdayOf(int64_t micros, int64_t offset_seconds = 0);  // ISO: 1 = Monday .. 7 = Sunday
// Whole days from t1 to t2, truncated toward zero.
int64_t DaysBetween(int64_t t1_micros, int64_t t2_micros);

// Calendar helpers (proleptic Gregorian), exposed for tests and time zones.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

}  // namespace vigil
