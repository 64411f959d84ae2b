// Decisions per second of each backend, compile latency, and artefact load
// latency, for the example locality: the podiatry, out-of-hours and
// community mental health agreements of examples/*.dsa, compiled with the
// built-in standard library and default coding schema.
//
// BM_Decide: decisions per second through the C API (`caldicott_decide`)
// of the reference interpreter (CALDICOTT_BACKEND_INTERP), the JIT (the
// default backend: native code for this CPU, compiled in process) and an
// AOT artefact (native code for a generic x86-64, built in process as
// `caldicott compile --cpu generic` builds it, loaded with
// `caldicott_engine_load_artifact_memory`). The fixture first checks that
// the three give identical decisions (verdict, reason and rule) for the
// whole batch; if not, every BM_Decide fails.
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
//
// BM_CompileToCallable and its parts (BM_FrontEnd, BM_Codegen, BM_Link):
// from the .dsa files to a decision function of this process, the coding
// schema already loaded, for each of the JIT's tiers (tier:0 the quick
// code an engine decides with when its compile returns, tier:1 the O2
// code that takes over from the background). BM_Decide's JIT is the O2
// code. BM_EngineCompileToFirstDecision: the same through the C API.
// BM_ArtifactLoadToFirstDecision: from the bytes of an artefact (in memory, or a file in $TMPDIR)
// to the first decision.
//
// After the run, the ratios between backends (from this run's figures) are
// printed, unless the output format is JSON or CSV.
#include <benchmark/benchmark.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/common/gp_record.h"
#include "bench/common/summary.h"
#include "bench/common/temp_path.h"
#include "caldicott/caldicott.h"
#include "compiler/aot/aot.h"
#include "compiler/codegen/codegen.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/ir/ir.h"
#include "compiler/pipeline/pipeline.h"
#include "compiler/schema/schema.h"
#include "runtime/artifact/artifact.h"
#include "runtime/engine/engine.h"
#include "runtime/native/native.h"

namespace {

using caldicott::bench::Coding;
using caldicott::bench::kActCode;
using caldicott::bench::kConfidentiality;
using caldicott::bench::kSnomed;

// The batch: entries and the codings they point into.
struct Batch {
  std::vector<caldicott_coding> codings;  // reserved up front: entries point into it
  std::vector<caldicott_entry> entries;
};

Batch MakeBatch(size_t count) {
  Batch b;
  b.codings.reserve(count * 5);
  b.entries.reserve(count);
  caldicott::bench::Rng rng{20261125};
  for (size_t n = 0; n < count; ++n) {
    // The kind, then an item of that kind by weight; 1 in 100 undated.
    caldicott_kind kind = caldicott::bench::DrawKind(rng);
    const caldicott::bench::Item* chosen = &caldicott::bench::DrawItem(rng, kind);
    caldicott_entry e{};
    e.kind = static_cast<uint32_t>(kind);
    e.status = caldicott::bench::DrawStatus(rng, kind);
    e.date = caldicott::bench::DrawDate(rng, 1);
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

namespace artifact = caldicott::artifact;
namespace codegen = caldicott::codegen;
namespace diag = caldicott::diag;
namespace ir = caldicott::ir;
namespace native = caldicott::native;
namespace pipeline = caldicott::pipeline;
namespace schema = caldicott::schema;

struct Agreement {
  const char* name;
  const char* role;
};
constexpr Agreement kAgreements[] = {
    {"podiatry", "podiatrist"},
    {"out_of_hours", "out_of_hours_gp"},
    {"community_mental_health", "psychiatrist"},
};
constexpr int kAgreementCount = 3;

// kJit is the JIT's optimised (O2) code, which a JIT engine decides with
// once its background compile is done; kQuick its quick code, which
// decides from the moment the compile returns (and for the policy's life
// with CALDICOTT_BACKEND_JIT_QUICK).
enum Backend { kInterp = 0, kJit = 1, kAot = 2, kQuickJit = 3 };
constexpr const char* kBackendNames[] = {"interp", "jit", "aot", "jit-quick"};
constexpr int kBackendCount = 4;

// The agreement's first role on 2026-06-01 for a patient of A81001: every
// agreement applies, so every entry is decided by its rules.
caldicott_request Request(const Agreement& a) {
  return {a.role, std::strlen(a.role), caldicott_date_from_ymd(2026, 6, 1), "A81001", 6};
}

// The one entry of the latency benchmarks' first decision: an active type 2
// diabetes problem, which podiatry shares.
const caldicott_coding kOneCoding = Coding(kSnomed, "44054006");
const caldicott_entry kOneEntry = {.kind = CALDICOTT_KIND_PROBLEM,
                                   .status = CALDICOTT_STATUS_ACTIVE,
                                   .date = caldicott_date_from_ymd(2019, 3, 14),
                                   .flags = 0,
                                   .codings = &kOneCoding,
                                   .coding_count = 1,
                                   .labels = nullptr,
                                   .label_count = 0};

std::vector<std::string> LocalityFiles() {
  const char* env = std::getenv("CALDICOTT_SOURCE_DIR");
  std::string root = env != nullptr ? env : CALDICOTT_SOURCE_DIR;
  return {root + "/examples/podiatry.dsa", root + "/examples/out_of_hours.dsa",
          root + "/examples/mental_health.dsa"};
}

// The front end over the locality's files (read from disk, the page cache
// after the first time), with `loaded` as the coding schema when given.
// Returns null and sets `error` to the diagnostics when it does not compile.
std::unique_ptr<pipeline::Compilation> CompileLocality(std::shared_ptr<const schema::Schema> loaded,
                                                       std::string& error) {
  pipeline::Options options;
  options.schema = std::move(loaded);
  auto c = std::make_unique<pipeline::Compilation>(std::move(options));
  std::ostringstream rendered;
  diag::TextConsumer consumer(rendered, c->sources(), diag::ColorMode::Never);
  diag::Diagnostics diags(consumer, 50);
  bool ok = c->Run(LocalityFiles(), diags);
  diags.Finish();
  if (!ok || c->policy() == nullptr) {
    error = "the example locality does not compile:\n" + rendered.str();
    return nullptr;
  }
  return c;
}

// The bytes of a .cpol artefact of the compiled policy for a generic
// x86-64, as `caldicott compile --cpu generic` makes them.
bool BuildArtifact(const pipeline::Compilation& c, std::string& bytes, std::string& error) {
  artifact::Contents contents;
  if (!caldicott::aot::BuildArtifact(c, codegen::Options::Cpu::Generic, contents, error)) {
    return false;
  }
  bytes = artifact::Write(contents);
  return true;
}

// The threshold dates of agreement `a`'s `recorded within`s for a request
// on `date`, as the engine computes them per request.
std::vector<caldicott_date> Thresholds(const ir::Policy& policy, ir::AgreementId a,
                                       caldicott_date date) {
  std::vector<caldicott_date> out;
  for (const ir::WithinInput& w : ir::WithinInputs(policy, a)) {
    out.push_back(ir::SubtractTime(date, w.amount, w.unit));
  }
  return out;
}

// What the latency benchmarks start from: the default coding schema,
// loaded once (an engine keeps it between compiles), the locality compiled
// with it, its object code for this CPU, and its artefact for a generic
// CPU, as bytes and as a file in $TMPDIR (removed at exit).
class Locality {
 public:
  static const Locality& Get() {
    static const Locality locality;
    return locality;
  }
  std::string error;
  std::shared_ptr<const schema::Schema> coding;
  std::unique_ptr<pipeline::Compilation> compilation;
  std::string object;    // codegen::EmitObject for the host CPU
  std::string artifact;  // the .cpol bytes, generic CPU
  std::string artifact_path;

  const ir::Policy& policy() const { return *compilation->policy(); }

  ~Locality() {
    if (!artifact_path.empty()) std::remove(artifact_path.c_str());
  }

 private:
  Locality() {
    compilation = CompileLocality(nullptr, error);
    if (compilation == nullptr) return;
    coding = compilation->shared_schema();
    codegen::Options options;
    options.cpu = codegen::Options::Cpu::Host;
    if (!codegen::EmitObject(policy(), options, object, error)) return;
    if (!BuildArtifact(*compilation, artifact, error)) return;
    std::string pattern = caldicott::bench::TempPattern("decide_bench");
    int fd = mkstemp(pattern.data());
    if (fd < 0) {
      error = "cannot create a file in $TMPDIR";
      return;
    }
    artifact_path = pattern;
    bool written =
        write(fd, artifact.data(), artifact.size()) == static_cast<ssize_t>(artifact.size());
    if (close(fd) != 0 || !written) error = "cannot write " + artifact_path;
  }
};

// An engine per backend with the locality, and the batch. Built once; the
// constructor checks that the backends decide the batch identically.
struct Engines {
  caldicott_engine* engine[kBackendCount] = {};
  uint32_t agreement[kBackendCount][kAgreementCount] = {};
  Batch batch;
  std::string error;

  Engines() {
    batch = MakeBatch(kBatchSize);
    const Locality& locality = Locality::Get();
    if (!locality.error.empty()) {
      error = locality.error;
      return;
    }
    std::vector<std::string> files = LocalityFiles();
    std::vector<const char*> paths;
    std::vector<size_t> lens;
    for (const std::string& f : files) paths.push_back(f.c_str()), lens.push_back(f.size());
    for (int b = 0; b < kBackendCount; ++b) {
      caldicott_status s = caldicott_engine_create(&engine[b]);
      if (s == CALDICOTT_OK && (b == kInterp || b == kQuickJit)) {
        s = caldicott_engine_set_backend(
            engine[b], b == kInterp ? CALDICOTT_BACKEND_INTERP : CALDICOTT_BACKEND_JIT_QUICK);
      }
      if (s == CALDICOTT_OK) {
        s = b == kAot ? caldicott_engine_load_artifact_memory(engine[b], locality.artifact.data(),
                                                              locality.artifact.size())
                      : caldicott_engine_compile_files(engine[b], paths.data(), lens.data(),
                                                       paths.size());
      }
      if (s == CALDICOTT_OK) s = caldicott_engine_wait_optimised(engine[b]);
      for (int a = 0; a < kAgreementCount && s == CALDICOTT_OK; ++a) {
        const char* name = kAgreements[a].name;
        s = caldicott_engine_find_agreement(engine[b], name, std::strlen(name), &agreement[b][a]);
      }
      if (s != CALDICOTT_OK) {
        error = std::string(kBackendNames[b]) + ": " + caldicott_last_error();
        return;
      }
    }
    // They must all agree on every decision: verdict, reason and rule.
    const std::vector<caldicott_entry>& entries = batch.entries;
    std::vector<caldicott_decision> out[kBackendCount];
    for (int a = 0; a < kAgreementCount; ++a) {
      caldicott_request request = Request(kAgreements[a]);
      for (int b = 0; b < kBackendCount; ++b) {
        out[b].assign(entries.size(), caldicott_decision{});
        if (caldicott_decide(engine[b], agreement[b][a], &request, entries.data(), entries.size(),
                             out[b].data()) != CALDICOTT_OK) {
          error = std::string(kBackendNames[b]) + ": " + caldicott_last_error();
          return;
        }
      }
      for (size_t i = 0; i < entries.size(); ++i) {
        for (int b = 1; b < kBackendCount; ++b) {
          const caldicott_decision& x = out[kInterp][i];
          const caldicott_decision& y = out[b][i];
          if (x.verdict != y.verdict || x.reason != y.reason || x.rule != y.rule) {
            error = std::string("the backends disagree: ") + kAgreements[a].name + ", entry " +
                    std::to_string(i) + ": interp (verdict " + std::to_string(x.verdict) +
                    ", reason " + std::to_string(x.reason) + ", rule " + std::to_string(x.rule) +
                    "), " + kBackendNames[b] + " (verdict " + std::to_string(y.verdict) +
                    ", reason " + std::to_string(y.reason) + ", rule " + std::to_string(y.rule) +
                    ")";
            return;
          }
        }
      }
    }
  }
  ~Engines() {
    for (caldicott_engine* e : engine) caldicott_engine_free(e);
  }
};

const Engines& GetEngines() {
  static const Engines engines;
  return engines;
}

// ---- decisions per second

void BM_Decide(benchmark::State& state) {
  const Engines& f = GetEngines();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  const int backend = static_cast<int>(state.range(0));
  const Agreement& a = kAgreements[state.range(1)];
  caldicott_engine* engine = f.engine[backend];
  uint32_t agreement = f.agreement[backend][state.range(1)];
  caldicott_request request = Request(a);
  const std::vector<caldicott_entry>& entries = f.batch.entries;
  std::vector<caldicott_decision> out(entries.size());
  for (auto _ : state) {
    caldicott_status s =
        caldicott_decide(engine, agreement, &request, entries.data(), entries.size(), out.data());
    if (s != CALDICOTT_OK) {
      state.SkipWithError(caldicott_last_error());
      break;
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  const double decisions = static_cast<double>(state.iterations() * entries.size());
  state.SetItemsProcessed(static_cast<int64_t>(decisions));
  state.SetLabel(std::string(kBackendNames[backend]) + " " + a.name);
  state.counters["per_thread"] = benchmark::Counter(decisions, benchmark::Counter::kAvgThreadsRate);
  // Wall-clock time per decision, per thread.
  state.counters["time_per_decision"] =
      benchmark::Counter(decisions, benchmark::Counter::kIsRate | benchmark::Counter::kInvert |
                                        benchmark::Counter::kAvgThreads);
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
// Every backend on one core; the JIT also on two threads sharing one engine.
BENCHMARK(BM_Decide)
    ->ArgNames({"backend", "agreement"})
    ->ArgsProduct({{kInterp, kJit, kAot, kQuickJit}, {0, 1, 2}})
    ->Threads(1)
    ->UseRealTime();
BENCHMARK(BM_Decide)
    ->ArgNames({"backend", "agreement"})
    ->ArgsProduct({{kJit}, {0, 1, 2}})
    ->Threads(2)
    ->UseRealTime();

// ---- compile latency: from .dsa source to a callable JIT function

// The JIT's two tiers (codegen::Options::Tier): an engine decides with the
// quick code when its compile returns, and the optimised code takes over
// from the background (docs/runtime.md, "Tiers").
constexpr int kQuick = 0, kOptimised = 1;
// Registers a latency benchmark once per tier, in milliseconds of wall time.
void PerTier(benchmark::internal::Benchmark* b) {
  b->ArgName("tier")->Arg(kQuick)->Arg(kOptimised)->Unit(benchmark::kMillisecond)->UseRealTime();
}
codegen::Options TierOptions(int64_t tier) {
  codegen::Options options;
  options.cpu = codegen::Options::Cpu::Host;
  options.tier = tier == kQuick ? codegen::Options::Tier::Quick : codegen::Options::Tier::Optimised;
  return options;
}

// Everything: the front end with the schema already loaded, the object code
// for this CPU, linking it into the process, and one decision through the
// function it hands out. Freeing it all is not timed.
void BM_CompileToCallable(benchmark::State& state) {
  const Locality& l = Locality::Get();
  if (!l.error.empty()) {
    state.SkipWithError(l.error.c_str());
    return;
  }
  const caldicott_date date = caldicott_date_from_ymd(2026, 6, 1);
  codegen::Options options = TierOptions(state.range(0));
  std::string error;
  caldicott_decision decision{};
  for (auto _ : state) {
    auto c = CompileLocality(l.coding, error);
    std::string object;
    if (c == nullptr || !codegen::EmitObject(*c->policy(), options, object, error)) {
      state.SkipWithError(error.c_str());
      return;
    }
    const ir::Policy& policy = *c->policy();
    auto code = native::Code::Load(object, static_cast<uint32_t>(policy.agreements.size()), error);
    if (code == nullptr) {
      state.SkipWithError(error.c_str());
      return;
    }
    ir::AgreementId a = *policy.Find("podiatry");
    std::vector<caldicott_date> within = Thresholds(policy, a, date);
    code->decide(a.index)(&kOneEntry, 1, within.data(), &decision);
    benchmark::DoNotOptimize(decision);
    state.PauseTiming();
    code.reset();
    c.reset();
    state.ResumeTiming();
  }
  if (decision.reason != CALDICOTT_REASON_SHARED) state.SkipWithError("wrong decision");
}
BENCHMARK(BM_CompileToCallable)->Apply(PerTier);

// The front end alone: load (parse and imports), check (groups expanded
// against the loaded schema), lower to the IR.
void BM_FrontEnd(benchmark::State& state) {
  const Locality& l = Locality::Get();
  if (!l.error.empty()) {
    state.SkipWithError(l.error.c_str());
    return;
  }
  std::string error;
  for (auto _ : state) {
    auto c = CompileLocality(l.coding, error);
    if (c == nullptr) {
      state.SkipWithError(error.c_str());
      return;
    }
    benchmark::DoNotOptimize(c->policy());
    state.PauseTiming();
    c.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_FrontEnd)->Unit(benchmark::kMillisecond)->UseRealTime();

// LLVM alone: the policy IR to an optimised object for this CPU.
void BM_Codegen(benchmark::State& state) {
  const Locality& l = Locality::Get();
  if (!l.error.empty()) {
    state.SkipWithError(l.error.c_str());
    return;
  }
  codegen::Options options = TierOptions(state.range(0));
  std::string object, error;
  for (auto _ : state) {
    object.clear();
    if (!codegen::EmitObject(l.policy(), options, object, error)) {
      state.SkipWithError(error.c_str());
      return;
    }
    benchmark::DoNotOptimize(object.data());
  }
  state.counters["object_bytes"] = static_cast<double>(object.size());
}
BENCHMARK(BM_Codegen)->Apply(PerTier);

// The loader alone: linking the object into the process with ORC and
// looking up every agreement's function. Freeing it is not timed.
void BM_Link(benchmark::State& state) {
  const Locality& l = Locality::Get();
  if (!l.error.empty()) {
    state.SkipWithError(l.error.c_str());
    return;
  }
  std::string error;
  const auto agreements = static_cast<uint32_t>(l.policy().agreements.size());
  for (auto _ : state) {
    auto code = native::Code::Load(l.object, agreements, error);
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
BENCHMARK(BM_Link)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same path through the C API: recompiling an engine that already holds
// the schema (caldicott_engine_compile_files), then one decision: with the
// quick code (tier:0), or once the optimised code decides (tier:1, through
// caldicott_engine_wait_optimised). Includes freeing the engine's previous
// policy and native code, which a recompile replaces.
void BM_EngineCompileToFirstDecision(benchmark::State& state) {
  const Locality& l = Locality::Get();
  if (!l.error.empty()) {
    state.SkipWithError(l.error.c_str());
    return;
  }
  std::vector<std::string> files = LocalityFiles();
  std::vector<const char*> paths;
  std::vector<size_t> lens;
  for (const std::string& f : files) paths.push_back(f.c_str()), lens.push_back(f.size());
  caldicott_engine* engine = nullptr;
  caldicott_engine_create(&engine);
  // The first compile loads the default schema; the timed ones reuse it.
  if (caldicott_engine_compile_files(engine, paths.data(), lens.data(), paths.size()) !=
      CALDICOTT_OK) {
    state.SkipWithError(caldicott_last_error());
    caldicott_engine_free(engine);
    return;
  }
  const bool optimised = state.range(0) == kOptimised;
  caldicott_request request = Request(kAgreements[0]);
  caldicott_decision decision{};
  for (auto _ : state) {
    // The previous compile's optimised code, compiling in the background,
    // is not part of this one.
    state.PauseTiming();
    caldicott_engine_wait_optimised(engine);
    state.ResumeTiming();
    uint32_t agreement = 0;
    if (caldicott_engine_compile_files(engine, paths.data(), lens.data(), paths.size()) !=
            CALDICOTT_OK ||
        (optimised && caldicott_engine_wait_optimised(engine) != CALDICOTT_OK) ||
        caldicott_engine_find_agreement(engine, kAgreements[0].name,
                                        std::strlen(kAgreements[0].name),
                                        &agreement) != CALDICOTT_OK ||
        caldicott_decide(engine, agreement, &request, &kOneEntry, 1, &decision) != CALDICOTT_OK) {
      state.SkipWithError(caldicott_last_error());
      break;
    }
    benchmark::DoNotOptimize(decision);
  }
  caldicott_engine_free(engine);
}
BENCHMARK(BM_EngineCompileToFirstDecision)->Apply(PerTier);

// ---- artefact load to first decision

// From the artefact's bytes in memory (file:0) or its file in $TMPDIR
// (file:1, in the page cache after the first iteration): create an engine,
// load the artefact (read and check it, link its object code), find the
// agreement, decide one entry, free the engine.
void BM_ArtifactLoadToFirstDecision(benchmark::State& state) {
  const Locality& l = Locality::Get();
  if (!l.error.empty()) {
    state.SkipWithError(l.error.c_str());
    return;
  }
  const bool from_file = state.range(0) == 1;
  const Agreement& a = kAgreements[0];
  caldicott_request request = Request(a);
  caldicott_decision decision{};
  for (auto _ : state) {
    caldicott_engine* engine = nullptr;
    uint32_t agreement = 0;
    caldicott_status s = caldicott_engine_create(&engine);
    if (s == CALDICOTT_OK) {
      s = from_file
              ? caldicott_engine_load_artifact(engine, l.artifact_path.data(),
                                               l.artifact_path.size())
              : caldicott_engine_load_artifact_memory(engine, l.artifact.data(), l.artifact.size());
    }
    if (s == CALDICOTT_OK) {
      s = caldicott_engine_find_agreement(engine, a.name, std::strlen(a.name), &agreement);
    }
    if (s == CALDICOTT_OK)
      s = caldicott_decide(engine, agreement, &request, &kOneEntry, 1, &decision);
    if (s != CALDICOTT_OK) {
      state.SkipWithError(caldicott_last_error());
      caldicott_engine_free(engine);
      break;
    }
    benchmark::DoNotOptimize(decision);
    caldicott_engine_free(engine);
  }
  state.SetLabel(from_file ? "from a file" : "from memory");
  state.counters["artifact_bytes"] = static_cast<double>(l.artifact.size());
}
BENCHMARK(BM_ArtifactLoadToFirstDecision)
    ->ArgName("file")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The part of a load that reads and checks the bytes (layout, SHA-256,
// manifest, policy), without linking.
void BM_ArtifactRead(benchmark::State& state) {
  const Locality& l = Locality::Get();
  if (!l.error.empty()) {
    state.SkipWithError(l.error.c_str());
    return;
  }
  std::string error;
  for (auto _ : state) {
    artifact::Contents contents;
    if (!artifact::Read(l.artifact, contents, error)) {
      state.SkipWithError(error.c_str());
      return;
    }
    benchmark::DoNotOptimize(contents.object.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * l.artifact.size()));
}
BENCHMARK(BM_ArtifactRead)->Unit(benchmark::kMillisecond)->UseRealTime();

// What a host that loads an artefact at start-up pays: the same steps as
// BM_ArtifactLoadToFirstDecision from a file, but as the first thing a fresh
// process does (this program, run again with --first-load=PATH), so
// LLVM's one-time set-up on first use is included. The time is what the
// child measures from the start of main to its first decision; the
// `process_ms` counter is the whole child, from spawning it to its exit
// (dynamic loading of libLLVM and static initialisers included).
constexpr std::string_view kFirstLoad = "--first-load=";

// The child: returns the exit status.
int FirstLoad(const char* path) {
  auto start = std::chrono::steady_clock::now();
  caldicott_engine* engine = nullptr;
  uint32_t agreement = 0;
  caldicott_request request = Request(kAgreements[0]);
  caldicott_decision decision{};
  caldicott_status s = caldicott_engine_create(&engine);
  if (s == CALDICOTT_OK) s = caldicott_engine_load_artifact(engine, path, std::strlen(path));
  if (s == CALDICOTT_OK) {
    s = caldicott_engine_find_agreement(engine, kAgreements[0].name,
                                        std::strlen(kAgreements[0].name), &agreement);
  }
  if (s == CALDICOTT_OK)
    s = caldicott_decide(engine, agreement, &request, &kOneEntry, 1, &decision);
  auto end = std::chrono::steady_clock::now();
  if (s != CALDICOTT_OK || decision.reason != CALDICOTT_REASON_SHARED) {
    std::fprintf(stderr, "first load: %s\n", caldicott_last_error());
    return 1;
  }
  std::printf("%.9f\n", std::chrono::duration<double>(end - start).count());
  caldicott_engine_free(engine);
  return 0;
}

void BM_ArtifactFirstLoadInFreshProcess(benchmark::State& state) {
  const Locality& l = Locality::Get();
  if (!l.error.empty()) {
    state.SkipWithError(l.error.c_str());
    return;
  }
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string arg = std::string(kFirstLoad) + l.artifact_path;
  char* child_argv[] = {self.data(), arg.data(), nullptr};
  double process_seconds = 0;
  for (auto _ : state) {
    int fds[2];
    if (pipe(fds) != 0) {
      state.SkipWithError("pipe failed");
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    int spawned = posix_spawn(&pid, self.c_str(), &actions, nullptr, child_argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    std::string out;
    char buffer[64];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, n);
    close(fds[0]);
    int status = 0;
    if (spawned == 0) waitpid(pid, &status, 0);
    process_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (spawned != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || out.empty()) {
      state.SkipWithError("the child process failed");
      return;
    }
    state.SetIterationTime(std::stod(out));
  }
  state.counters["process_ms"] = 1e3 * process_seconds / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ArtifactFirstLoadInFreshProcess)->Unit(benchmark::kMillisecond)->UseManualTime();

// ---- the summary: ratios from this run's figures

std::string DecideKey(int backend, int agreement, int threads) {
  return "BM_Decide/backend:" + std::to_string(backend) +
         "/agreement:" + std::to_string(agreement) + "/" + std::to_string(threads);
}

void PrintSummary(const caldicott::bench::FigureReporter& figures) {
  bool header = false;
  for (int a = 0; a < kAgreementCount; ++a) {
    for (bool cpu : {false, true}) {
      double r[kBackendCount];
      for (int b = 0; b < kBackendCount; ++b) r[b] = figures.Get(DecideKey(b, a, 1), cpu, true);
      if (r[kInterp] == 0 || r[kJit] == 0 || r[kAot] == 0 || r[kQuickJit] == 0) continue;
      if (!header) {
        std::printf("  %-29s %9s %9s %9s %9s %10s %10s %10s\n", "decisions/s, one thread", "interp",
                    "jit", "aot", "jit-quick", "jit/interp", "aot/interp", "quick/int.");
        header = true;
      }
      std::printf("  %-24s %4s %8.2fM %8.2fM %8.2fM %8.2fM %9.1fx %9.1fx %9.1fx\n",
                  cpu ? "" : kAgreements[a].name, cpu ? "cpu" : "wall", r[kInterp] / 1e6,
                  r[kJit] / 1e6, r[kAot] / 1e6, r[kQuickJit] / 1e6, r[kJit] / r[kInterp],
                  r[kAot] / r[kInterp], r[kQuickJit] / r[kInterp]);
    }
  }
  for (int a = 0; a < kAgreementCount; ++a) {
    double one = figures.Get(DecideKey(kJit, a, 1), false, true);
    double two = figures.Get(DecideKey(kJit, a, 2), false, true);
    if (one > 0 && two > 0) {
      std::printf("  jit, two threads, %-24s %8.2fM decisions/s together (wall), %.2fx one\n",
                  kAgreements[a].name, two / 1e6, two / one);
    }
  }
  const std::pair<const char*, const char*> latencies[] = {
      {"BM_CompileToCallable/tier:0/1", "compile to callable, quick"},
      {"BM_CompileToCallable/tier:1/1", "compile to callable, O2"},
      {"BM_FrontEnd//1", "  front end"},
      {"BM_Codegen/tier:0/1", "  codegen, quick"},
      {"BM_Codegen/tier:1/1", "  codegen, O2"},
      {"BM_Link//1", "  link"},
      {"BM_EngineCompileToFirstDecision/tier:0/1", "C API compile, 1st decision"},
      {"BM_EngineCompileToFirstDecision/tier:1/1", "C API compile, O2 decides"},
      {"BM_ArtifactLoadToFirstDecision/file:0/1", "artefact load (memory)"},
      {"BM_ArtifactLoadToFirstDecision/file:1/1", "artefact load (file)"},
      {"BM_ArtifactRead//1", "  read and check"},
  };
  for (const auto& [key, what] : latencies) {
    double wall = figures.Get(key, false, false), cpu = figures.Get(key, true, false);
    if (wall > 0) std::printf("  %-28s wall %8.3f ms   cpu %8.3f ms\n", what, wall, cpu);
  }
  // Timed by the child; this process's CPU time says nothing about it.
  double fresh = figures.Get("BM_ArtifactFirstLoadInFreshProcess//1", false, false);
  if (fresh > 0) std::printf("  %-28s wall %8.3f ms\n", "first load, new process", fresh);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]).rfind(kFirstLoad, 0) == 0) {
    return FirstLoad(argv[1] + kFirstLoad.size());
  }
  return caldicott::bench::RunWithSummary(argc, argv, PrintSummary);
}
