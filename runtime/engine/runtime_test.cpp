// The C API, through the thin C++ header, against the reference engine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <new>
#include <random>
#include <sstream>
#include <thread>

#include "caldicott/caldicott.hpp"
#include "compiler/aot/aot.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/pipeline/pipeline.h"
#include "runtime/artifact/artifact.h"
#include "runtime/engine/engine.h"

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
// Every other form too: a sanitizer's runtime supplies its own nothrow and
// array forms, which would then be freed here with free().
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  ++allocations;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](size_t n) {
  return operator new(n);
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept {
  return operator new(n, t);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p, size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
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

// The bytes of an artefact for `source`, as `caldicott compile` writes it.
std::string ArtefactFor(std::string_view source) {
  pipeline::Compilation compilation({});
  std::ostringstream rendered;
  diag::TextConsumer consumer(rendered, compilation.sources(), diag::ColorMode::Never);
  diag::Diagnostics diags(consumer, 50);
  EXPECT_TRUE(compilation.Run({"locality.dsa"}, diags, std::string(source))) << rendered.str();
  artifact::Contents contents;
  std::string error;
  EXPECT_TRUE(aot::BuildArtifact(compilation, codegen::Options::Cpu::Generic, contents, error))
      << error;
  return artifact::Write(contents);
}

// Every test of decisions runs on each engine: the reference interpreter;
// the JIT's quick code alone; the JIT while its optimised code is being
// compiled in the background and takes over (decisions race the switch);
// the JIT once the optimised code decides; native code from an artefact.
class Backends : public ::testing::TestWithParam<std::string> {
 protected:
  void Load(Engine& engine, std::string_view source) {
    if (GetParam() == "interp") engine.SetBackend(CALDICOTT_BACKEND_INTERP);
    if (GetParam() == "quick") engine.SetBackend(CALDICOTT_BACKEND_JIT_QUICK);
    if (GetParam() == "aot") {
      engine.LoadArtifactMemory(ArtefactFor(source));
    } else {
      engine.CompileSource("locality.dsa", source);
    }
    if (GetParam() == "optimised") engine.WaitOptimised();
  }
};
INSTANTIATE_TEST_SUITE_P(Runtime, Backends,
                         ::testing::Values("interp", "quick", "tiering", "optimised", "aot"),
                         [](const auto& info) { return info.param; });

TEST_P(Backends, CompileFindDecide) {
  Engine engine;
  Load(engine, kSource);
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

TEST_P(Backends, FilterBundleInMemory) {
  Engine engine;
  Load(engine, kSource);
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

TEST_P(Backends, DecidingAllocatesNothing) {
  Engine engine;
  Load(engine, kSource);
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
  engine.WaitOptimised();  // the background compile allocates, of course
  long before = allocations.load();
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(caldicott_decide(engine.get(), a, &r, entries.data(), entries.size(), out.data()),
              CALDICOTT_OK);
  }
  EXPECT_EQ(allocations.load() - before, 0);
}

// One engine, several threads, many decisions: every thread gets exactly
// the single-threaded answers.
TEST_P(Backends, ManyThreadsOneEngine) {
  Engine engine;
  Load(engine, kSource);
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
  // With "tiering", the threads go on deciding until some rounds after the
  // optimised code has taken over, so that they decide across the switch.
  std::atomic<bool> switched{false};
  std::atomic<int> rounds_after{0};
  const bool tiering = GetParam() == "tiering";
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<caldicott_decision> out(entries.size());
      for (int round = 0; round < 50 || (tiering && rounds_after.load() < 40); ++round) {
        if (switched.load()) ++rounds_after;
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
  engine.WaitOptimised();
  switched = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  if (tiering) {
    EXPECT_GE(rounds_after.load(), 40);
  }
  int shared = 0;
  for (const auto& d : expected) shared += d.verdict == CALDICOTT_SHARE;
  EXPECT_GT(shared, 0);
  EXPECT_LT(shared, static_cast<int>(expected.size()));
}

// The JIT's tiers: the engine decides from the moment its compile returns,
// the optimised code takes over in the background, and freeing or
// recompiling an engine in the middle of that is safe (the background
// compile is stopped and joined first).
TEST(Tiers, QuickThenOptimisedThenReplaced) {
  std::vector<caldicott_coding> t2dm = {C(kSnomed, "44054006")};
  std::vector<caldicott_entry> one = {
      {CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, kToday, 0, t2dm.data(), 1, nullptr, 0}};
  std::vector<caldicott_decision> out(1);
  caldicott_request r = Request("podiatrist", kToday, "A81001");

  runtime::PolicyEngine engine;
  std::string error;
  ASSERT_EQ(engine.Compile({"locality.dsa"}, std::string(kSource), error), CALDICOTT_OK) << error;
  EXPECT_THAT(std::string(engine.tier()), ::testing::AnyOf("quick", "optimised"));
  uint32_t a = engine.policy()->Find("podiatry")->index;
  engine.Decide(ir::AgreementId{a}, r, one.data(), 1, out.data());
  EXPECT_EQ(out[0].verdict, CALDICOTT_SHARE);
  EXPECT_EQ(engine.WaitOptimised(error), CALDICOTT_OK) << error;
  EXPECT_STREQ(engine.tier(), "optimised");
  EXPECT_EQ(engine.WaitOptimised(error), CALDICOTT_OK);  // again: nothing to wait for
  engine.Decide(ir::AgreementId{a}, r, one.data(), 1, out.data());
  EXPECT_EQ(out[0].verdict, CALDICOTT_SHARE);

  // Recompiled at once, twice: each compile replaces a policy whose
  // optimised code may still be compiling.
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(engine.Compile({"locality.dsa"}, std::string(kSource), error), CALDICOTT_OK);
  }
  engine.Decide(ir::AgreementId{a}, r, one.data(), 1, out.data());
  EXPECT_EQ(out[0].verdict, CALDICOTT_SHARE);

  engine.backend = CALDICOTT_BACKEND_JIT_QUICK;
  ASSERT_EQ(engine.Compile({"locality.dsa"}, std::string(kSource), error), CALDICOTT_OK);
  EXPECT_STREQ(engine.tier(), "quick");
  EXPECT_EQ(engine.WaitOptimised(error), CALDICOTT_OK);
  EXPECT_STREQ(engine.tier(), "quick");
  engine.backend = CALDICOTT_BACKEND_INTERP;
  ASSERT_EQ(engine.Compile({"locality.dsa"}, std::string(kSource), error), CALDICOTT_OK);
  EXPECT_STREQ(engine.tier(), "interpreter");
  ASSERT_EQ(engine.LoadArtifact(ArtefactFor(kSource), error), CALDICOTT_OK) << error;
  EXPECT_STREQ(engine.tier(), "artefact");

  // Freed while compiling in the background: the destructor waits.
  for (int i = 0; i < 3; ++i) {
    caldicott_engine* e = nullptr;
    ASSERT_EQ(caldicott_engine_create(&e), CALDICOTT_OK);
    ASSERT_EQ(
        caldicott_engine_compile_source(e, "locality.dsa", 12, kSource.data(), kSource.size()),
        CALDICOTT_OK);
    caldicott_engine_free(e);
  }
  EXPECT_EQ(caldicott_engine_wait_optimised(nullptr), CALDICOTT_ERROR_ARGUMENT);
}

// Engines are independent: two threads compiling their own engines at once
// (LLVM is initialised once per process, whoever comes first), each then
// deciding what a single engine decides.
TEST(Runtime, EnginesCompileOnTwoThreadsAtOnce) {
  std::vector<caldicott_coding> t2dm = {C(kSnomed, "44054006")};
  caldicott_entry entry{
      CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, kToday, 0, t2dm.data(), 1, nullptr, 0};
  std::atomic<int> shared{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      try {
        Engine engine;
        if (t == 1) {
          engine.LoadArtifactMemory(ArtefactFor(kSource));
        } else {
          engine.CompileSource("locality.dsa", kSource);
        }
        caldicott_decision d{};
        std::vector<caldicott_entry> one = {entry};
        std::vector<caldicott_decision> out(1);
        engine.Decide(engine.Agreement("podiatry"), Request("podiatrist", kToday, "A81001"), one,
                      out);
        d = out[0];
        shared += d.verdict == CALDICOTT_SHARE;
      } catch (...) {
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(shared.load(), 2);
}

TEST(Artefacts, LoadFromFileAndRefuseWhatIsNotOne) {
  std::string bytes = ArtefactFor(kSource);
  std::string path = ::testing::TempDir() + "/locality.cpol";
  {
    std::ofstream f(path, std::ios::binary);
    f << bytes;
  }
  Engine engine;
  engine.LoadArtifact(path);
  uint32_t a = engine.Agreement("podiatry");
  EXPECT_THAT(engine.RuleDescription(1), HasSubstr("podiatry:3 at locality.dsa:9"));
  auto refused = [&](std::string_view what, caldicott_status status, std::string_view message) {
    caldicott_status s =
        caldicott_engine_load_artifact_memory(engine.get(), what.data(), what.size());
    EXPECT_EQ(s, status);
    EXPECT_THAT(caldicott_last_error(), HasSubstr(message));
    EXPECT_EQ(std::string(caldicott_last_error()).find('\n'), std::string::npos);
  };
  refused(std::string_view(bytes).substr(0, bytes.size() / 2), CALDICOTT_ERROR_ARTIFACT,
          "truncated");
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x20;
  refused(flipped, CALDICOTT_ERROR_ARTIFACT, "checksum");
  refused(std::string(200, 'x'), CALDICOTT_ERROR_ARTIFACT, "not a Caldicott artefact");
  // Another target: a manifest that says so (with a valid checksum).
  artifact::Contents contents;
  std::string error;
  ASSERT_TRUE(artifact::Read(bytes, contents, error)) << error;
  contents.manifest.target_triple = "aarch64-unknown-linux-gnu";
  refused(artifact::Write(contents), CALDICOTT_ERROR_ARTIFACT, "built for aarch64");
  // Code tuned for another CPU may use instructions this one lacks.
  ASSERT_TRUE(artifact::Read(bytes, contents, error)) << error;
  contents.manifest.cpu = "pentium2";
  refused(artifact::Write(contents), CALDICOTT_ERROR_ARTIFACT, "built for the CPU `pentium2`");
  std::string_view missing = "/nonexistent/x.cpol";
  EXPECT_EQ(caldicott_engine_load_artifact(engine.get(), missing.data(), missing.size()),
            CALDICOTT_ERROR_IO);
  EXPECT_THAT(caldicott_last_error(), HasSubstr("cannot read `/nonexistent/x.cpol`"));
  // Refusals leave the policy that was loaded.
  EXPECT_EQ(engine.Agreement("podiatry"), a);
}

// Thousands of damaged artefacts: never a crash, never a policy, never a
// decision other than WITHHOLD.
TEST(Artefacts, DamagedArtefactsNeverDecide) {
  std::string bytes = ArtefactFor(kSource);
  std::mt19937 rng(20261125);
  std::vector<caldicott_coding> t2dm = {C(kSnomed, "44054006")};
  caldicott_entry entry{
      CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, kToday, 0, t2dm.data(), 1, nullptr, 0};
  caldicott_request r = Request("podiatrist", kToday, "A81001");
  int refused = 0, tried = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string damaged = bytes;
    switch (i % 4) {
      case 0:  // truncated
        damaged.resize(rng() % bytes.size());
        break;
      case 1:  // bytes flipped anywhere
        for (uint32_t k = 0; k < 1 + rng() % 4; ++k)
          damaged[rng() % damaged.size()] ^= 1 + rng() % 255;
        break;
      case 2:  // extended
        damaged.append(1 + rng() % 64, static_cast<char>(rng()));
        break;
      case 3:  // a run zeroed
        std::fill_n(damaged.begin() + rng() % (bytes.size() - 64), 1 + rng() % 64, '\0');
        break;
    }
    if (damaged == bytes) continue;
    ++tried;
    caldicott_engine* e = nullptr;
    ASSERT_EQ(caldicott_engine_create(&e), CALDICOTT_OK);
    caldicott_status s = caldicott_engine_load_artifact_memory(e, damaged.data(), damaged.size());
    refused += s == CALDICOTT_ERROR_ARTIFACT;
    EXPECT_EQ(s, CALDICOTT_ERROR_ARTIFACT) << "mutant " << i;
    caldicott_decision d{CALDICOTT_SHARE, 0, 1};
    EXPECT_NE(caldicott_decide(e, 0, &r, &entry, 1, &d), CALDICOTT_OK);
    EXPECT_EQ(d.verdict, CALDICOTT_WITHHOLD) << "mutant " << i;
    caldicott_engine_free(e);
  }
  EXPECT_EQ(refused, tried);
  EXPECT_GT(tried, 2500);
}

}  // namespace
}  // namespace caldicott
