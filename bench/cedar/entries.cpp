// The batch of entries for the Cedar comparison: see entries.h.
#include "bench/cedar/entries.h"

#include "compiler/diagnostics/diagnostics.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

namespace caldicott::cedar {

namespace {

constexpr const char* kSnomed = "http://snomed.info/sct";
constexpr const char* kIcd10 = "http://hl7.org/fhir/sid/icd-10";
constexpr const char* kReadV2 = "http://read.info/readv2";
// A practice system's local codes (as GP systems keep them): a local code
// that happens to equal a SNOMED CT id is still in no group.
constexpr const char* kLocal = "https://fhir.example-gp.nhs.uk/CodeSystem/local-codes";
constexpr const char* kConfidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
constexpr const char* kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

// One clinical item: what one entry records, as two or three SNOMED CT
// concepts of the demonstration schema (the concept recorded, then broader
// or related concepts a record also carries for it). The table is the one
// of bench/decide_bench.cpp, so that the two benchmarks decide the same mix.
struct Item {
  caldicott_kind kind;
  int weight;  // relative frequency within its kind
  std::array<const char*, 3> codes;
  const char* label;  // an ActCode sensitivity label it is sometimes recorded with, or nullptr
};

// clang-format off
constexpr Item kItems[] = {
    // Problems: diabetes and its complications (std:clinical diabetes, lower_limb).
    {CALDICOTT_KIND_PROBLEM, 8, {"44054006", "73211009", "422014003"}, nullptr},  // type 2 diabetes
    {CALDICOTT_KIND_PROBLEM, 3, {"46635009", "73211009", "420868002"}, nullptr},  // type 1 diabetes
    {CALDICOTT_KIND_PROBLEM, 2, {"371087003", "280137006", "95345008"}, nullptr}, // diabetic foot ulcer
    {CALDICOTT_KIND_PROBLEM, 2, {"424736006", "230572002", nullptr}, nullptr},    // diabetic neuropathy
    {CALDICOTT_KIND_PROBLEM, 1, {"4855003", "25093002", nullptr}, nullptr},       // diabetic retinopathy
    // Feet, legs and circulation.
    {CALDICOTT_KIND_PROBLEM, 3, {"400200009", "400097005", "17790008"}, nullptr}, // ingrowing toenail
    {CALDICOTT_KIND_PROBLEM, 2, {"65358001", "122480009", "88562000"}, nullptr},  // hallux valgus
    {CALDICOTT_KIND_PROBLEM, 2, {"403059006", "414941008", nullptr}, nullptr},    // onychomycosis
    {CALDICOTT_KIND_PROBLEM, 2, {"400047006", "27550009", nullptr}, nullptr},     // peripheral vascular disease
    {CALDICOTT_KIND_PROBLEM, 1, {"63491006", "399957001", nullptr}, nullptr},     // intermittent claudication
    // Arthritis.
    {CALDICOTT_KIND_PROBLEM, 4, {"239873007", "396275006", "3723001"}, nullptr},  // osteoarthritis of knee
    {CALDICOTT_KIND_PROBLEM, 2, {"69896004", "3723001", nullptr}, nullptr},       // rheumatoid arthritis
    {CALDICOTT_KIND_PROBLEM, 2, {"24595009", "90560007", nullptr}, nullptr},      // primary gout
    // Long-term conditions that no agreement here names: in no group they use.
    {CALDICOTT_KIND_PROBLEM, 6, {"59621000", "38341003", nullptr}, nullptr},      // essential hypertension
    {CALDICOTT_KIND_PROBLEM, 5, {"195967001", "389145006", "50043002"}, nullptr}, // asthma
    {CALDICOTT_KIND_PROBLEM, 2, {"13645005", "50043002", nullptr}, nullptr},      // COPD
    {CALDICOTT_KIND_PROBLEM, 2, {"49436004", "56265001", nullptr}, nullptr},      // atrial fibrillation
    {CALDICOTT_KIND_PROBLEM, 2, {"9014002", "64572001", nullptr}, nullptr},       // psoriasis
    {CALDICOTT_KIND_PROBLEM, 1, {"84757009", "128613002", nullptr}, nullptr},     // epilepsy
    // In no group at all.
    {CALDICOTT_KIND_PROBLEM, 3, {"56265001", "49601007", nullptr}, nullptr},      // heart disease
    {CALDICOTT_KIND_PROBLEM, 2, {"87628006", "40733004", nullptr}, nullptr},      // bacterial infection
    {CALDICOTT_KIND_PROBLEM, 2, {"34014006", "40733004", "64572001"}, nullptr},   // viral disease
    {CALDICOTT_KIND_PROBLEM, 2, {"89765005", "56294008", nullptr}, nullptr},      // tobacco dependence
    // Mental health and substance misuse (std:sensitive).
    {CALDICOTT_KIND_PROBLEM, 4, {"35489007", "74732009", nullptr}, "PSY"},        // depressive disorder
    {CALDICOTT_KIND_PROBLEM, 3, {"21897009", "48694002", "74732009"}, "PSY"},     // anxiety disorder
    {CALDICOTT_KIND_PROBLEM, 1, {"64905009", "58214004", "74732009"}, "PSY"},     // paranoid schizophrenia
    {CALDICOTT_KIND_PROBLEM, 1, {"13746004", "74732009", nullptr}, "PSY"},        // bipolar disorder
    {CALDICOTT_KIND_PROBLEM, 2, {"66590003", "7200002", "66214007"}, nullptr},    // alcohol dependence
    {CALDICOTT_KIND_PROBLEM, 1, {"75544000", "191816009", nullptr}, nullptr},     // opioid dependence
    // Sexual health, HIV, legally restricted (withheld everywhere).
    {CALDICOTT_KIND_PROBLEM, 1, {"240589008", "105629000", "8098009"}, "SEX"},    // chlamydia
    {CALDICOTT_KIND_PROBLEM, 1, {"33839006", "88594005", "8098009"}, "SEX"},      // genital herpes
    {CALDICOTT_KIND_PROBLEM, 1, {"91947003", "86406008", nullptr}, "SEX"},        // asymptomatic HIV
    {CALDICOTT_KIND_PROBLEM, 1, {"87991007", "74732009", nullptr}, nullptr},      // gender identity disorder
    // Safeguarding.
    {CALDICOTT_KIND_PROBLEM, 1, {"397940009", "386702006", nullptr}, nullptr},    // victim of child abuse

    // Allergies.
    {CALDICOTT_KIND_ALLERGY, 4, {"91936005", "416098002", "419199007"}, nullptr}, // penicillin
    {CALDICOTT_KIND_ALLERGY, 2, {"294505008", "416098002", nullptr}, nullptr},    // amoxicillin
    {CALDICOTT_KIND_ALLERGY, 1, {"91935009", "414285001", "419199007"}, nullptr}, // peanut
    {CALDICOTT_KIND_ALLERGY, 1, {"300916003", "419199007", nullptr}, nullptr},    // latex

    // Medication: products and the classes they belong to.
    {CALDICOTT_KIND_MEDICATION, 6, {"109081006", "384953001", "312064005"}, nullptr}, // metformin
    {CALDICOTT_KIND_MEDICATION, 3, {"48603004", "81839001", nullptr}, nullptr},       // warfarin
    {CALDICOTT_KIND_MEDICATION, 1, {"87233003", "84812008", "81839001"}, nullptr},    // LMW heparin
    {CALDICOTT_KIND_MEDICATION, 4, {"7947003", "373873005", nullptr}, nullptr},       // aspirin
    {CALDICOTT_KIND_MEDICATION, 4, {"27658006", "373873005", nullptr}, nullptr},      // amoxicillin
    {CALDICOTT_KIND_MEDICATION, 2, {"796001", "373873005", nullptr}, nullptr},        // digoxin

    // Observations: findings recorded at a consultation.
    {CALDICOTT_KIND_OBSERVATION, 3, {"47933007", "299478007", "22253000"}, nullptr},  // foot pain
    {CALDICOTT_KIND_OBSERVATION, 2, {"102576009", "102572006", "267038008"}, nullptr},// oedema of foot
    {CALDICOTT_KIND_OBSERVATION, 2, {"309537005", "44077006", nullptr}, nullptr},     // numb lower limb
    {CALDICOTT_KIND_OBSERVATION, 2, {"714664001", "280137006", nullptr}, nullptr},    // foot ulcer risk
    {CALDICOTT_KIND_OBSERVATION, 3, {"170746002", "73211009", nullptr}, nullptr},     // diabetic on tablets
    {CALDICOTT_KIND_OBSERVATION, 4, {"22253000", "404684003", nullptr}, nullptr},     // pain
    {CALDICOTT_KIND_OBSERVATION, 3, {"65124004", "404684003", nullptr}, nullptr},     // swelling
    {CALDICOTT_KIND_OBSERVATION, 2, {"91019004", "404684003", nullptr}, nullptr},     // paraesthesia
    {CALDICOTT_KIND_OBSERVATION, 2, {"48694002", "413307004", nullptr}, "PSY"},       // anxiety
    {CALDICOTT_KIND_OBSERVATION, 1, {"6471006", "225444004", nullptr}, "PSY"},        // suicidal thoughts
    {CALDICOTT_KIND_OBSERVATION, 1, {"228371004", "228366006", nullptr}, nullptr},    // drug misuser
    {CALDICOTT_KIND_OBSERVATION, 1, {"165816005", "86406008", nullptr}, "SEX"},       // HIV positive
    {CALDICOTT_KIND_OBSERVATION, 1, {"704659007", "225915006", nullptr}, nullptr},    // child at risk

    // Procedures.
    {CALDICOTT_KIND_PROCEDURE, 3, {"394683006", "401191002", "118716003"}, nullptr},  // foot risk assessment
    {CALDICOTT_KIND_PROCEDURE, 2, {"134388005", "118716003", nullptr}, nullptr},      // monofilament test
    {CALDICOTT_KIND_PROCEDURE, 2, {"229826007", "385955003", nullptr}, nullptr},      // callus reduction
    {CALDICOTT_KIND_PROCEDURE, 1, {"27480002", "61661004", "118716003"}, nullptr},    // bunion excision
    {CALDICOTT_KIND_PROCEDURE, 1, {"81723002", "71388002", nullptr}, nullptr},        // amputation
    {CALDICOTT_KIND_PROCEDURE, 2, {"409063005", "71388002", nullptr}, nullptr},       // counselling
    {CALDICOTT_KIND_PROCEDURE, 2, {"409073007", "71388002", nullptr}, nullptr},       // education
    {CALDICOTT_KIND_PROCEDURE, 1, {"391281002", "10197000", nullptr}, "PSY"},         // MH assessment
    {CALDICOTT_KIND_PROCEDURE, 1, {"165813002", "71388002", nullptr}, "SEX"},         // HIV antibody test
    {CALDICOTT_KIND_PROCEDURE, 1, {"386639001", "57797005", nullptr}, "SEX"},         // termination
    {CALDICOTT_KIND_PROCEDURE, 1, {"425866000", "63487001", nullptr}, nullptr},       // IVF

    // Immunisations: the demonstration schema has no vaccines; products.
    {CALDICOTT_KIND_IMMUNISATION, 1, {"373873005", "105590001", nullptr}, nullptr},

    // Encounters: reviews and monitoring.
    {CALDICOTT_KIND_ENCOUNTER, 3, {"170777000", "170742000", nullptr}, nullptr},  // diabetic review
    {CALDICOTT_KIND_ENCOUNTER, 2, {"394700004", "243120004", nullptr}, nullptr},  // asthma review
    {CALDICOTT_KIND_ENCOUNTER, 2, {"401191002", "385955003", nullptr}, nullptr},  // foot examination
    {CALDICOTT_KIND_ENCOUNTER, 1, {"182790007", "243120004", nullptr}, "PSY"},    // psychiatric monitoring
    {CALDICOTT_KIND_ENCOUNTER, 3, {"243120004", "71388002", nullptr}, nullptr},   // regime / therapy

    // Documents and referrals.
    {CALDICOTT_KIND_DOCUMENT, 2, {"3457005", "71388002", nullptr}, nullptr},
    {CALDICOTT_KIND_DOCUMENT, 1, {"183524004", "3457005", nullptr}, "PSY"},
    {CALDICOTT_KIND_REFERRAL, 2, {"308451001", "3457005", nullptr}, nullptr},     // podiatrist
    {CALDICOTT_KIND_REFERRAL, 1, {"308459004", "3457005", nullptr}, nullptr},     // psychologist
    {CALDICOTT_KIND_REFERRAL, 1, {"183524004", "3457005", nullptr}, "PSY"},       // psychiatry

    // Family history, care plans, alerts.
    {CALDICOTT_KIND_FAMILY_HISTORY, 1, {"73211009", "417662000", nullptr}, nullptr},
    {CALDICOTT_KIND_FAMILY_HISTORY, 1, {"230690007", "417662000", nullptr}, nullptr},
    {CALDICOTT_KIND_CARE_PLAN, 1, {"713150007", "385955003", nullptr}, nullptr},
    {CALDICOTT_KIND_CARE_PLAN, 1, {"24172008", "243120004", nullptr}, "PSY"},
    {CALDICOTT_KIND_ALERT, 1, {"225444004", "6471006", nullptr}, "PSY"},          // at risk of suicide
    {CALDICOTT_KIND_ALERT, 1, {"707087005", "225915006", nullptr}, nullptr},      // domestic violence risk
    {CALDICOTT_KIND_ALERT, 1, {"91936005", "416098002", nullptr}, nullptr},       // penicillin allergy
};

// Classification codes some records carry beside SNOMED CT (a coded
// discharge letter, a migrated Read v2 record): by the item's first code.
struct CrossMap {
  const char* snomed;
  const char* system;
  const char* code;
};
constexpr CrossMap kCrossMaps[] = {
    {"44054006", kIcd10, "E11.9"},   {"44054006", kReadV2, "C10F."},  // type 2 diabetes
    {"46635009", kIcd10, "E10.9"},   {"46635009", kReadV2, "C10E."},  // type 1 diabetes
    {"371087003", kIcd10, "E11.5"},                                   // diabetic foot ulcer
    {"424736006", kIcd10, "E11.4"},                                   // diabetic neuropathy
    {"59621000", kIcd10, "I10"},                                      // essential hypertension
    {"195967001", kIcd10, "J45.9"},                                   // asthma
    {"35489007", kIcd10, "F32.9"},                                    // depressive disorder
    {"240589008", kIcd10, "A56.0"},                                   // chlamydia
    {"33839006", kIcd10, "A60.0"},                                    // genital herpes
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

// Entries per thousand by kind, roughly as in a GP record.
constexpr std::array<int, CALDICOTT_KIND_COUNT> kKindPerMille = {
    /* problem */ 170, /* allergy */ 15, /* medication */ 260, /* observation */ 250,
    /* procedure */ 60, /* immunisation */ 40, /* encounter */ 120, /* document */ 40,
    /* referral */ 20, /* family history */ 10, /* care plan */ 5, /* alert */ 10,
    /* device */ 0, /* other */ 0};
// clang-format on

// splitmix64: the batch depends only on the seed, on every platform.
struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
};

caldicott_coding Coding(const char* system, const char* code) {
  return {system, std::strlen(system), code, std::strlen(code)};
}

}  // namespace

Batch MakeBatch(size_t count, uint64_t seed) {
  Batch b;
  b.codings.reserve(count * 4);
  // Where each entry's codings and labels start in b.codings (pointers are
  // set at the end, when the vector no longer moves).
  std::vector<std::pair<size_t, size_t>> starts;
  starts.reserve(count);
  b.entries.reserve(count);
  Rng rng{seed};
  const caldicott_date first = caldicott_date_from_ymd(2005, 1, 1);
  const caldicott_date last = caldicott_date_from_ymd(2026, 5, 31);
  for (size_t n = 0; n < count; ++n) {
    // The kind, then an item of that kind by weight.
    uint32_t k = rng.Below(1000);
    int kind = 0;
    while (k >= static_cast<uint32_t>(kKindPerMille[kind])) k -= kKindPerMille[kind++];
    int total = 0;
    for (const Item& item : kItems) total += item.kind == kind ? item.weight : 0;
    int w = static_cast<int>(rng.Below(static_cast<uint32_t>(total)));
    const Item* chosen = nullptr;
    for (const Item& item : kItems) {
      if (item.kind != kind) continue;
      if (w < item.weight) {
        chosen = &item;
        break;
      }
      w -= item.weight;
    }
    caldicott_entry e{};
    e.kind = static_cast<uint32_t>(kind);
    switch (kind) {
      case CALDICOTT_KIND_PROBLEM:
        e.status = rng.Below(100) < 55 ? CALDICOTT_STATUS_ACTIVE : CALDICOTT_STATUS_INACTIVE;
        break;
      case CALDICOTT_KIND_ALLERGY:
        e.status = rng.Below(100) < 90 ? CALDICOTT_STATUS_ACTIVE : CALDICOTT_STATUS_INACTIVE;
        break;
      case CALDICOTT_KIND_MEDICATION:
        e.status = rng.Below(100) < 35 ? CALDICOTT_STATUS_CURRENT : CALDICOTT_STATUS_PAST;
        break;
      default:
        e.status = CALDICOTT_STATUS_UNKNOWN;
    }
    // Recent entries are the commoner: the later of two uniform dates. A
    // few (2 in 100) have no date.
    uint32_t span = static_cast<uint32_t>(last - first + 1);
    uint32_t d = std::max(rng.Below(span), rng.Below(span));
    e.date = rng.Below(100) < 2 ? CALDICOTT_NO_DATE : first + static_cast<caldicott_date>(d);
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

std::string_view KindName(uint32_t kind) {
  static constexpr std::string_view kNames[] = {
      "problem",      "allergy",   "medication", "observation", "procedure",
      "immunisation", "encounter", "document",   "referral",    "family_history",
      "care_plan",    "alert",     "device",     "other"};
  return kind < std::size(kNames) ? kNames[kind] : "?";
}

std::string_view StatusName(uint32_t status) {
  static constexpr std::string_view kNames[] = {"active", "inactive", "current", "past", "unknown"};
  return status < std::size(kNames) ? kNames[status] : "?";
}

std::string CodingKey(std::string_view system, std::string_view code) {
  std::string key(system);
  key += '|';
  key += code;
  return key;
}

std::string JsonString(std::string_view text) {
  return "\"" + diag::JsonEscape(text) + "\"";
}

namespace {

void WriteKeys(std::ostream& out, const caldicott_coding* codings, size_t count) {
  // A Cedar set: duplicates would be merged by Cedar anyway.
  out << '[';
  for (size_t i = 0; i < count; ++i) {
    std::string_view system(codings[i].system, codings[i].system_len);
    std::string_view code(codings[i].code, codings[i].code_len);
    out << (i ? "," : "") << JsonString(CodingKey(system, code));
  }
  out << ']';
}

}  // namespace

void WriteEntity(std::ostream& out, size_t index, const caldicott_entry& e) {
  bool dated = e.date != CALDICOTT_NO_DATE;
  out << R"({"uid":{"type":"Entry","id":"e)" << index << R"("},"attrs":{"kind":)"
      << JsonString(KindName(e.kind)) << R"(,"status":)" << JsonString(StatusName(e.status))
      << R"(,"dated":)" << (dated ? "true" : "false") << R"(,"date":)" << (dated ? e.date : 0)
      << R"(,"codes":)";
  WriteKeys(out, e.codings, e.coding_count);
  out << R"(,"labels":)";
  WriteKeys(out, e.labels, e.label_count);
  out << R"(},"parents":[]})";
}

}  // namespace caldicott::cedar
