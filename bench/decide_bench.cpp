// Decisions per second of the reference interpreter, through the C API
// (`caldicott_decide`), for the example locality: the podiatry,
// out-of-hours and community mental health agreements of examples/*.dsa,
// compiled with the built-in standard library and default coding schema.
//
// The input is one deterministic batch of entries in the proportions of a
// GP record (problems, medication, observations, encounters, ...), each with
// two or three SNOMED CT codings taken from the demonstration schema: codes
// in the groups the agreements name (diabetes, lower limb, mental health,
// sexual health, ...) and codes in no group at all. Some entries carry
// security labels (HL7 v3 Confidentiality N or R, ActCode PSY or SEX). The
// counters say how the batch is decided, so that a change of the mix shows.
//
// Items per second are decisions per second of wall-clock time
// (UseRealTime): with Threads(2), what the two threads decide together;
// `per_thread` is what each one decides.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "caldicott/caldicott.h"

namespace {

constexpr const char* kSnomed = "http://snomed.info/sct";
constexpr const char* kConfidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
constexpr const char* kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

// One clinical item: what one entry records, as two or three SNOMED CT
// concepts of the demonstration schema (the concept recorded, then broader
// or related concepts a record also carries for it).
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

// Entries per thousand by kind, roughly as in a GP record.
constexpr std::array<int, CALDICOTT_KIND_COUNT> kKindPerMille = {
    /* problem */ 170, /* allergy */ 15, /* medication */ 260, /* observation */ 250,
    /* procedure */ 60, /* immunisation */ 40, /* encounter */ 120, /* document */ 40,
    /* referral */ 20, /* family history */ 10, /* care plan */ 5, /* alert */ 10,
    /* device */ 0, /* other */ 0};
// clang-format on

// The batch: entries and the codings they point into.
struct Batch {
  std::vector<caldicott_coding> codings;  // reserved up front: entries point into it
  std::vector<caldicott_entry> entries;
};

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

Batch MakeBatch(size_t count) {
  Batch b;
  b.codings.reserve(count * 5);
  b.entries.reserve(count);
  Rng rng{20261125};
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
    // few have no date.
    uint32_t span = static_cast<uint32_t>(last - first + 1);
    uint32_t d = std::max(rng.Below(span), rng.Below(span));
    e.date = rng.Below(100) == 0 ? CALDICOTT_NO_DATE : first + static_cast<caldicott_date>(d);
    // Two or three codings.
    e.codings = b.codings.data() + b.codings.size();
    for (const char* code : chosen->codes) {
      if (code != nullptr) b.codings.push_back(Coding(kSnomed, code)), ++e.coding_count;
    }
    // Labels: most entries have none; normal confidentiality is common,
    // restricted rare; sensitive items sometimes carry their ActCode label.
    e.labels = b.codings.data() + b.codings.size();
    uint32_t l = rng.Below(100);
    if (l < 10) {
      b.codings.push_back(Coding(kConfidentiality, "N")), ++e.label_count;
    } else if (l < 12) {
      b.codings.push_back(Coding(kConfidentiality, "R")), ++e.label_count;
    }
    if (chosen->label != nullptr && rng.Below(100) < 40) {
      b.codings.push_back(Coding(kActCode, chosen->label)), ++e.label_count;
    }
    if (e.label_count == 0) e.labels = nullptr;
    b.entries.push_back(e);
  }
  return b;
}

constexpr size_t kBatchSize = 4096;

struct Agreement {
  const char* name;
  const char* role;
};
constexpr Agreement kAgreements[] = {
    {"podiatry", "podiatrist"},
    {"out_of_hours", "out_of_hours_gp"},
    {"community_mental_health", "psychiatrist"},
};

// The engine with the example locality, compiled once, and the batch.
struct Fixture {
  caldicott_engine* engine = nullptr;
  uint32_t agreements[3] = {};
  Batch batch;
  std::string error;

  Fixture() {
    const char* env = std::getenv("CALDICOTT_SOURCE_DIR");
    std::string root = env != nullptr ? env : CALDICOTT_SOURCE_DIR;
    std::vector<std::string> files = {root + "/examples/podiatry.dsa",
                                      root + "/examples/out_of_hours.dsa",
                                      root + "/examples/mental_health.dsa"};
    std::vector<const char*> paths;
    std::vector<size_t> lens;
    for (const std::string& f : files) paths.push_back(f.c_str()), lens.push_back(f.size());
    if (caldicott_engine_create(&engine) != CALDICOTT_OK ||
        caldicott_engine_compile_files(engine, paths.data(), lens.data(), paths.size()) !=
            CALDICOTT_OK) {
      error = caldicott_last_error();
      return;
    }
    for (int i = 0; i < 3; ++i) {
      const char* name = kAgreements[i].name;
      if (caldicott_engine_find_agreement(engine, name, std::strlen(name), &agreements[i]) !=
          CALDICOTT_OK) {
        error = caldicott_last_error();
        return;
      }
    }
    batch = MakeBatch(kBatchSize);
  }
  ~Fixture() { caldicott_engine_free(engine); }
};

const Fixture& GetFixture() {
  static const Fixture fixture;
  return fixture;
}

void BM_Decide(benchmark::State& state) {
  const Fixture& f = GetFixture();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  const Agreement& a = kAgreements[state.range(0)];
  uint32_t agreement = f.agreements[state.range(0)];
  caldicott_request request{a.role, std::strlen(a.role), caldicott_date_from_ymd(2026, 6, 1),
                            "A81001", 6};
  const std::vector<caldicott_entry>& entries = f.batch.entries;
  std::vector<caldicott_decision> out(entries.size());
  for (auto _ : state) {
    caldicott_status s =
        caldicott_decide(f.engine, agreement, &request, entries.data(), entries.size(), out.data());
    if (s != CALDICOTT_OK) {
      state.SkipWithError(caldicott_last_error());
      break;
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * entries.size()));
  state.SetLabel(a.name);
  state.counters["per_thread"] =
      benchmark::Counter(static_cast<double>(state.iterations() * entries.size()),
                         benchmark::Counter::kAvgThreadsRate);
  if (state.thread_index() == 0) {
    // How the batch is decided (the same at every iteration).
    size_t shared = 0, excluded = 0;
    for (const caldicott_decision& d : out) {
      shared += d.reason == CALDICOTT_REASON_SHARED;
      excluded += d.reason == CALDICOTT_REASON_EXCLUDED;
    }
    double n = static_cast<double>(out.size());
    state.counters["shared_pct"] = benchmark::Counter(100.0 * static_cast<double>(shared) / n);
    state.counters["excluded_pct"] = benchmark::Counter(100.0 * static_cast<double>(excluded) / n);
  }
}
BENCHMARK(BM_Decide)->ArgName("agreement")->DenseRange(0, 2)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
