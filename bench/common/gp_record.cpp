#include "bench/common/gp_record.h"

#include <algorithm>

namespace caldicott::bench {

namespace {

// clang-format off
constexpr Item kItemTable[] = {
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

}  // namespace

std::span<const Item> Items() {
  return kItemTable;
}

caldicott_kind DrawKind(Rng& rng) {
  uint32_t k = rng.Below(1000);
  int kind = 0;
  while (k >= static_cast<uint32_t>(kKindPerMille[kind])) k -= kKindPerMille[kind++];
  return static_cast<caldicott_kind>(kind);
}

const Item& DrawItem(Rng& rng, caldicott_kind kind) {
  int total = 0;
  for (const Item& item : kItemTable) total += item.kind == kind ? item.weight : 0;
  int w = static_cast<int>(rng.Below(static_cast<uint32_t>(total)));
  for (const Item& item : kItemTable) {
    if (item.kind != kind) continue;
    if (w < item.weight) return item;
    w -= item.weight;
  }
  return kItemTable[0];  // not reached: the weights add up to total
}

uint32_t DrawStatus(Rng& rng, caldicott_kind kind) {
  switch (kind) {
    case CALDICOTT_KIND_PROBLEM:
      return rng.Below(100) < 55 ? CALDICOTT_STATUS_ACTIVE : CALDICOTT_STATUS_INACTIVE;
    case CALDICOTT_KIND_ALLERGY:
      return rng.Below(100) < 90 ? CALDICOTT_STATUS_ACTIVE : CALDICOTT_STATUS_INACTIVE;
    case CALDICOTT_KIND_MEDICATION:
      return rng.Below(100) < 35 ? CALDICOTT_STATUS_CURRENT : CALDICOTT_STATUS_PAST;
    default:
      return CALDICOTT_STATUS_UNKNOWN;
  }
}

caldicott_date DrawDate(Rng& rng, uint32_t undated_percent) {
  const caldicott_date first = caldicott_date_from_ymd(2005, 1, 1);
  const caldicott_date last = caldicott_date_from_ymd(2026, 5, 31);
  uint32_t span = static_cast<uint32_t>(last - first + 1);
  uint32_t d = std::max(rng.Below(span), rng.Below(span));
  return rng.Below(100) < undated_percent ? CALDICOTT_NO_DATE
                                          : first + static_cast<caldicott_date>(d);
}

}  // namespace caldicott::bench
