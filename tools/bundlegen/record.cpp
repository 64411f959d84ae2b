#include "tools/bundlegen/record.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "tools/bundlegen/dates.h"

namespace caldicott::bundlegen::internal {

Record DrawRecord(const Catalogue& c, uint64_t seed) {
  Record rec;
  Rng rng{seed ^ 0x5EEDB0B0CA1D1C07ull};
  rec.patient_id = NewId(rng);
  rec.composition_id = NewId(rng);
  rec.bundle_id = NewId(rng);
  rec.location_id = NewId(rng);
  for (Id& id : rec.org_ids) id = NewId(rng);
  rec.medication_ids.resize(c.medicines.size());
  for (Id& id : rec.medication_ids) id = NewId(rng);
  for (const Staff& s : c.staff) {
    Person p;
    p.id = NewId(rng);
    p.role_id = NewId(rng);
    p.female = s.female;
    p.family = rng.Pick(c.family_names);
    p.given = p.female ? rng.Pick(c.female_given_names) : rng.Pick(c.male_given_names);
    p.prefix = s.role_display.find("Medical") != std::string_view::npos ||
                       s.role_display.find("Consultant") != std::string_view::npos
                   ? "Dr"
                   : (p.female ? "Ms" : "Mr");
    rec.staff.push_back(std::move(p));
  }
  rec.patient_female = rng.Percent(55);
  rec.patient_family = rng.Pick(c.family_names);
  rec.patient_given =
      rec.patient_female ? rng.Pick(c.female_given_names) : rng.Pick(c.male_given_names);
  rec.birth = base::DaysFromCivil(rng.Between(1940, 1975), static_cast<int>(rng.Between(1, 12)),
                                  static_cast<int>(rng.Between(1, 28)));
  rec.first_day = std::max<int64_t>(rec.birth + 18 * 365, base::DaysFromCivil(1998, 1, 1));
  rec.last_day = base::DaysFromCivil(2026, 6, 30);
  // The NHS number: 999 (the test range), six digits, the modulus 11 check digit.
  for (;;) {
    std::array<int, 9> d = {9, 9, 9};
    for (int i = 3; i < 9; ++i) d[i] = static_cast<int>(rng.Below(10));
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += d[i] * (10 - i);
    int check = 11 - sum % 11;
    if (check == 10) continue;
    if (check == 11) check = 0;
    for (int v : d) rec.nhs_number += static_cast<char>('0' + v);
    rec.nhs_number += static_cast<char>('0' + check);
    break;
  }
  rec.house = rng.Between(1, 120);
  rec.street = rng.Pick(c.streets);
  rec.postcode = "TS" + std::to_string(rng.Between(1, 29)) + " " +
                 std::to_string(rng.Between(1, 9)) + static_cast<char>('A' + rng.Below(26)) +
                 static_cast<char>('A' + rng.Below(26));
  rec.phone = "01632 960" + std::to_string(100 + rng.Below(900));
  return rec;
}

}  // namespace caldicott::bundlegen::internal
