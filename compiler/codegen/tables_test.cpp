// The code tables at the C++ level: every code is found with its class, a
// code that differs anywhere (even in the middle bytes that the key words
// do not hold) is not, and the hash spreads SNOMED CT-like ids well enough
// that probes stay short at full scale. (That the emitted code computes the
// same hash and probes the same way is shown by tests/differential.)
#include "compiler/codegen/tables.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "compiler/codegen/codegen.h"

namespace caldicott::codegen {
namespace {

PolicyTables TablesOf(const std::set<std::string>& codes, uint32_t inline_limit) {
  ir::Policy p;
  p.code_sets.push_back({"g", {{"http://snomed.info/sct", {codes.begin(), codes.end()}}}});
  ir::Cond c;
  c.op = ir::CondOp::CodeIn;
  p.conds.push_back(c);
  PolicyTables t = BuildPolicyTables(p, inline_limit);
  EXPECT_EQ(t.systems.size(), 1u);
  EXPECT_EQ(t.classes.size(), 2u);  // none, and the group's
  return t;
}

TEST(Tables, KeyWordsHoldShortCodesWhole) {
  // Up to 16 bytes, two codes with the same length and words are equal.
  std::set<std::pair<size_t, std::pair<uint64_t, uint64_t>>> seen;
  std::set<std::string> codes;
  for (size_t n = 1; n <= 16; ++n) {
    for (char c = '0'; c <= '9'; ++c) {
      for (size_t at = 0; at < n; ++at) {
        std::string code(n, '5');
        code[at] = c;
        codes.insert(code);
      }
    }
  }
  for (const std::string& code : codes) {
    KeyWords k = WordsOf(code);
    EXPECT_TRUE(seen.insert({code.size(), {k.w0, k.w1}}).second) << code;
  }
}

TEST(Tables, EveryCodeFoundNothingElse) {
  std::mt19937 rng(5);
  std::set<std::string> codes;
  while (codes.size() < 5000) {
    std::string code = std::to_string(rng() % 1000000000);
    if (rng() % 4 == 0) code += "1000000" + std::to_string(100 + rng() % 900);  // long ids
    codes.insert(code);
  }
  std::set<std::string> short_codes;
  for (const std::string& code : codes) {
    if (code.size() <= 16) short_codes.insert(code);
  }
  // A hash table, and (all codes short, a limit above their number) the
  // sorted list that the emitted code compares inline.
  for (uint32_t limit : {4u, 100000u}) {
    if (limit > 4) codes = short_codes;
    PolicyTables tables = TablesOf(codes, limit);
    const SystemTable& t = tables.systems.at(0);
    EXPECT_EQ(t.hashed, limit == 4);
    EXPECT_EQ(tables.HashOf(Field::Codings).slots.empty(), limit > 4);
    for (const std::string& code : codes) {
      ASSERT_EQ(Lookup(tables, t, code), 1u) << code;
      // Near misses: one byte changed anywhere, one byte more, one less.
      for (size_t at = 0; at < code.size(); ++at) {
        std::string other = code;
        other[at] = other[at] == '9' ? '0' : static_cast<char>(other[at] + 1);
        if (!codes.count(other)) {
          ASSERT_EQ(Lookup(tables, t, other), 0u) << other;
        }
      }
      if (!codes.count(code + "0")) {
        ASSERT_EQ(Lookup(tables, t, code + "0"), 0u);
      }
      std::string shorter = code.substr(0, code.size() - 1);
      if (!codes.count(shorter)) {
        ASSERT_EQ(Lookup(tables, t, shorter), 0u);
      }
    }
    EXPECT_EQ(Lookup(tables, t, ""), 0u);
  }
}

TEST(Tables, ProbesStayShortAtFullScale) {
  // 300,000 SCTID-like codes: item numbers with partition and check digits,
  // some in an extension namespace (18 digits), as a real release has.
  std::set<std::string> codes;
  for (uint64_t item = 1; codes.size() < 300000; item += 7) {
    std::string code = std::to_string(item * 1000 + 100 + item % 10);
    if (item % 5 == 0) code = std::to_string(item) + "1000000" + "10" + std::to_string(item % 10);
    codes.insert(code);
  }
  PolicyTables tables = TablesOf(codes, 4);
  const SystemTable& t = tables.systems.at(0);
  uint64_t probes = 0, worst = 0;
  for (const std::string& code : codes) {
    uint32_t n = 0;
    ASSERT_EQ(Lookup(tables, t, code, &n), 1u);
    probes += n;
    worst = std::max<uint64_t>(worst, n);
  }
  // Codes in no set, the common case: as many, of the same shapes.
  uint64_t miss_probes = 0;
  size_t misses = 0;
  for (const std::string& code : codes) {
    std::string other = code;
    other[other.size() / 2] = other[other.size() / 2] == '9' ? '0' : '9';
    if (codes.count(other)) continue;
    uint32_t n = 0;
    ASSERT_EQ(Lookup(tables, t, other, &n), 0u);
    miss_probes += n;
    ++misses;
  }
  double mean = static_cast<double>(probes) / static_cast<double>(codes.size());
  double miss_mean = static_cast<double>(miss_probes) / static_cast<double>(misses);
  // With a codes per bucket (a load of a half to one), a good hash makes a
  // hit compare 1 + a/2 slots on average and a miss a.
  const double load = static_cast<double>(codes.size()) /
                      static_cast<double>(tables.HashOf(Field::Codings).buckets.size() - 1);
  EXPECT_GE(load, 0.5);
  EXPECT_LE(load, 1.0);
  EXPECT_LT(mean, 1 + load / 2 + 0.1) << "worst " << worst;
  EXPECT_LT(miss_mean, load + 0.1);
  std::printf(
      "300000 codes in %zu buckets: %.2f slots compared per hit on average, %llu at worst; "
      "%.2f per miss\n",
      tables.HashOf(Field::Codings).buckets.size() - 1, mean,
      static_cast<unsigned long long>(worst), miss_mean);
}

TEST(Tables, ClassesAreSharedAcrossAgreements) {
  // Two agreements over the same two groups: one set of classes, and each
  // agreement's masks set only the bits of the atoms it uses.
  ir::Policy p;
  p.code_sets.push_back({"a", {{"http://snomed.info/sct", {"1", "2"}}}});
  p.code_sets.push_back({"b", {{"http://snomed.info/sct", {"2", "3"}}}});
  for (uint32_t set = 0; set < 2; ++set) {
    ir::Cond c;
    c.op = ir::CondOp::CodeIn;
    c.a = set;
    p.conds.push_back(c);
    ir::Agreement a;
    a.name = "a" + std::to_string(set);
    a.rules.push_back({set});
    p.agreements.push_back(a);
    ir::Rule r;
    r.number = set + 1;
    r.agreement = {set};
    r.cond = {set};
    p.rules.push_back(r);
  }
  PolicyTables t = BuildPolicyTables(p, 4);
  ASSERT_EQ(t.classes.size(), 4u);  // none; {a}; {a, b}; {b}
  const SystemTable& s = t.systems.at(0);
  uint32_t c1 = Lookup(t, s, "1"), c2 = Lookup(t, s, "2"), c3 = Lookup(t, s, "3");
  EXPECT_NE(c1, c2);
  EXPECT_NE(c2, c3);
  AgreementAtoms a0 = BuildAgreementAtoms(p, ir::AgreementId{0}, t);
  AgreementAtoms a1 = BuildAgreementAtoms(p, ir::AgreementId{1}, t);
  EXPECT_EQ(a0.masks[c1], 1u);
  EXPECT_EQ(a0.masks[c2], 1u);
  EXPECT_EQ(a0.masks[c3], 0u);
  EXPECT_EQ(a1.masks[c1], 0u);
  EXPECT_EQ(a1.masks[c3], 1u);
  EXPECT_EQ(a0.masks[0], 0u);
}

TEST(Tables, OneHashTablePerFieldKeyedBySystem) {
  // The same codes in two systems, in different groups: one hash table for
  // the codings, and a code's class depends on its system.
  ir::Policy p;
  std::vector<std::string> codes;
  for (int i = 0; i < 50; ++i) codes.push_back(std::to_string(100000 + i * 7));
  p.code_sets.push_back({"a", {{"http://snomed.info/sct", codes}}});
  p.code_sets.push_back({"b", {{"http://read.info/readv2", codes}}});
  for (uint32_t set = 0; set < 2; ++set) {
    ir::Cond c;
    c.op = ir::CondOp::CodeIn;
    c.a = set;
    p.conds.push_back(c);
  }
  PolicyTables t = BuildPolicyTables(p, 4);
  ASSERT_EQ(t.systems.size(), 2u);
  EXPECT_TRUE(t.systems[0].hashed && t.systems[1].hashed);
  EXPECT_NE(t.systems[0].index, t.systems[1].index);
  EXPECT_EQ(t.HashOf(Field::Codings).slots.size(), 100u);    // one slot per code
  EXPECT_EQ(t.HashOf(Field::Codings).buckets.size(), 129u);  // at least one bucket per code
  EXPECT_TRUE(t.HashOf(Field::Labels).slots.empty());
  for (const std::string& code : codes) {
    uint32_t in_a = Lookup(t, t.systems[0], code), in_b = Lookup(t, t.systems[1], code);
    EXPECT_NE(in_a, 0u);
    EXPECT_NE(in_b, 0u);
    EXPECT_NE(in_a, in_b);
  }
}

}  // namespace
}  // namespace caldicott::codegen
