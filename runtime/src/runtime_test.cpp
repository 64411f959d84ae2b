// The C API, through the thin C++ header, against the reference engine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <thread>

#include "caldicott/caldicott.hpp"

// Counts heap allocations, to show that deciding makes none. (GCC cannot
// see that these replacements pair new with delete.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
static std::atomic<long> allocations{0};
void* operator new(size_t n) {
  ++allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}

namespace caldicott {
namespace {

using ::testing::HasSubstr;

constexpr const char* kSnomed = "http://snomed.info/sct";
const caldicott_date kToday = caldicott_date_from_ymd(2026, 6, 1);

constexpr std::string_view kSource = R"(
import "std:sections";
import "std:roles";
import "std:sensitive";
import "std:clinical";
agreement podiatry {
    effective 2026-01-01 to 2027-12-31;
    controllers A81001;
    share problems where code in code-group diabetes;
    share allergies;
    exclude code-group sexual_health;
    exclude confidential;
    grant role podiatrist;
}
)";

caldicott_coding C(const char* system, const char* code) {
  return {system, std::string_view(system).size(), code, std::string_view(code).size()};
}

TEST(Runtime, CompileFindDecide) {
  Engine engine;
  engine.CompileSource("locality.dsa", kSource);
  uint32_t a = engine.Agreement("podiatry");
  std::vector<caldicott_coding> t2dm = {C(kSnomed, "44054006")};
  std::vector<caldicott_coding> sti = {C(kSnomed, "44054006"), C(kSnomed, "76272004")};
  std::vector<caldicott_entry> entries = {
      {CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, kToday, 0, t2dm.data(), 1, nullptr, 0},
      {CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, kToday, 0, sti.data(), 2, nullptr, 0},
      {CALDICOTT_KIND_ALLERGY, CALDICOTT_STATUS_ACTIVE, kToday, 0, nullptr, 0, nullptr, 0},
      {CALDICOTT_KIND_MEDICATION, CALDICOTT_STATUS_CURRENT, kToday, 0, t2dm.data(), 1, nullptr, 0},
      {CALDICOTT_KIND_COUNT, CALDICOTT_STATUS_ACTIVE, kToday, 0, t2dm.data(), 1, nullptr, 0},
  };
  std::vector<caldicott_decision> out(entries.size());
  engine.Decide(a, Request("podiatrist", kToday, "A81001"), entries, out);
  EXPECT_EQ(out[0].verdict, CALDICOTT_SHARE);
  EXPECT_THAT(engine.RuleDescription(out[0].rule),
              HasSubstr("podiatry:3 at locality.dsa:9: share problems where code in code-group "
                        "diabetes;"));
  EXPECT_EQ(out[1].verdict, CALDICOTT_WITHHOLD);
  EXPECT_EQ(out[1].reason, CALDICOTT_REASON_EXCLUDED);
  EXPECT_EQ(out[2].verdict, CALDICOTT_SHARE);
  EXPECT_EQ(out[3].reason, CALDICOTT_REASON_NO_SHARE);
  EXPECT_EQ(out[4].reason, CALDICOTT_REASON_MALFORMED_ENTRY);

  // Not applying: wrong role, outside the dates, another practice.
  for (caldicott_request r : {Request("receptionist", kToday), Request("podiatrist", kToday - 400),
                              Request("podiatrist", kToday, "B99999")}) {
    EXPECT_FALSE(engine.Applies(a, r));
    engine.Decide(a, r, entries, out);
    for (const caldicott_decision& d : out) {
      EXPECT_EQ(d.verdict, CALDICOTT_WITHHOLD);
      EXPECT_EQ(d.reason, CALDICOTT_REASON_DOES_NOT_APPLY);
    }
  }
}

TEST(Runtime, ErrorsAreStatusesWithMessages) {
  Engine engine;
  try {
    engine.CompileSource("bad.dsa", "agreement a { share problems }");
    FAIL() << "compiled";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), CALDICOTT_ERROR_SOURCE);
    EXPECT_THAT(e.what(), HasSubstr("bad.dsa:1:"));
  }
  try {
    engine.Agreement("podiatry");
    FAIL() << "found";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), CALDICOTT_ERROR_NOT_COMPILED);
  }
  engine.CompileSource("locality.dsa", kSource);
  try {
    engine.Agreement("nope");
    FAIL() << "found";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), CALDICOTT_ERROR_NOT_FOUND);
  }
  // A failed compile keeps the policy that was there.
  EXPECT_THROW(engine.CompileSource("bad.dsa", "role 1;"), Error);
  EXPECT_NO_THROW(engine.Agreement("podiatry"));
}

TEST(Runtime, NullsAndUnusableEnginesFailClosed) {
  EXPECT_EQ(caldicott_engine_create(nullptr), CALDICOTT_ERROR_ARGUMENT);
  caldicott_engine* e = nullptr;
  ASSERT_EQ(caldicott_engine_create(&e), CALDICOTT_OK);
  caldicott_request r = Request("podiatrist", kToday);
  caldicott_entry entry{
      CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, kToday, 0, nullptr, 0, nullptr, 0};
  caldicott_decision d{CALDICOTT_SHARE, 0, 7};
  EXPECT_EQ(caldicott_decide(e, 0, &r, &entry, 1, &d), CALDICOTT_ERROR_NOT_COMPILED);
  EXPECT_EQ(d.verdict, CALDICOTT_WITHHOLD);
  EXPECT_EQ(d.reason, CALDICOTT_REASON_NO_ENGINE);
  EXPECT_STRNE(caldicott_last_error(), "");
  d = {CALDICOTT_SHARE, 0, 7};
  EXPECT_EQ(caldicott_decide(nullptr, 0, &r, &entry, 1, &d), CALDICOTT_ERROR_ARGUMENT);
  EXPECT_EQ(d.verdict, CALDICOTT_WITHHOLD);
  EXPECT_EQ(caldicott_decide(e, 0, nullptr, &entry, 1, &d), CALDICOTT_ERROR_ARGUMENT);
  EXPECT_EQ(caldicott_engine_compile_files(e, nullptr, nullptr, 0), CALDICOTT_ERROR_ARGUMENT);
  EXPECT_EQ(caldicott_rule_description(e, 1), nullptr);
  caldicott_engine_free(e);
  caldicott_engine_free(nullptr);
}

TEST(Runtime, FilterBundleInMemory) {
  Engine engine;
  engine.CompileSource("locality.dsa", kSource);
  uint32_t a = engine.Agreement("podiatry");
  std::string bundle = R"({"resourceType":"Bundle","type":"searchset","total":3,"entry":[
    {"resource":{"resourceType":"Patient","id":"p"}},
    {"resource":{"resourceType":"Condition","id":"dm","clinicalStatus":{"coding":[{"code":"active"}]},
      "code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]}}},
    {"resource":{"resourceType":"Condition","id":"sti",
      "code":{"coding":[{"system":"http://snomed.info/sct","code":"76272004"}]}}}]})";
  std::string out = engine.FilterBundle(a, Request("podiatrist", kToday), bundle);
  EXPECT_THAT(out, HasSubstr(R"("id":"dm")"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr(R"("id":"sti")")));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("total")));
  try {
    engine.FilterBundle(a, Request("receptionist", kToday), bundle);
    FAIL() << "filtered";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), CALDICOTT_ERROR_DOES_NOT_APPLY);
    EXPECT_THAT(e.what(), HasSubstr("the role is not granted"));
  }
  try {
    engine.FilterBundle(a, Request("podiatrist", kToday), "[1,2");
    FAIL() << "filtered";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), CALDICOTT_ERROR_MALFORMED_INPUT);
  }
  char* raw = reinterpret_cast<char*>(1);
  size_t len = 99;
  caldicott_request r = Request("receptionist", kToday);
  EXPECT_EQ(caldicott_filter_bundle(engine.get(), a, &r, bundle.data(), bundle.size(), &raw, &len),
            CALDICOTT_ERROR_DOES_NOT_APPLY);
  EXPECT_EQ(raw, nullptr);  // nothing is handed out
  EXPECT_EQ(len, 0u);
}

TEST(Runtime, DecidingAllocatesNothing) {
  Engine engine;
  engine.CompileSource("locality.dsa", kSource);
  uint32_t a = engine.Agreement("podiatry");
  std::vector<caldicott_coding> codings = {C(kSnomed, "44054006"), C(kSnomed, "76272004"),
                                           C(kSnomed, "195967001")};
  std::vector<caldicott_entry> entries;
  for (uint32_t k = 0; k < CALDICOTT_KIND_COUNT; ++k) {
    for (size_t n = 0; n <= codings.size(); ++n) {
      entries.push_back(
          {k, CALDICOTT_STATUS_ACTIVE, kToday - 100, 0, codings.data(), n, nullptr, 0});
    }
  }
  std::vector<caldicott_decision> out(entries.size());
  caldicott_request r = Request("podiatrist", kToday, "A81001");
  long before = allocations.load();
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(caldicott_decide(engine.get(), a, &r, entries.data(), entries.size(), out.data()),
              CALDICOTT_OK);
  }
  EXPECT_EQ(allocations.load() - before, 0);
}

// One engine, several threads, many decisions: every thread gets exactly
// the single-threaded answers.
TEST(Runtime, ManyThreadsOneEngine) {
  Engine engine;
  engine.CompileSource("locality.dsa", kSource);
  uint32_t a = engine.Agreement("podiatry");
  const char* codes[] = {"44054006", "76272004", "195967001", "46635009", "73211009", "8098009"};
  std::vector<std::vector<caldicott_coding>> codings;
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<caldicott_coding> c;
    for (uint32_t k = 0; k < 1 + rng() % 3; ++k) c.push_back(C(kSnomed, codes[rng() % 6]));
    codings.push_back(c);
  }
  std::vector<caldicott_entry> entries;
  for (const auto& c : codings) {
    entries.push_back({static_cast<uint32_t>(rng() % CALDICOTT_KIND_COUNT),
                       static_cast<uint32_t>(rng() % CALDICOTT_STATUS_COUNT), kToday, 0, c.data(),
                       c.size(), nullptr, 0});
  }
  caldicott_request r = Request("podiatrist", kToday);
  std::vector<caldicott_decision> expected(entries.size());
  engine.Decide(a, r, entries, expected);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<caldicott_decision> out(entries.size());
      for (int round = 0; round < 50; ++round) {
        if (caldicott_decide(engine.get(), a, &r, entries.data(), entries.size(), out.data()) !=
            CALDICOTT_OK) {
          ++mismatches;
        }
        for (size_t i = 0; i < out.size(); ++i) {
          if (out[i].verdict != expected[i].verdict || out[i].rule != expected[i].rule) {
            ++mismatches;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  int shared = 0;
  for (const auto& d : expected) shared += d.verdict == CALDICOTT_SHARE;
  EXPECT_GT(shared, 0);
  EXPECT_LT(shared, static_cast<int>(expected.size()));
}

}  // namespace
}  // namespace caldicott
