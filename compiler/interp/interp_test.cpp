#include "compiler/interp/interp.h"
#include "compiler/base/date.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace caldicott::interp {
namespace {

constexpr const char* kSnomed = "http://snomed.info/sct";
constexpr const char* kIcd = "http://hl7.org/fhir/sid/icd-10";
constexpr const char* kConf = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

caldicott_coding C(const char* system, const char* code) {
  return {system, std::string_view(system).size(), code, std::string_view(code).size()};
}

// Builds policies by hand for the tests.
struct Builder {
  ir::Policy p;
  ir::CondId Add(ir::Cond c) {
    p.conds.push_back(c);
    return {static_cast<uint32_t>(p.conds.size() - 1)};
  }
  ir::CondId Leaf(ir::CondOp op, uint32_t a = 0, uint32_t b = 0, caldicott_date date = 0) {
    ir::Cond c;
    c.op = op, c.a = a, c.b = b, c.date = date;
    return Add(c);
  }
  ir::CondId Node(ir::CondOp op, std::vector<ir::CondId> kids) {
    ir::Cond c;
    c.op = op, c.first_child = static_cast<uint32_t>(p.children.size());
    c.child_count = static_cast<uint32_t>(kids.size());
    p.children.insert(p.children.end(), kids.begin(), kids.end());
    return Add(c);
  }
  uint32_t Set(std::string name, std::vector<ir::SystemCodes> systems) {
    for (auto& s : systems) std::sort(s.codes.begin(), s.codes.end());
    std::sort(systems.begin(), systems.end(),
              [](const auto& a, const auto& b) { return a.uri < b.uri; });
    p.code_sets.push_back({std::move(name), std::move(systems)});
    return static_cast<uint32_t>(p.code_sets.size() - 1);
  }
  ir::AgreementId Agreement(std::string name) {
    ir::Agreement a;
    a.name = std::move(name);
    a.roles.push_back({"gp", ""});
    p.agreements.push_back(a);
    return {static_cast<uint32_t>(p.agreements.size() - 1)};
  }
  void Rule(ir::AgreementId a, bool exclude, ir::CondId cond) {
    ir::Rule r;
    r.number = static_cast<uint32_t>(p.rules.size() + 1);
    r.agreement = a, r.exclude = exclude, r.cond = cond;
    r.statement = static_cast<uint32_t>(p.agreements[a.index].rules.size() + 1);
    p.rules.push_back(r);
    p.agreements[a.index].rules.push_back({static_cast<uint32_t>(p.rules.size() - 1)});
  }
};

caldicott_entry Entry(caldicott_kind kind, caldicott_entry_status status,
                      const std::vector<caldicott_coding>& codings,
                      const std::vector<caldicott_coding>& labels = {},
                      caldicott_date date = CALDICOTT_NO_DATE) {
  return {static_cast<uint32_t>(kind),
          static_cast<uint32_t>(status),
          date,
          0,
          codings.data(),
          codings.size(),
          labels.data(),
          labels.size()};
}

const caldicott_date kToday = base::DaysFromCivil(2026, 6, 15);

TEST(Dates, CivilRoundTripAndCalendarSubtraction) {
  EXPECT_EQ(base::DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(base::DaysFromCivil(2000, 3, 1), 11017);
  for (caldicott_date d = -800000; d < 800000; d += 997) {
    base::CivilDate c = base::CivilFromDays(d);
    ASSERT_EQ(base::DaysFromCivil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(
      base::DateText(ir::SubtractTime(base::DaysFromCivil(2026, 3, 31), 1, ir::TimeUnit::Months)),
      "2026-02-28");
  EXPECT_EQ(
      base::DateText(ir::SubtractTime(base::DaysFromCivil(2024, 2, 29), 1, ir::TimeUnit::Years)),
      "2023-02-28");
  EXPECT_EQ(
      base::DateText(ir::SubtractTime(base::DaysFromCivil(2026, 1, 15), 13, ir::TimeUnit::Months)),
      "2024-12-15");
  EXPECT_EQ(ir::SubtractTime(100, 30, ir::TimeUnit::Days), 70);
}

TEST(Interp, SectionFourSemantics) {
  Builder b;
  uint32_t dm = b.Set("diabetes", {{kSnomed, {"73211009", "44054006"}}, {kIcd, {"E11"}}});
  uint32_t sh = b.Set("sexual_health", {{kSnomed, {"76272004"}}});
  ir::AgreementId a = b.Agreement("podiatry");
  // share problems where code in diabetes; exclude sexual health; exclude confidential
  b.Rule(a, false,
         b.Node(ir::CondOp::And, {b.Leaf(ir::CondOp::KindIn, 1u << CALDICOTT_KIND_PROBLEM),
                                  b.Leaf(ir::CondOp::CodeIn, dm)}));
  b.Rule(a, true, b.Leaf(ir::CondOp::CodeIn, sh));
  b.Rule(a, true, b.Leaf(ir::CondOp::Confidential));

  std::vector<caldicott_coding> t2dm = {C(kSnomed, "44054006")};
  auto d = Decide(b.p, a, kToday, Entry(CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, t2dm));
  EXPECT_EQ(d.verdict, CALDICOTT_SHARE);
  EXPECT_EQ(d.rule, 1u);
  // Any coding: ICD-10 alone matches too; an exact system is needed.
  std::vector<caldicott_coding> icd = {C(kIcd, "E11")};
  EXPECT_EQ(
      Decide(b.p, a, kToday, Entry(CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, icd)).verdict,
      CALDICOTT_SHARE);
  std::vector<caldicott_coding> wrong_system = {C(kIcd, "44054006")};
  auto none =
      Decide(b.p, a, kToday, Entry(CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, wrong_system));
  EXPECT_EQ(none.verdict, CALDICOTT_WITHHOLD);
  EXPECT_EQ(none.reason, CALDICOTT_REASON_NO_SHARE);
  EXPECT_EQ(none.rule, 0u);
  // Not a problem: no share matches.
  EXPECT_EQ(Decide(b.p, a, kToday, Entry(CALDICOTT_KIND_MEDICATION, CALDICOTT_STATUS_CURRENT, t2dm))
                .reason,
            CALDICOTT_REASON_NO_SHARE);
  // Coded both ways: one excluded coding withholds (fail closed).
  std::vector<caldicott_coding> both = {C(kSnomed, "44054006"), C(kSnomed, "76272004")};
  auto ex = Decide(b.p, a, kToday, Entry(CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, both));
  EXPECT_EQ(ex.verdict, CALDICOTT_WITHHOLD);
  EXPECT_EQ(ex.reason, CALDICOTT_REASON_EXCLUDED);
  EXPECT_EQ(ex.rule, 2u);
  // Confidentiality R and V withhold; N does not.
  for (const char* level : {"R", "V", "N"}) {
    std::vector<caldicott_coding> labels = {C(kConf, level)};
    auto c = Decide(b.p, a, kToday,
                    Entry(CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, t2dm, labels));
    EXPECT_EQ(c.verdict, std::string(level) == "N" ? CALDICOTT_SHARE : CALDICOTT_WITHHOLD) << level;
  }
  // Malformed entries are withheld.
  caldicott_entry bad = Entry(CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, t2dm);
  bad.kind = 99;
  EXPECT_EQ(Decide(b.p, a, kToday, bad).reason, CALDICOTT_REASON_MALFORMED_ENTRY);
  bad = Entry(CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, t2dm);
  bad.codings = nullptr;
  EXPECT_EQ(Decide(b.p, a, kToday, bad).reason, CALDICOTT_REASON_MALFORMED_ENTRY);
  bad = Entry(CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, t2dm);
  bad.flags = 1;
  EXPECT_EQ(Decide(b.p, a, kToday, bad).reason, CALDICOTT_REASON_MALFORMED_ENTRY);
}

TEST(Interp, UnknownDatesFailClosed) {
  Builder b;
  ir::AgreementId a = b.Agreement("a");
  ir::CondId recent =
      b.Leaf(ir::CondOp::RecordedWithin, 6, static_cast<uint32_t>(ir::TimeUnit::Months));
  b.Rule(a, false, b.Leaf(ir::CondOp::KindIn, 0x3fff));
  b.Rule(a, false, recent);
  ir::CondId old = b.Leaf(ir::CondOp::RecordedBefore, 0, 0, base::DaysFromCivil(2000, 1, 1));
  b.Rule(a, true,
         b.Node(ir::CondOp::And, {b.Leaf(ir::CondOp::KindIn, 1u << CALDICOTT_KIND_DOCUMENT), old}));
  std::vector<caldicott_coding> none;
  // An undated document might be old: the exclude may match, so it is withheld.
  auto d = Decide(b.p, a, kToday, Entry(CALDICOTT_KIND_DOCUMENT, CALDICOTT_STATUS_UNKNOWN, none));
  EXPECT_EQ(d.verdict, CALDICOTT_WITHHOLD);
  EXPECT_EQ(d.rule, 3u);
  EXPECT_EQ(Decide(b.p, a, kToday,
                   Entry(CALDICOTT_KIND_DOCUMENT, CALDICOTT_STATUS_UNKNOWN, none, {},
                         base::DaysFromCivil(2010, 1, 1)))
                .verdict,
            CALDICOTT_SHARE);
  // `not` of unknown is unknown.
  EXPECT_EQ(Evaluate(b.p, b.Node(ir::CondOp::Not, {recent}), kToday,
                     Entry(CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, none)),
            Truth::Unknown);
  // recorded within 6 months: on the boundary yes, a day earlier no.
  caldicott_date edge = base::DaysFromCivil(2025, 12, 15);
  EXPECT_EQ(Evaluate(b.p, recent, kToday,
                     Entry(CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, none, {}, edge)),
            Truth::True);
  EXPECT_EQ(Evaluate(b.p, recent, kToday,
                     Entry(CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, none, {}, edge - 1)),
            Truth::False);
}

TEST(Interp, AppliesToRoleDateAndPractice) {
  Builder b;
  ir::AgreementId a = b.Agreement("a");
  b.p.agreements[0].effective_from = base::DaysFromCivil(2026, 1, 1);
  b.p.agreements[0].effective_to = base::DaysFromCivil(2026, 12, 31);
  b.p.agreements[0].controllers = {"A81001"};
  auto req = [](const char* role, caldicott_date date, const char* practice) {
    return caldicott_request{role, std::string_view(role).size(), date, practice,
                             practice ? std::string_view(practice).size() : 0};
  };
  EXPECT_TRUE(Applies(b.p, a, req("gp", kToday, "A81001")));
  EXPECT_TRUE(Applies(b.p, a, req("gp", kToday, nullptr)));  // practice not named
  EXPECT_FALSE(Applies(b.p, a, req("gp", kToday, "B99999")));
  EXPECT_FALSE(Applies(b.p, a, req("nurse", kToday, "A81001")));
  EXPECT_TRUE(Applies(b.p, a, req("gp", base::DaysFromCivil(2026, 12, 31), nullptr)));
  EXPECT_FALSE(Applies(b.p, a, req("gp", base::DaysFromCivil(2027, 1, 1), nullptr)));
  EXPECT_FALSE(Applies(b.p, a, req("gp", base::DaysFromCivil(2025, 12, 31), nullptr)));
}

// ---- property tests over random policies and entries

class Random {
 public:
  explicit Random(uint32_t seed) : rng_(seed) {}
  uint32_t Below(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }
  bool Chance(uint32_t percent) { return Below(100) < percent; }

  // A code universe: codes 0..11 in two systems.
  static std::string Code(uint32_t i) { return "c" + std::to_string(i); }

  ir::CondId Cond(Builder& b, int depth, uint32_t sets) {
    uint32_t pick = Below(depth > 0 ? 11 : 8);
    switch (pick) {
      case 0:
        return b.Leaf(ir::CondOp::KindIn, 1 + Below((1u << CALDICOTT_KIND_COUNT) - 1));
      case 1:
        return b.Leaf(ir::CondOp::StatusIs, Below(CALDICOTT_STATUS_COUNT));
      case 2:
      case 3:
        return b.Leaf(ir::CondOp::CodeIn, Below(sets));
      case 4:
        return b.Leaf(ir::CondOp::LabelIn, Below(sets));
      case 5:
        return b.Leaf(ir::CondOp::Confidential);
      case 6:
        return b.Leaf(ir::CondOp::RecordedWithin, 1 + Below(30), Below(3));
      case 7:
        return b.Leaf(Chance(50) ? ir::CondOp::RecordedBefore : ir::CondOp::RecordedAfter, 0, 0,
                      kToday - static_cast<caldicott_date>(Below(4000)));
      case 8:
        return b.Node(ir::CondOp::Not, {Cond(b, depth - 1, sets)});
      default: {
        std::vector<ir::CondId> kids;
        uint32_t n = 1 + Below(3);
        for (uint32_t i = 0; i < n; ++i) kids.push_back(Cond(b, depth - 1, sets));
        return b.Node(pick == 9 ? ir::CondOp::And : ir::CondOp::Or, kids);
      }
    }
  }

  void Sets(Builder& b, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      std::vector<ir::SystemCodes> systems;
      for (const char* sys : {kSnomed, kIcd}) {
        ir::SystemCodes s{sys, {}};
        for (uint32_t c = 0; c < 12; ++c) {
          if (Chance(25)) s.codes.push_back(Code(c));
        }
        systems.push_back(std::move(s));
      }
      b.Set("set" + std::to_string(i), systems);
    }
  }

  struct OwnedEntry {
    std::vector<std::string> text;  // stable storage
    std::vector<caldicott_coding> codings, labels;
    caldicott_entry entry{};
  };
  void Fill(OwnedEntry& o) {
    o.text.reserve(16);
    uint32_t nc = Below(4), nl = Below(3);
    auto coding = [&](std::vector<caldicott_coding>& out) {
      const char* sys = Chance(10) ? "" : Chance(50) ? kSnomed : Chance(80) ? kIcd : kConf;
      o.text.push_back(std::string(sys) == kConf ? (Chance(50) ? "R" : "N") : Code(Below(14)));
      out.push_back(C(sys, o.text.back().c_str()));
    };
    for (uint32_t i = 0; i < nc; ++i) coding(o.codings);
    for (uint32_t i = 0; i < nl; ++i) coding(o.labels);
    o.entry = Entry(
        static_cast<caldicott_kind>(Below(CALDICOTT_KIND_COUNT)),
        static_cast<caldicott_entry_status>(Below(CALDICOTT_STATUS_COUNT)), o.codings, o.labels,
        Chance(15) ? CALDICOTT_NO_DATE : kToday - static_cast<caldicott_date>(Below(5000)));
  }

 private:
  std::mt19937 rng_;
};

std::vector<uint32_t> Verdicts(const ir::Policy& p, ir::AgreementId a,
                               const std::vector<Random::OwnedEntry>& entries) {
  std::vector<uint32_t> v;
  for (const auto& e : entries) v.push_back(Decide(p, a, kToday, e.entry).verdict);
  return v;
}

TEST(InterpLaws, RandomPoliciesObeyTheLaws) {
  Random r(4242);
  int shared_total = 0, checked = 0;
  for (int round = 0; round < 300; ++round) {
    Builder b;
    r.Sets(b, 4);
    ir::AgreementId a = b.Agreement("a");
    uint32_t shares = 1 + r.Below(4), excludes = r.Below(3);
    for (uint32_t i = 0; i < shares + excludes; ++i) b.Rule(a, i >= shares, r.Cond(b, 3, 4));
    std::vector<Random::OwnedEntry> entries(60);
    for (auto& e : entries) r.Fill(e);
    std::vector<uint32_t> base = Verdicts(b.p, a, entries);

    for (size_t i = 0; i < entries.size(); ++i) {
      shared_total += base[i] == CALDICOTT_SHARE;
      ++checked;
      // Exclude always wins: any exclude that may match withholds.
      bool excluded = false, shared = false;
      for (ir::RuleId id : b.p.agreements[0].rules) {
        Truth t = Evaluate(b.p, b.p.Get(id).cond, kToday, entries[i].entry);
        if (b.p.Get(id).exclude && t != Truth::False) excluded = true;
        if (!b.p.Get(id).exclude && t == Truth::True) shared = true;
      }
      ASSERT_EQ(base[i] == CALDICOTT_SHARE, shared && !excluded) << "round " << round;
    }

    // Statement order does not matter.
    ir::Policy shuffled = b.p;
    std::vector<ir::RuleId>& rules = shuffled.agreements[0].rules;
    std::reverse(rules.begin(), rules.end());
    std::rotate(rules.begin(), rules.begin() + r.Below(static_cast<uint32_t>(rules.size())),
                rules.end());
    ASSERT_EQ(Verdicts(shuffled, a, entries), base) << "round " << round;

    // Adding an exclude never shares more.
    Builder more_ex = b;
    more_ex.Rule(a, true, r.Cond(more_ex, 2, 4));
    std::vector<uint32_t> ex = Verdicts(more_ex.p, a, entries);
    for (size_t i = 0; i < entries.size(); ++i) {
      ASSERT_TRUE(ex[i] == CALDICOTT_WITHHOLD || base[i] == CALDICOTT_SHARE) << "round " << round;
    }
    // Adding a share never shares less.
    Builder more_sh = b;
    more_sh.Rule(a, false, r.Cond(more_sh, 2, 4));
    std::vector<uint32_t> sh = Verdicts(more_sh.p, a, entries);
    for (size_t i = 0; i < entries.size(); ++i) {
      ASSERT_TRUE(sh[i] == CALDICOTT_SHARE || base[i] == CALDICOTT_WITHHOLD) << "round " << round;
    }
    // A request the agreement does not apply to shares nothing.
    caldicott_request stranger{"porter", 6, kToday, nullptr, 0};
    for (const auto& e : entries) {
      caldicott_decision d = DecideRequest(b.p, a, stranger, e.entry);
      ASSERT_EQ(d.verdict, CALDICOTT_WITHHOLD);
      ASSERT_EQ(d.reason, CALDICOTT_REASON_DOES_NOT_APPLY);
    }
  }
  // The generator produces both outcomes in earnest.
  EXPECT_GT(shared_total, checked / 20);
  EXPECT_LT(shared_total, checked - checked / 20);
}

}  // namespace
}  // namespace caldicott::interp
