// Differential test of the engines: hundreds of generated agreements per
// policy (CALDICOTT_DIFFERENTIAL_POLICIES policies: two in CTest, 20 in
// `make differential`)
// (random code groups, sections, conditions, dates) decided over generated
// entries by the reference interpreter, the JIT (native code for this CPU,
// linked straight away, of both tiers: the quick code and the optimised
// code that takes over from it) and the AOT path (generic x86-64 object code written
// into a .cpol artefact, read back and linked), comparing the verdict, the
// reason and the deciding rule id of every entry.
//
// The generator aims at the backend's edge cases: codes of every length from
// 1 to 40 bytes and codes that share their first and last 8 bytes (the key
// words) but differ in the middle, tables small enough to be inlined and
// large enough to be hashed, agreements with more atoms than one 64-bit
// word, near-miss codes, unknown and empty systems, undated entries (three-
// valued logic), and malformed entries.
//
// CALDICOTT_DIFFERENTIAL_POLICIES scales it (`make differential` runs a
// bigger one); each policy holds kAgreementsPerPolicy agreements.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "compiler/base/date.h"
#include "compiler/codegen/codegen.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "runtime/artifact/artifact.h"
#include "runtime/native/native.h"

namespace caldicott {
namespace {

constexpr const char* kSystems[] = {
    "http://snomed.info/sct",
    "http://hl7.org/fhir/sid/icd-10",
    "http://example.org/long-codes",
    "http://terminology.hl7.org/CodeSystem/v3-ActCode",
};
constexpr const char* kConf = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
constexpr int kAgreementsPerPolicy = 250;
const caldicott_date kToday = base::DaysFromCivil(2026, 6, 15);

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {
    for (size_t s = 0; s < std::size(kSystems); ++s) {
      std::set<std::string> codes;
      while (codes.size() < 160) codes.insert(RandomCode());
      // Twins: the same first and last 8 bytes, another middle.
      for (int i = 0; i < 20; ++i) {
        std::string c = RandomCode(17 + Below(20));
        codes.insert(c);
        c[8 + Below(static_cast<uint32_t>(c.size()) - 16)] ^= 1;
        codes.insert(c);
      }
      universe_.emplace_back(codes.begin(), codes.end());
    }
  }

  uint32_t Below(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }
  bool Chance(uint32_t percent) { return Below(100) < percent; }

  std::string RandomCode(uint32_t length = 0) {
    if (length == 0) length = Chance(60) ? 1 + Below(18) : 1 + Below(40);
    std::string s;
    for (uint32_t i = 0; i < length; ++i) {
      s += Chance(70) ? static_cast<char>('0' + Below(10)) : static_cast<char>(33 + Below(94));
    }
    return s;
  }

  // One policy of kAgreementsPerPolicy agreements over `sets` code sets.
  ir::Policy Policy() {
    ir::Policy p;
    uint32_t sets = 60;
    for (uint32_t i = 0; i < sets; ++i) {
      ir::CodeSet set{"set" + std::to_string(i), {}};
      for (size_t s = 0; s < std::size(kSystems); ++s) {
        if (Chance(40)) continue;
        std::set<std::string> codes;
        // Small sets (inlined), middling and large ones (hashed).
        uint32_t n = Chance(40) ? 1 + Below(4) : Chance(70) ? 5 + Below(30) : 60 + Below(100);
        const auto& u = universe_[s];
        for (uint32_t k = 0; k < n; ++k) codes.insert(u[Below(static_cast<uint32_t>(u.size()))]);
        set.systems.push_back({kSystems[s], {codes.begin(), codes.end()}});
      }
      std::sort(set.systems.begin(), set.systems.end(),
                [](const auto& a, const auto& b) { return a.uri < b.uri; });
      p.code_sets.push_back(std::move(set));
    }
    for (int a = 0; a < kAgreementsPerPolicy; ++a) {
      ir::Agreement agreement;
      agreement.name = "a" + std::to_string(a);
      agreement.roles.push_back({"gp", ""});
      p.agreements.push_back(agreement);
      ir::AgreementId id{static_cast<uint32_t>(a)};
      // Now and then an agreement with more atoms than one 64-bit word
      // holds: a rule per (set, field), 70 to 120 of them.
      bool wide = Chance(8);
      uint32_t rules = wide ? 70 + Below(51) : 1 + Below(8);
      for (uint32_t r = 0; r < rules; ++r) {
        ir::Rule rule;
        rule.number = static_cast<uint32_t>(p.rules.size() + 1);
        rule.agreement = id;
        rule.statement = r + 1;
        rule.exclude = Chance(35);
        rule.cond = wide ? WideCond(p, r) : Cond(p, 3, sets);
        p.rules.push_back(rule);
        p.agreements[a].rules.push_back({static_cast<uint32_t>(p.rules.size() - 1)});
      }
    }
    return p;
  }

  struct Entry {
    std::vector<std::string> text;
    std::vector<caldicott_coding> codings, labels;
    caldicott_entry entry{};
  };

  void Fill(Entry& e) {
    e.text.reserve(32);
    auto coding = [&](std::vector<caldicott_coding>& out) {
      std::string system, code;
      uint32_t pick = Below(100);
      size_t s = Below(std::size(kSystems));
      system = pick < 5    ? ""
               : pick < 10 ? "http://example.org/unknown"
               : pick < 20 ? kConf
                           : kSystems[s];
      if (system == kConf) {
        code = std::string(1, "RVNLMU"[Below(6)]);
      } else {
        const auto& u = universe_[s];
        code = u[Below(static_cast<uint32_t>(u.size()))];
        if (Chance(10)) code[Below(static_cast<uint32_t>(code.size()))] ^= 4;  // near miss
        if (Chance(3)) code += "x";
        if (Chance(3)) code.clear();
      }
      e.text.push_back(system);
      const std::string& sys = e.text.back();
      e.text.push_back(code);
      const std::string& c = e.text.back();
      out.push_back({sys.data(), sys.size(), c.data(), c.size()});
    };
    uint32_t nc = Below(5), nl = Below(3);
    for (uint32_t i = 0; i < nc; ++i) coding(e.codings);
    for (uint32_t i = 0; i < nl; ++i) coding(e.labels);
    e.entry.kind =
        Chance(2) ? uint32_t{CALDICOTT_KIND_COUNT} + Below(3) : Below(CALDICOTT_KIND_COUNT);
    e.entry.status = Chance(2) ? uint32_t{CALDICOTT_STATUS_COUNT} : Below(CALDICOTT_STATUS_COUNT);
    e.entry.flags = Chance(1) ? 1 : 0;
    e.entry.date =
        Chance(15) ? CALDICOTT_NO_DATE : kToday - static_cast<caldicott_date>(Below(5000));
    e.entry.codings = e.codings.data();
    e.entry.coding_count = e.codings.size();
    e.entry.labels = e.labels.data();
    e.entry.label_count = e.labels.size();
    if (Chance(1) && !e.codings.empty()) e.codings[0].code = nullptr;  // points nowhere
    if (Chance(1)) e.entry.labels = nullptr, e.entry.label_count = 1 + Below(2);
  }

 private:
  std::mt19937 rng_;
  std::vector<std::vector<std::string>> universe_;

  ir::CondId Add(ir::Policy& p, ir::Cond c) {
    p.conds.push_back(c);
    return {static_cast<uint32_t>(p.conds.size() - 1)};
  }
  ir::CondId Leaf(ir::Policy& p, ir::CondOp op, uint32_t a = 0, uint32_t b = 0,
                  caldicott_date date = 0) {
    ir::Cond c;
    c.op = op, c.a = a, c.b = b, c.date = date;
    return Add(p, c);
  }
  ir::CondId Node(ir::Policy& p, ir::CondOp op, const std::vector<ir::CondId>& kids) {
    ir::Cond c;
    c.op = op, c.first_child = static_cast<uint32_t>(p.children.size());
    c.child_count = static_cast<uint32_t>(kids.size());
    p.children.insert(p.children.end(), kids.begin(), kids.end());
    return Add(p, c);
  }
  // A section-like condition: kinds and the r-th (code set, field) atom.
  ir::CondId WideCond(ir::Policy& p, uint32_t r) {
    uint32_t sets = static_cast<uint32_t>(p.code_sets.size());
    ir::CondId kinds = Leaf(p, ir::CondOp::KindIn, 1 + Below((1u << CALDICOTT_KIND_COUNT) - 1));
    ir::CondId code = Leaf(p, (r / sets) % 2 ? ir::CondOp::LabelIn : ir::CondOp::CodeIn, r % sets);
    return Node(p, ir::CondOp::And, {kinds, code});
  }
  ir::CondId Cond(ir::Policy& p, int depth, uint32_t sets) {
    uint32_t pick = Below(depth > 0 ? 12 : 8);
    switch (pick) {
      case 0:
        return Leaf(p, ir::CondOp::KindIn, 1 + Below((1u << CALDICOTT_KIND_COUNT) - 1));
      case 1:
        return Leaf(p, ir::CondOp::StatusIs, Below(CALDICOTT_STATUS_COUNT));
      case 2:
      case 3:
        return Leaf(p, ir::CondOp::CodeIn, Below(sets));
      case 4:
        return Chance(50) ? Leaf(p, ir::CondOp::LabelIn, Below(sets))
                          : Leaf(p, ir::CondOp::Confidential);
      case 5:
        return Leaf(p, ir::CondOp::RecordedWithin, 1 + Below(30), Below(3));
      case 6:
        return Leaf(p, Chance(50) ? ir::CondOp::RecordedBefore : ir::CondOp::RecordedAfter, 0, 0,
                    kToday - static_cast<caldicott_date>(Below(4000)));
      case 7:
        return Leaf(p, ir::CondOp::True);
      case 8:
        return Node(p, ir::CondOp::Not, {Cond(p, depth - 1, sets)});
      default: {
        std::vector<ir::CondId> kids;
        uint32_t n = 1 + Below(4);
        for (uint32_t i = 0; i < n; ++i) kids.push_back(Cond(p, depth - 1, sets));
        return Node(p, pick % 2 ? ir::CondOp::And : ir::CondOp::Or, kids);
      }
    }
  }
};

// The JIT path: code for this CPU, of either tier (the quick code an engine
// decides with first, the optimised code that takes over).
std::unique_ptr<native::Code> Jit(const ir::Policy& p, codegen::Options::Tier tier) {
  codegen::Options options;
  options.cpu = codegen::Options::Cpu::Host;
  options.tier = tier;
  std::string object, error;
  EXPECT_TRUE(codegen::EmitObject(p, options, object, error)) << error;
  auto code = native::Code::Load(object, static_cast<uint32_t>(p.agreements.size()), error);
  EXPECT_NE(code, nullptr) << error;
  return code;
}

// The AOT path: generic code in an artefact, written, read back, linked.
std::unique_ptr<native::Code> Aot(const ir::Policy& p) {
  codegen::Options options;
  options.cpu = codegen::Options::Cpu::Generic;
  artifact::Contents contents;
  std::string error;
  EXPECT_TRUE(codegen::EmitObject(p, options, contents.object, error)) << error;
  contents.policy = p;
  contents.manifest.target_triple = codegen::TargetTriple();
  contents.manifest.cpu = "generic";
  contents.manifest.agreements = artifact::DescribeAgreements(p);
  std::string bytes = artifact::Write(contents);
  artifact::Contents read;
  EXPECT_TRUE(artifact::Read(bytes, read, error)) << error;
  auto code = native::Code::Load(read.object, static_cast<uint32_t>(p.agreements.size()), error);
  EXPECT_NE(code, nullptr) << error;
  return code;
}

// The distinct `code in` / `label in` / `confidential` atoms of an agreement.
size_t AtomCount(const ir::Policy& p, uint32_t a) {
  std::set<std::pair<uint32_t, ir::CondOp>> atoms;
  std::vector<ir::CondId> stack;
  for (ir::RuleId r : p.agreements[a].rules) stack.push_back(p.Get(r).cond);
  while (!stack.empty()) {
    const ir::Cond& c = p.Get(stack.back());
    stack.pop_back();
    if (c.op == ir::CondOp::CodeIn || c.op == ir::CondOp::LabelIn) atoms.insert({c.a, c.op});
    if (c.op == ir::CondOp::Confidential) atoms.insert({0, c.op});
    for (uint32_t i = 0; i < c.child_count; ++i) stack.push_back(p.children[c.first_child + i]);
  }
  return atoms.size();
}

std::string Show(const caldicott_decision& d) {
  return "{verdict " + std::to_string(d.verdict) + ", reason " + std::to_string(d.reason) +
         ", rule " + std::to_string(d.rule) + "}";
}

TEST(Differential, InterpreterJitAndArtefactAgreeOnEveryEntry) {
  int policies = 2;
  if (const char* n = std::getenv("CALDICOTT_DIFFERENTIAL_POLICIES")) policies = std::atoi(n);
  Generator g(20261125);
  size_t decided = 0, shared = 0, excluded = 0, malformed = 0, wide = 0;
  for (int round = 0; round < policies; ++round) {
    ir::Policy p = g.Policy();
    auto jit = Jit(p, codegen::Options::Tier::Optimised);
    auto quick = Jit(p, codegen::Options::Tier::Quick);
    auto aot = Aot(p);
    ASSERT_TRUE(jit && quick && aot);
    std::vector<Generator::Entry> entries(400);
    for (auto& e : entries) g.Fill(e);
    std::vector<caldicott_entry> batch;
    for (const auto& e : entries) batch.push_back(e.entry);
    for (uint32_t a = 0; a < p.agreements.size(); ++a) {
      std::vector<caldicott_date> within;
      for (const ir::WithinInput& in : ir::WithinInputs(p, ir::AgreementId{a})) {
        within.push_back(ir::SubtractTime(kToday, in.amount, in.unit));
      }
      std::vector<caldicott_decision> by_jit(batch.size()), by_quick(batch.size()),
          by_aot(batch.size());
      jit->decide(a)(batch.data(), batch.size(), within.data(), by_jit.data());
      quick->decide(a)(batch.data(), batch.size(), within.data(), by_quick.data());
      aot->decide(a)(batch.data(), batch.size(), within.data(), by_aot.data());
      wide += AtomCount(p, a) > 64;
      for (size_t i = 0; i < batch.size(); ++i) {
        caldicott_decision want = interp::Decide(p, ir::AgreementId{a}, kToday, batch[i]);
        ASSERT_EQ(Show(by_jit[i]), Show(want))
            << "JIT, policy " << round << " agreement " << a << " entry " << i;
        ASSERT_EQ(Show(by_quick[i]), Show(want))
            << "JIT (quick), policy " << round << " agreement " << a << " entry " << i;
        ASSERT_EQ(Show(by_aot[i]), Show(want))
            << "AOT, policy " << round << " agreement " << a << " entry " << i;
        ++decided;
        shared += want.verdict == CALDICOTT_SHARE;
        excluded += want.reason == CALDICOTT_REASON_EXCLUDED;
        malformed += want.reason == CALDICOTT_REASON_MALFORMED_ENTRY;
      }
    }
  }
  // The generator reaches every outcome in earnest.
  EXPECT_GT(shared, decided / 20);
  EXPECT_GT(excluded, decided / 20);
  EXPECT_GT(malformed, 0u);
  EXPECT_GT(wide, 0u);
  std::printf(
      "%zu decisions compared (%zu shared, %zu excluded, %zu malformed), %zu agreements with more "
      "than 64 atoms\n",
      decided, shared, excluded, malformed, wide);
}

}  // namespace
}  // namespace caldicott
