// The 17 provinces and a few real districts of each, as the synthetic
// postings and projects use them (spec section 5). Static tables; read-only,
// thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/date.h"

namespace silverwork::simulator {

struct District {
  std::string_view name;  // "영등포구", "용인시 기흥구"; empty for 세종 (no districts)
  int code;               // 5-digit 시군구 code, e.g. 11560
};

struct Province {
  std::string_view iso;        // "KR-11"
  std::string_view full_name;  // current name, e.g. "강원특별자치도"
  std::string_view old_name;   // name before `renamed_on`; empty when never renamed
  Date renamed_on;
  std::string_view short_name;  // as workPlcNm writes it: "서울"
  double weight;                // project rows in the 2023-04-17 file
  std::string_view phone_prefix;
  int postcode_low, postcode_high;  // 5-digit postcode range
  std::span<const District> districts;
};

std::span<const Province> Provinces();

// The name an address written on `day` most likely uses: the old name before
// the province was renamed; after it, the new one unless `lagging` (people
// keep writing the old name for a while).
std::string_view ProvinceNameOn(const Province& province, Date day, bool lagging);

// How a local organisation names itself after its district: "영등포구" ->
// "영등포", "용인시 기흥구" -> "기흥", "중구" -> "중구", 세종 -> "세종".
std::string LocalName(const District& district);

}  // namespace silverwork::simulator
