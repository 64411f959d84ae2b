// Internal to bundlegen: the part of the synthetic record that the seed
// alone decides, before any clinical entry: the patient, the staff who
// record, and the ids of the resources that every Bundle of the seed holds.
#ifndef CALDICOTT_TOOLS_BUNDLEGEN_RECORD_H_
#define CALDICOTT_TOOLS_BUNDLEGEN_RECORD_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/bundlegen/catalogue.h"
#include "tools/bundlegen/random.h"

namespace caldicott::bundlegen::internal {

// A member of staff (Catalogue::staff, by the same index): their
// Practitioner and PractitionerRole.
struct Person {
  Id id;
  Id role_id;
  std::string family, given, prefix;
  bool female;
};

struct Record {
  Id patient_id, composition_id, bundle_id, location_id;
  std::array<Id, kOrgCount> org_ids;
  std::vector<Id> medication_ids;  // by Catalogue::medicines
  std::vector<Person> staff;
  bool patient_female = false;
  std::string patient_family, patient_given, nhs_number, street, postcode, phone;
  int house = 1;
  // Days since 1970-01-01: the patient's birth, and the first and last days
  // of the record.
  int64_t birth = 0, first_day = 0, last_day = 0;
};

// The Record of `seed`.
Record DrawRecord(const Catalogue& catalogue, uint64_t seed);

}  // namespace caldicott::bundlegen::internal

#endif  // CALDICOTT_TOOLS_BUNDLEGEN_RECORD_H_
