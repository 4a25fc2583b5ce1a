// ISO 3166-1 alpha-2: the 249 officially assigned country codes, written
// out here (not read from the system) so that every member decides the same
// way. Referral policies and the data's country fields are checked against
// it; "UK", "EU" or "XK" (user-assigned) are not country codes.
#pragma once

#include <cstddef>
#include <string_view>

namespace vigil::referral {

struct Country {
  const char* code;  // "PH"
  const char* name;  // "Philippines"
};

// Sorted by code.
const Country* Countries();
size_t CountryCount();

// The country with this exact code (two upper-case letters), or null.
const Country* FindCountry(std::string_view code);
// Its index in Countries(), or -1.
int CountryIndex(std::string_view code);

}  // namespace vigil::referral
