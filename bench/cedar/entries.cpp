// The batch of entries for the Cedar comparison: see entries.h.
#include "bench/cedar/entries.h"

#include "bench/common/gp_record.h"
#include "compiler/base/json.h"
#include "runtime/abi/abi.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace caldicott::cedar {

namespace {

using bench::Coding;
using bench::kActCode;
using bench::kConfidentiality;
using bench::kSnomed;
constexpr const char* kIcd10 = "http://hl7.org/fhir/sid/icd-10";
constexpr const char* kReadV2 = "http://read.info/readv2";
// A practice system's local codes (as GP systems keep them): a local code
// that happens to equal a SNOMED CT id is still in no group.
constexpr const char* kLocal = "https://fhir.example-gp.nhs.uk/CodeSystem/local-codes";

// Classification codes some records carry beside SNOMED CT (a coded
// discharge letter, a migrated Read v2 record): by the item's first code.
struct CrossMap {
  const char* snomed;
  const char* system;
  const char* code;
};
constexpr CrossMap kCrossMaps[] = {
    {"44054006", kIcd10, "E11.9"},  {"44054006", kReadV2, "C10F."},  // type 2 diabetes
    {"46635009", kIcd10, "E10.9"},  {"46635009", kReadV2, "C10E."},  // type 1 diabetes
    {"371087003", kIcd10, "E11.5"},                                  // diabetic foot ulcer
    {"424736006", kIcd10, "E11.4"},                                  // diabetic neuropathy
    {"59621000", kIcd10, "I10"},                                     // essential hypertension
    {"195967001", kIcd10, "J45.9"},                                  // asthma
    {"35489007", kIcd10, "F32.9"},                                   // depressive disorder
    {"240589008", kIcd10, "A56.0"},                                  // chlamydia
    {"33839006", kIcd10, "A60.0"},                                   // genital herpes
};

// Further ActCode sensitivity labels, by the item's first code: gender
// identity, HIV, substance misuse (ETH) and sexual and domestic violence.
struct ExtraLabel {
  const char* snomed;
  const char* label;
};
constexpr ExtraLabel kExtraLabels[] = {
    {"87991007", "GENDER"}, {"91947003", "HIV"},  {"165816005", "HIV"}, {"165813002", "HIV"},
    {"66590003", "ETH"},    {"75544000", "ETH"},  {"228371004", "ETH"}, {"397940009", "SDV"},
    {"704659007", "SDV"},   {"707087005", "SDV"},
};

}  // namespace

Batch MakeBatch(size_t count, uint64_t seed) {
  Batch b;
  b.codings.reserve(count * 4);
  // Where each entry's codings and labels start in b.codings (pointers are
  // set at the end, when the vector no longer moves).
  std::vector<std::pair<size_t, size_t>> starts;
  starts.reserve(count);
  b.entries.reserve(count);
  bench::Rng rng{seed};
  for (size_t n = 0; n < count; ++n) {
    // The kind, then an item of that kind by weight; 2 in 100 undated.
    caldicott_kind kind = bench::DrawKind(rng);
    const bench::Item* chosen = &bench::DrawItem(rng, kind);
    caldicott_entry e{};
    e.kind = static_cast<uint32_t>(kind);
    e.status = bench::DrawStatus(rng, kind);
    e.date = bench::DrawDate(rng, 2);
    // Two or three SNOMED CT codings; for an item with classification
    // codes, each of them a quarter of the time as well; 1 in 100 a
    // practice's local code as well; 1 in 200 text only (no coding).
    size_t codings_start = b.codings.size();
    uint32_t c = rng.Below(200);
    if (c != 0) {
      for (const char* code : chosen->codes) {
        if (code != nullptr) b.codings.push_back(Coding(kSnomed, code)), ++e.coding_count;
      }
      for (const CrossMap& x : kCrossMaps) {
        if (std::strcmp(x.snomed, chosen->codes[0]) == 0 && rng.Below(4) == 0) {
          b.codings.push_back(Coding(x.system, x.code)), ++e.coding_count;
        }
      }
      if (c < 3) b.codings.push_back(Coding(kLocal, chosen->codes[0])), ++e.coding_count;
    }
    // Labels: most entries have none; normal confidentiality is common,
    // restricted rare, very restricted rarer; sensitive items sometimes
    // carry their ActCode label.
    size_t labels_start = b.codings.size();
    uint32_t l = rng.Below(1000);
    if (l < 100) {
      b.codings.push_back(Coding(kConfidentiality, "N")), ++e.label_count;
    } else if (l < 120) {
      b.codings.push_back(Coding(kConfidentiality, "R")), ++e.label_count;
    } else if (l < 125) {
      b.codings.push_back(Coding(kConfidentiality, "V")), ++e.label_count;
    } else if (l < 130) {
      // A Confidentiality code in another system is not confidentiality.
      b.codings.push_back(Coding(kActCode, "R")), ++e.label_count;
    }
    if (chosen->label != nullptr && rng.Below(100) < 40) {
      b.codings.push_back(Coding(kActCode, chosen->label)), ++e.label_count;
    }
    for (const ExtraLabel& x : kExtraLabels) {
      if (std::strcmp(x.snomed, chosen->codes[0]) == 0 && rng.Below(100) < 40) {
        b.codings.push_back(Coding(kActCode, x.label)), ++e.label_count;
      }
    }
    starts.emplace_back(codings_start, labels_start);
    b.entries.push_back(e);
  }
  for (size_t n = 0; n < count; ++n) {
    caldicott_entry& e = b.entries[n];
    e.codings = e.coding_count == 0 ? nullptr : b.codings.data() + starts[n].first;
    e.labels = e.label_count == 0 ? nullptr : b.codings.data() + starts[n].second;
  }
  return b;
}

std::string CodingKey(std::string_view system, std::string_view code) {
  std::string key(system);
  key += '|';
  key += code;
  return key;
}

bool ParseCommonArg(std::string_view arg, const std::function<std::string()>& value,
                    CommonArgs& a) {
  if (arg == "--agreement") {
    a.agreement = value();
  } else if (arg == "--role") {
    a.role = value();
  } else if (arg == "--at") {
    a.at = value();
  } else if (arg == "--entries") {
    a.entries = std::strtoull(value().c_str(), nullptr, 10);
  } else if (arg == "--seed") {
    a.seed = std::strtoull(value().c_str(), nullptr, 10);
  } else if (!arg.starts_with("--")) {
    a.files.emplace_back(arg);
  } else {
    return false;
  }
  return true;
}

namespace {

void WriteKeys(std::ostream& out, const caldicott_coding* codings, size_t count) {
  // A Cedar set: duplicates would be merged by Cedar anyway.
  out << '[';
  for (size_t i = 0; i < count; ++i) {
    std::string_view system(codings[i].system, codings[i].system_len);
    std::string_view code(codings[i].code, codings[i].code_len);
    out << (i ? "," : "") << base::JsonString(CodingKey(system, code));
  }
  out << ']';
}

}  // namespace

void WriteEntity(std::ostream& out, size_t index, const caldicott_entry& e) {
  bool dated = e.date != CALDICOTT_NO_DATE;
  out << R"({"uid":{"type":"Entry","id":"e)" << index << R"("},"attrs":{"kind":)"
      << base::JsonString(abi::KindName(e.kind)) << R"(,"status":)"
      << base::JsonString(abi::StatusName(e.status)) << R"(,"dated":)" << (dated ? "true" : "false")
      << R"(,"date":)" << (dated ? e.date : 0) << R"(,"codes":)";
  WriteKeys(out, e.codings, e.coding_count);
  out << R"(,"labels":)";
  WriteKeys(out, e.labels, e.label_count);
  out << R"(},"parents":[]})";
}

}  // namespace caldicott::cedar
