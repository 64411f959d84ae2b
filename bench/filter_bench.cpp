// FHIR filtering throughput against its yardstick: simdjson parsing the same
// Bundle and writing it back. Bundles of 1, 20 and 200 MB come from the
// deterministic generator (tools/bundlegen); the policy is the example
// locality's podiatry agreement, decided by the reference interpreter.
// Compare the two benchmarks of one size, from one run, as a ratio.
#include <benchmark/benchmark.h>

#include <simdjson.h>

#include <map>
#include <memory>
#include <string>

#include "runtime/engine/engine.h"
#include "tools/bundlegen/bundlegen.h"

namespace {

const std::string& Bundle(int64_t megabytes) {
  static std::map<int64_t, std::string> cache;
  auto it = cache.find(megabytes);
  if (it != cache.end()) return it->second;
  caldicott::bundlegen::Options o;
  o.bytes = static_cast<uint64_t>(megabytes) << 20;
  o.seed = 1;
  return cache[megabytes] = caldicott::bundlegen::GenerateString(o);
}

caldicott::runtime::PolicyEngine& Podiatry() {
  static std::unique_ptr<caldicott::runtime::PolicyEngine> engine = [] {
    auto e = std::make_unique<caldicott::runtime::PolicyEngine>();
    std::string error;
    std::string dir = CALDICOTT_SOURCE_DIR;
    if (e->Compile({dir + "/examples/podiatry.dsa"}, std::nullopt, error) != CALDICOTT_OK) {
      std::fprintf(stderr, "%s", error.c_str());
      std::abort();
    }
    return e;
  }();
  return *engine;
}

// The yardstick: parse with simdjson's DOM and serialise the document back.
void BM_SimdjsonParseAndWrite(benchmark::State& state) {
  const std::string& bundle = Bundle(state.range(0));
  simdjson::padded_string padded(bundle);
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element doc;
    if (parser.parse(padded).get(doc) != simdjson::SUCCESS) state.SkipWithError("parse failed");
    std::string out = simdjson::to_string(doc);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bundle.size()));
}

void BM_Filter(benchmark::State& state) {
  const std::string& bundle = Bundle(state.range(0));
  caldicott::fhir::PaddedBuffer input(bundle);
  caldicott::runtime::PolicyEngine& engine = Podiatry();
  caldicott::ir::AgreementId agreement = *engine.policy()->Find("podiatry");
  caldicott_request request{"podiatrist", 10, caldicott_date_from_ymd(2026, 6, 1), nullptr, 0};
  size_t kept = 0;
  for (auto _ : state) {
    caldicott::fhir::FilterResult r = engine.FilterBundle(agreement, request, input, false);
    if (r.status != caldicott::fhir::FilterResult::Status::kFiltered) {
      state.SkipWithError(r.error.c_str());
      break;
    }
    kept = r.kept;
    benchmark::DoNotOptimize(r.output.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bundle.size()));
  state.counters["kept"] = static_cast<double>(kept);
}

BENCHMARK(BM_SimdjsonParseAndWrite)->Arg(1)->Arg(20)->Arg(200)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Filter)->Arg(1)->Arg(20)->Arg(200)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
