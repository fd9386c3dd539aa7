#include "simulator/regions.h"

#include <array>

namespace silverwork::simulator {
namespace {

constexpr District kSeoul[] = {{"종로구", 11110}, {"중구", 11140},     {"용산구", 11170},
                               {"은평구", 11380}, {"영등포구", 11560}, {"서초구", 11650},
                               {"강남구", 11680}, {"송파구", 11710}};
constexpr District kBusan[] = {{"중구", 26110},     {"동구", 26170},   {"부산진구", 26230},
                               {"해운대구", 26350}, {"사하구", 26380}, {"금정구", 26410}};
constexpr District kDaegu[] = {
    {"중구", 27110}, {"동구", 27140}, {"서구", 27170}, {"수성구", 27260}, {"달서구", 27290}};
constexpr District kIncheon[] = {{"중구", 28110},   {"미추홀구", 28177}, {"연수구", 28185},
                                 {"남동구", 28200}, {"부평구", 28237},   {"서구", 28260}};
constexpr District kGwangju[] = {
    {"동구", 29110}, {"서구", 29140}, {"남구", 29155}, {"북구", 29170}, {"광산구", 29200}};
constexpr District kDaejeon[] = {
    {"동구", 30110}, {"중구", 30140}, {"서구", 30170}, {"유성구", 30200}, {"대덕구", 30230}};
constexpr District kUlsan[] = {
    {"중구", 31110}, {"남구", 31140}, {"동구", 31170}, {"북구", 31200}, {"울주군", 31710}};
constexpr District kSejong[] = {{"", 36110}};
constexpr District kGyeonggi[] = {{"수원시 영통구", 41117},   {"성남시 분당구", 41135},
                                  {"부천시", 41190},          {"안산시 단원구", 41273},
                                  {"고양시 일산동구", 41285}, {"남양주시", 41360},
                                  {"용인시 기흥구", 41463},   {"화성시", 41590}};
constexpr District kGangwon[] = {{"춘천시", 42110}, {"원주시", 42130}, {"강릉시", 42150},
                                 {"동해시", 42170}, {"속초시", 42210}, {"홍천군", 42720}};
constexpr District kChungbuk[] = {
    {"청주시 상당구", 43111}, {"충주시", 43130}, {"제천시", 43150}, {"음성군", 43770}};
constexpr District kChungnam[] = {{"천안시 동남구", 44131},
                                  {"공주시", 44150},
                                  {"아산시", 44200},
                                  {"서산시", 44210},
                                  {"논산시", 44230}};
constexpr District kJeonbuk[] = {{"전주시 완산구", 45111},
                                 {"군산시", 45130},
                                 {"익산시", 45140},
                                 {"정읍시", 45180},
                                 {"남원시", 45190}};
constexpr District kJeonnam[] = {
    {"목포시", 46110}, {"여수시", 46130}, {"순천시", 46150}, {"나주시", 46170}, {"해남군", 46820}};
constexpr District kGyeongbuk[] = {{"포항시 남구", 47111},
                                   {"경주시", 47130},
                                   {"김천시", 47150},
                                   {"안동시", 47170},
                                   {"구미시", 47190}};
constexpr District kGyeongnam[] = {{"창원시 의창구", 48121},
                                   {"진주시", 48170},
                                   {"거제시", 48310},
                                   {"김해시", 48250},
                                   {"양산시", 48330}};
constexpr District kJeju[] = {{"제주시", 50110}, {"서귀포시", 50130}};

const Date kNever{};

const std::array<Province, 17> kProvinces = {{
    {"KR-11", "서울특별시", "", kNever, "서울", 1362, "02", 1000, 8999, kSeoul},
    {"KR-26", "부산광역시", "", kNever, "부산", 1031, "051", 46000, 49999, kBusan},
    {"KR-27", "대구광역시", "", kNever, "대구", 430, "053", 41000, 43999, kDaegu},
    {"KR-28", "인천광역시", "", kNever, "인천", 610, "032", 21000, 23999, kIncheon},
    {"KR-29", "광주광역시", "", kNever, "광주", 370, "062", 61000, 62999, kGwangju},
    {"KR-30", "대전광역시", "", kNever, "대전", 309, "042", 34000, 35999, kDaejeon},
    {"KR-31", "울산광역시", "", kNever, "울산", 238, "052", 44000, 45999, kUlsan},
    {"KR-50", "세종특별자치시", "", kNever, "세종", 64, "044", 30000, 30199, kSejong},
    {"KR-41", "경기도", "", kNever, "경기", 1851, "031", 10000, 18999, kGyeonggi},
    {"KR-42", "강원특별자치도", "강원도", Date::FromYmd(2023, 6, 11), "강원", 671, "033", 24000,
     26999, kGangwon},
    {"KR-43", "충청북도", "", kNever, "충북", 398, "043", 27000, 29999, kChungbuk},
    {"KR-44", "충청남도", "", kNever, "충남", 675, "041", 31000, 33999, kChungnam},
    {"KR-45", "전북특별자치도", "전라북도", Date::FromYmd(2024, 1, 18), "전북", 1036, "063", 54000,
     56999, kJeonbuk},
    {"KR-46", "전라남도", "", kNever, "전남", 733, "061", 57000, 59999, kJeonnam},
    {"KR-47", "경상북도", "", kNever, "경북", 684, "054", 36000, 40999, kGyeongbuk},
    {"KR-48", "경상남도", "", kNever, "경남", 903, "055", 50000, 53999, kGyeongnam},
    {"KR-49", "제주특별자치도", "", kNever, "제주", 133, "064", 63000, 63999, kJeju},
}};

}  // namespace

std::span<const Province> Provinces() { return kProvinces; }

std::string_view ProvinceNameOn(const Province& province, Date day, bool lagging) {
  if (province.old_name.empty()) return province.full_name;
  if (day < province.renamed_on || lagging) return province.old_name;
  return province.full_name;
}

std::string LocalName(const District& district) {
  std::string_view name = district.name;
  if (name.empty()) return "세종";
  if (size_t space = name.rfind(' '); space != std::string_view::npos) {
    name = name.substr(space + 1);
  }
  // Drop the 구/시/군 suffix (one 3-byte UTF-8 syllable) unless that would
  // leave a single syllable: "중구" stays "중구".
  constexpr size_t kHangulBytes = 3;
  if (name.size() > 2 * kHangulBytes) name.remove_suffix(kHangulBytes);
  return std::string(name);
}

}  // namespace silverwork::simulator
