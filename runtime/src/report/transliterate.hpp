// Latin (ASCII) forms of names for FIU schemas that accept only ASCII
// (REPORTING.md §1.5: goAML name patterns such as [a-zA-Z0-9 .'-]).
//
// Covered: Latin-1 Supplement, Latin Extended-A, the Latin Extended-B letters
// of Romanian and Azerbaijani, combining accents (dropped), typographic
// punctuation, Greek (ELOT 743 simplified: accents dropped, "ου" as "ou") and
// Cyrillic (ICAO Doc 9303, the table of machine-readable passports, with the
// Ukrainian and Belarusian letters). Accented letters lose their accent
// (Müller → Muller, as ICAO's primary table does); ß → ss, Æ → AE, Ø → O,
// Þ → TH, Ł → L.
// Other scripts (Arabic, Hebrew, CJK, ...) have no reliable letter-by-letter
// form: their characters are left as they are, for the caller to remove and
// report; the bank must supply the Latin form its KYC records hold.
#pragma once

#include <string>
#include <string_view>

namespace vigil::report {

// The ASCII form of one code point, or nullptr when there is none. Returns
// the code point itself for ASCII.
const char* AsciiForm(char32_t cp);

// Transliterates valid UTF-8 `in`: every code point with an ASCII form is
// replaced by it; the others are kept. Multi-letter forms of a capital
// letter are capitalised ("Жанна" → "Zhanna") or kept upper case inside an
// upper-case word ("ЖАННА" → "ZHANNA").
std::string Transliterate(std::string_view in);

}  // namespace vigil::report
