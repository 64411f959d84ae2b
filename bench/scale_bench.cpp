// An agreement at full SNOMED CT scale: its code groups expand to over
// 300,000 concepts of the full-size synthetic release (tools/rf2gen, 370,000
// active concepts). How long it takes to compile, and how fast its native
// code decides compared with the example locality's, in one run.
//
// The release is generated once into $TMPDIR (570 MB, about 1.5 s) and
// removed at exit. A first compilation loads it (`--schema DIR`) and checks
// the agreement; every timed compilation reuses that coding schema
// (pipeline::Options::schema), as an engine does between compiles.
//
//   BM_BigCompileToCallable: front end + codegen (this CPU) + link + one
//     decision; BM_BigFrontEnd, BM_BigCodegen, BM_BigLink are its parts.
//   BM_BigCompileToArtifact: front end + codegen (generic x86-64) + the
//     manifest (its source and schema hashes included) + artifact::Write,
//     as `caldicott compile --cpu generic` makes the bytes.
//   BM_ScaleDecide: decisions per second of the JIT's decision functions,
//     called directly, for the example locality (default schema) and for
//     the big agreement, on batches built the same way from each policy's
//     own codes; the ratio is printed after the run.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/common/gp_record.h"
#include "bench/common/summary.h"
#include "bench/common/temp_path.h"
#include "caldicott/caldicott.h"
#include "compiler/aot/aot.h"
#include "compiler/check/check.h"
#include "compiler/codegen/codegen.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "compiler/pipeline/pipeline.h"
#include "compiler/schema/schema.h"
#include "runtime/artifact/artifact.h"
#include "runtime/engine/engine.h"
#include "runtime/native/native.h"
#include "tools/rf2gen/rf2gen.h"

namespace {

namespace artifact = caldicott::artifact;
namespace codegen = caldicott::codegen;
namespace diag = caldicott::diag;
namespace interp = caldicott::interp;
namespace ir = caldicott::ir;
namespace native = caldicott::native;
namespace pipeline = caldicott::pipeline;
namespace rf2gen = caldicott::rf2gen;
namespace schema = caldicott::schema;

constexpr std::string_view kSnomed = "http://snomed.info/sct";
constexpr std::string_view kConfidentiality =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
constexpr size_t kBatchSize = 4096;
constexpr size_t kPoolSize = 10000;      // codes of the policy's groups that records use
constexpr size_t kOtherPoolSize = 1000;  // codes in none of its groups
constexpr size_t kMinimumCodes = 300000;

// ---- the release

// The full-size synthetic release, generated on first use.
class Release {
 public:
  static Release& Get() {
    static Release release;
    return release;
  }
  const std::string& dir() const { return dir_; }
  const rf2gen::Summary& summary() const { return summary_; }
  const std::string& error() const { return error_; }

 private:
  Release() {
    std::string pattern = caldicott::bench::TempPattern("scale_bench");
    if (mkdtemp(pattern.data()) == nullptr) {
      error_ = "cannot create a temporary directory";
      return;
    }
    dir_ = pattern;
    rf2gen::Options options;  // full size
    rf2gen::Generate(options, dir_, summary_, error_);
  }
  ~Release() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_, error_;
  rf2gen::Summary summary_;
};

// ---- the big agreement

// A locality-wide clinical view, written as an information-governance lead
// would: share the clinical record by the top-level hierarchies it is
// coded in, current medication by product, allergies; withhold the NHS
// data-sharing exclusion reference sets and confidential entries.
std::string BigSource(const rf2gen::Summary& summary) {
  std::string withheld;
  for (const rf2gen::Refset& r : summary.refsets) {
    withheld += (withheld.empty() ? "^ " : " OR ^ ") + r.code;
  }
  return R"(// An agreement at full SNOMED CT scale (bench/scale_bench.cpp).
import "std:sections";

role locum_gp "Locum GP" rbac R0260;
role practice_nurse "Practice nurse";

code-group clinical_record "The clinical record, by top-level hierarchy" {
    snomed << )" +
         summary.big_concept + R"( |Clinical finding|;
    snomed << 71388002 |Procedure|;
    snomed << 123037004 |Body structure|;
    snomed << 410607006 |Organism|;
    snomed << 105590001 |Substance|;
    snomed << 362981000 |Qualifier value|;
    snomed << 363787002 |Observable entity|;
    snomed << 243796009 |Situation with explicit context|;
}

code-group products "Medicinal products" {
    snomed << 373873005 |Pharmaceutical / biologic product|;
}

code-group withheld "NHS data-sharing exclusions" {
    snomed )" +
         withheld + R"(;
}

agreement locality_view "Locality-wide clinical view" {
    version 1;
    controllers A81001, A81002, A81003;
    purpose direct_care;
    effective 2026-01-01 to 2027-12-31;

    share problems, observations where code in code-group clinical_record;
    share procedures where code in code-group clinical_record and recorded within 10 years;
    share medication.current where code in code-group products;
    share allergies;
    exclude code-group withheld;
    exclude confidential;
    grant role locum_gp, practice_nurse;
}
)";
}

// One run of the front end: `paths`, or `text` named paths[0].
std::unique_ptr<pipeline::Compilation> Compile(pipeline::Options options,
                                               const std::vector<std::string>& paths,
                                               const std::optional<std::string>& text,
                                               std::string& error) {
  auto c = std::make_unique<pipeline::Compilation>(std::move(options));
  std::ostringstream rendered;
  diag::TextConsumer consumer(rendered, c->sources(), diag::ColorMode::Never);
  diag::Diagnostics diags(consumer, 50);
  bool ok = c->Run(paths, diags, text);
  diags.Finish();
  if (!ok || c->policy() == nullptr) {
    error = "does not compile:\n" + rendered.str();
    return nullptr;
  }
  return c;
}

std::vector<std::string> LocalityFiles() {
  const char* env = std::getenv("CALDICOTT_SOURCE_DIR");
  std::string root = env != nullptr ? env : CALDICOTT_SOURCE_DIR;
  return {root + "/examples/podiatry.dsa", root + "/examples/out_of_hours.dsa",
          root + "/examples/mental_health.dsa"};
}

const std::vector<std::string> kBigPath = {"big.dsa"};

// ---- batches

using caldicott::bench::Rng;

// The codes a batch draws from: `grouped`, codes of the policy's SNOMED CT
// code sets (a sample of at most kPoolSize when there are more); `other`,
// concepts of the schema in none of them.
struct Pools {
  std::vector<std::string> grouped, other;
};

Pools MakePools(const ir::Policy& policy, const schema::Schema& coding, size_t pool_size,
                uint64_t seed) {
  Rng rng{seed};
  std::vector<std::string> all;
  for (const ir::CodeSet& set : policy.code_sets) {
    for (const ir::SystemCodes& s : set.systems) {
      if (s.uri == kSnomed) all.insert(all.end(), s.codes.begin(), s.codes.end());
    }
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  Pools pools;
  if (all.size() <= pool_size) {
    pools.grouped = all;
  } else {
    // A partial Fisher-Yates shuffle: pool_size distinct codes.
    std::vector<std::string> copy = all;
    for (size_t i = 0; i < pool_size; ++i) {
      size_t j = i + rng.Below(static_cast<uint32_t>(copy.size() - i));
      std::swap(copy[i], copy[j]);
    }
    pools.grouped.assign(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(pool_size));
  }
  const schema::CodeSystem* snomed = coding.ByUri(kSnomed);
  std::vector<std::string> outside;
  for (schema::ConceptId id = 0; snomed != nullptr && id < snomed->size(); ++id) {
    std::string code(snomed->Code(id));
    if (snomed->Active(id) && !std::binary_search(all.begin(), all.end(), code)) {
      outside.push_back(std::move(code));
    }
  }
  for (size_t i = 0; i < kOtherPoolSize && !outside.empty(); ++i) {
    pools.other.push_back(outside[rng.Below(static_cast<uint32_t>(outside.size()))]);
  }
  return pools;
}

struct Batch {
  std::vector<std::string> strings;       // the codes, owned (entries point into them)
  std::vector<caldicott_coding> codings;  // reserved up front: entries point into it
  std::vector<caldicott_entry> entries;
};

// Entries in the proportions of a GP record, each with one to three SNOMED
// CT codings: the first from `grouped` four times in five, the others from
// either pool alike. 10% carry confidentiality N, 2% R; 1% have no date.
Batch MakeBatch(const Pools& pools, size_t count, uint64_t seed) {
  Batch b;
  b.strings.reserve(count * 3);
  b.codings.reserve(count * 4);
  b.entries.reserve(count);
  Rng rng{seed};
  auto pick = [&](const std::vector<std::string>& pool) -> const std::string& {
    return pool[rng.Below(static_cast<uint32_t>(pool.size()))];
  };
  for (size_t n = 0; n < count; ++n) {
    caldicott_kind kind = caldicott::bench::DrawKind(rng);
    caldicott_entry e{};
    e.kind = static_cast<uint32_t>(kind);
    switch (kind) {
      case CALDICOTT_KIND_PROBLEM:
      case CALDICOTT_KIND_ALLERGY:
        e.status = rng.Below(100) < 60 ? CALDICOTT_STATUS_ACTIVE : CALDICOTT_STATUS_INACTIVE;
        break;
      case CALDICOTT_KIND_MEDICATION:
        e.status = rng.Below(100) < 35 ? CALDICOTT_STATUS_CURRENT : CALDICOTT_STATUS_PAST;
        break;
      default:
        e.status = CALDICOTT_STATUS_UNKNOWN;
    }
    e.date = caldicott::bench::DrawDate(rng, 1);
    e.codings = b.codings.data() + b.codings.size();
    uint32_t codings = 1 + rng.Below(3);
    for (uint32_t c = 0; c < codings; ++c) {
      bool grouped = pools.other.empty() || (c == 0 ? rng.Below(5) < 4 : rng.Below(2) == 0);
      const std::string& code = pick(grouped ? pools.grouped : pools.other);
      b.strings.push_back(code);
      const std::string& s = b.strings.back();
      b.codings.push_back({kSnomed.data(), kSnomed.size(), s.data(), s.size()});
      ++e.coding_count;
    }
    uint32_t l = rng.Below(100);
    if (l < 12) {
      const char* value = l < 10 ? "N" : "R";
      b.codings.push_back({kConfidentiality.data(), kConfidentiality.size(), value, 1});
      e.labels = &b.codings.back();
      e.label_count = 1;
    }
    b.entries.push_back(e);
  }
  return b;
}

// ---- the fixture

// One policy compiled to JIT code (shared between the ways the big
// agreement is decided), with the batch it is decided on.
struct Compiled {
  std::string name;
  std::shared_ptr<pipeline::Compilation> compilation;
  std::shared_ptr<native::Code> code;
  ir::AgreementId agreement;
  std::vector<caldicott_date> within;  // thresholds for the request date
  Batch batch;
  const ir::Policy& policy() const { return *compilation->policy(); }
};

// The locality, then the big agreement on three batches: codes from a
// sample of 10,000 of its groups' codes (the realistic one); from only 100
// (so that its table stays in the caches: what is left is the cost of its
// rules); and from all of them, in a batch large enough to touch the whole
// table (the worst case).
constexpr int kLocality = 0, kBig = 1, kPolicies = 4;
constexpr const char* kPolicyNames[] = {"locality podiatry", "big, 10,000-code pool",
                                        "big, 100-code pool", "big, whole group, 65,536 entries"};
constexpr size_t kPoolSizes[] = {kPoolSize, kPoolSize, 100, SIZE_MAX};
constexpr size_t kBatchSizes[] = {kBatchSize, kBatchSize, kBatchSize, 65536};

struct Fixture {
  std::string error;
  std::string big_source;
  std::shared_ptr<const schema::Schema> coding;  // the release, loaded once
  double first_compile_ms = 0;                   // the first compile, which loads it
  size_t clinical_record_codes = 0, products_codes = 0, withheld_codes = 0, policy_codes = 0;
  Compiled policies[kPolicies];

  static const Fixture& Get() {
    static const Fixture fixture;
    return fixture;
  }

 private:
  Fixture() {
    const Release& release = Release::Get();
    if (!release.error().empty()) {
      error = release.error();
      return;
    }
    big_source = BigSource(release.summary());
    // The first compilation loads the release.
    pipeline::Options with_paths;
    with_paths.schema_paths = {release.dir()};
    auto start = std::chrono::steady_clock::now();
    std::shared_ptr<pipeline::Compilation> big = Compile(with_paths, kBigPath, big_source, error);
    first_compile_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (big == nullptr) {
      error = "the big agreement " + error;
      return;
    }
    coding = big->shared_schema();
    const caldicott::check::CheckedProgram* checked = big->checked();
    clinical_record_codes = checked->GroupNamed("clinical_record")->CodeCount();
    products_codes = checked->GroupNamed("products")->CodeCount();
    withheld_codes = checked->GroupNamed("withheld")->CodeCount();
    for (const ir::CodeSet& set : big->policy()->code_sets) {
      for (const ir::SystemCodes& s : set.systems) policy_codes += s.codes.size();
    }
    if (clinical_record_codes < kMinimumCodes) {
      error = "clinical_record expands to only " + std::to_string(clinical_record_codes) + " codes";
      return;
    }
    std::shared_ptr<pipeline::Compilation> locality =
        Compile(pipeline::Options{}, LocalityFiles(), {}, error);
    if (locality == nullptr) {
      error = "the example locality " + error;
      return;
    }
    const caldicott_date date = caldicott_date_from_ymd(2026, 6, 1);
    codegen::Options options;
    options.cpu = codegen::Options::Cpu::Host;
    for (int p = 0; p < kPolicies; ++p) {
      Compiled& c = policies[p];
      c.name = kPolicyNames[p];
      c.compilation = p == kLocality ? locality : big;
      const ir::Policy& policy = c.policy();
      c.agreement = *policy.Find(p == kLocality ? "podiatry" : "locality_view");
      for (const ir::WithinInput& w : ir::WithinInputs(policy, c.agreement)) {
        c.within.push_back(ir::SubtractTime(date, w.amount, w.unit));
      }
      if (p <= kBig) {
        std::string object;
        if (!codegen::EmitObject(policy, options, object, error)) return;
        c.code = native::Code::Load(object, static_cast<uint32_t>(policy.agreements.size()), error);
        if (c.code == nullptr) return;
      } else {
        c.code = policies[kBig].code;
      }
      // Each batch draws from its policy's own groups and schema.
      Pools pools = MakePools(policy, c.compilation->schema(), kPoolSizes[p], 20261201 + p);
      c.batch = MakeBatch(pools, kBatchSizes[p], 20261125);
      // The native code must decide as the reference interpreter does.
      std::vector<caldicott_decision> out(c.batch.entries.size());
      c.code->decide(c.agreement.index)(c.batch.entries.data(), out.size(), c.within.data(),
                                        out.data());
      for (size_t i = 0; i < out.size(); ++i) {
        caldicott_decision want = interp::Decide(policy, c.agreement, date, c.batch.entries[i]);
        if (want.verdict != out[i].verdict || want.reason != out[i].reason ||
            want.rule != out[i].rule) {
          error = c.name + ": the JIT and the interpreter disagree on entry " + std::to_string(i);
          return;
        }
      }
    }
  }
};

// Skips the benchmark when the fixture failed.
const Fixture* Ready(benchmark::State& state) {
  const Fixture& f = Fixture::Get();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return nullptr;
  }
  return &f;
}

void Expansion(benchmark::State& state, const Fixture& f) {
  state.counters["clinical_record_codes"] = static_cast<double>(f.clinical_record_codes);
  state.counters["policy_codes"] = static_cast<double>(f.policy_codes);
}

// ---- compile time

pipeline::Options Preloaded(const Fixture& f) {
  pipeline::Options options;
  options.schema = f.coding;
  return options;
}

void BM_BigCompileToCallable(benchmark::State& state) {
  const Fixture* f = Ready(state);
  if (f == nullptr) return;
  const Compiled& big = f->policies[kBig];
  codegen::Options options;
  options.cpu = codegen::Options::Cpu::Host;
  std::string error;
  caldicott_decision decision{};
  for (auto _ : state) {
    auto c = Compile(Preloaded(*f), kBigPath, f->big_source, error);
    std::string object;
    if (c == nullptr || !codegen::EmitObject(*c->policy(), options, object, error)) {
      state.SkipWithError(error.c_str());
      return;
    }
    auto code =
        native::Code::Load(object, static_cast<uint32_t>(c->policy()->agreements.size()), error);
    if (code == nullptr) {
      state.SkipWithError(error.c_str());
      return;
    }
    code->decide(big.agreement.index)(big.batch.entries.data(), 1, big.within.data(), &decision);
    benchmark::DoNotOptimize(decision);
    state.PauseTiming();  // freeing is not part of compiling
    code.reset();
    c.reset();
    state.ResumeTiming();
  }
  Expansion(state, *f);
}
BENCHMARK(BM_BigCompileToCallable)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_BigFrontEnd(benchmark::State& state) {
  const Fixture* f = Ready(state);
  if (f == nullptr) return;
  std::string error;
  for (auto _ : state) {
    auto c = Compile(Preloaded(*f), kBigPath, f->big_source, error);
    if (c == nullptr) {
      state.SkipWithError(error.c_str());
      return;
    }
    benchmark::DoNotOptimize(c->policy());
    state.PauseTiming();
    c.reset();
    state.ResumeTiming();
  }
  Expansion(state, *f);
  state.counters["first_compile_with_schema_load_ms"] = f->first_compile_ms;
}
BENCHMARK(BM_BigFrontEnd)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_BigCodegen(benchmark::State& state) {
  const Fixture* f = Ready(state);
  if (f == nullptr) return;
  codegen::Options options;
  options.cpu = codegen::Options::Cpu::Host;
  std::string object, error;
  for (auto _ : state) {
    object.clear();
    if (!codegen::EmitObject(f->policies[kBig].policy(), options, object, error)) {
      state.SkipWithError(error.c_str());
      return;
    }
    benchmark::DoNotOptimize(object.data());
  }
  state.counters["object_MB"] = static_cast<double>(object.size()) / 1e6;
}
BENCHMARK(BM_BigCodegen)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_BigLink(benchmark::State& state) {
  const Fixture* f = Ready(state);
  if (f == nullptr) return;
  const ir::Policy& policy = f->policies[kBig].policy();
  codegen::Options options;
  options.cpu = codegen::Options::Cpu::Host;
  std::string object, error;
  if (!codegen::EmitObject(policy, options, object, error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    auto code = native::Code::Load(object, static_cast<uint32_t>(policy.agreements.size()), error);
    if (code == nullptr) {
      state.SkipWithError(error.c_str());
      return;
    }
    benchmark::DoNotOptimize(code->decide(0));
    state.PauseTiming();
    code.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_BigLink)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// The artefact's bytes, as `caldicott compile --cpu generic` makes them:
// the front end, codegen for a generic x86-64, the manifest with the SHA-256
// of the sources and of the coding schema, and the file's bytes.
void BM_BigCompileToArtifact(benchmark::State& state) {
  const Fixture* f = Ready(state);
  if (f == nullptr) return;
  std::string error, bytes;
  for (auto _ : state) {
    auto c = Compile(Preloaded(*f), kBigPath, f->big_source, error);
    artifact::Contents contents;
    if (c == nullptr ||
        !caldicott::aot::BuildArtifact(*c, codegen::Options::Cpu::Generic, contents, error)) {
      state.SkipWithError(error.c_str());
      return;
    }
    bytes = artifact::Write(contents);
    benchmark::DoNotOptimize(bytes.data());
    state.PauseTiming();
    c.reset();
    state.ResumeTiming();
  }
  state.counters["artifact_MB"] = static_cast<double>(bytes.size()) / 1e6;
}
BENCHMARK(BM_BigCompileToArtifact)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// The manifest's schema hash alone: it walks every concept of the release.
void BM_BigSchemaHash(benchmark::State& state) {
  const Fixture* f = Ready(state);
  if (f == nullptr) return;
  for (auto _ : state) benchmark::DoNotOptimize(f->coding->Hash());
}
BENCHMARK(BM_BigSchemaHash)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// ---- decisions per second

void BM_ScaleDecide(benchmark::State& state) {
  const Fixture* f = Ready(state);
  if (f == nullptr) return;
  const Compiled& c = f->policies[state.range(0)];
  caldicott::abi::DecideFn decide = c.code->decide(c.agreement.index);
  const std::vector<caldicott_entry>& entries = c.batch.entries;
  std::vector<caldicott_decision> out(entries.size());
  for (auto _ : state) {
    decide(entries.data(), entries.size(), c.within.data(), out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * entries.size()));
  state.SetLabel(c.name);
  size_t shared = 0, excluded = 0;
  for (const caldicott_decision& d : out) {
    shared += d.reason == CALDICOTT_REASON_SHARED;
    excluded += d.reason == CALDICOTT_REASON_EXCLUDED;
  }
  double n = static_cast<double>(out.size());
  state.counters["shared_pct"] = 100.0 * static_cast<double>(shared) / n;
  state.counters["excluded_pct"] = 100.0 * static_cast<double>(excluded) / n;
  size_t codes = 0;
  for (const ir::CodeSet& set : c.policy().code_sets) {
    for (const ir::SystemCodes& s : set.systems) codes += s.codes.size();
  }
  state.counters["policy_codes"] = static_cast<double>(codes);
}
BENCHMARK(BM_ScaleDecide)
    ->ArgName("policy")
    ->DenseRange(kLocality, kPolicies - 1)
    ->Threads(1)
    ->UseRealTime();

// ---- the summary

void PrintSummary(const caldicott::bench::FigureReporter& figures) {
  const Fixture& f = Fixture::Get();
  if (f.error.empty()) {
    std::printf(
        "  clinical_record expands to %zu codes (products %zu, withheld %zu); the policy's "
        "code sets hold %zu\n",
        f.clinical_record_codes, f.products_codes, f.withheld_codes, f.policy_codes);
    std::printf("  first compile, loading the release: %.0f ms (wall)\n", f.first_compile_ms);
  }
  const std::pair<const char*, const char*> latencies[] = {
      {"BM_BigCompileToCallable//1", "compile to callable"},
      {"BM_BigFrontEnd//1", "  front end"},
      {"BM_BigCodegen//1", "  codegen"},
      {"BM_BigLink//1", "  link"},
      {"BM_BigCompileToArtifact//1", "compile to artefact bytes"},
      {"BM_BigSchemaHash//1", "  of which the schema hash"},
  };
  for (const auto& [key, what] : latencies) {
    double wall = figures.Get(key, false, false), cpu = figures.Get(key, true, false);
    if (wall > 0) std::printf("  %-26s wall %7.0f ms   cpu %7.0f ms\n", what, wall, cpu);
  }
  for (bool cpu : {false, true}) {
    double locality = figures.Get("BM_ScaleDecide/policy:0/1", cpu, true);
    for (int p = kBig; p < kPolicies; ++p) {
      double big = figures.Get("BM_ScaleDecide/policy:" + std::to_string(p) + "/1", cpu, true);
      if (locality > 0 && big > 0) {
        std::printf("  decisions/s (%s): locality %.1fM, %s %.1fM: locality / big = %.2f\n",
                    cpu ? "cpu" : "wall", locality / 1e6, kPolicyNames[p], big / 1e6,
                    locality / big);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  return caldicott::bench::RunWithSummary(argc, argv, PrintSummary);
}
