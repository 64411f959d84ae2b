// Front-end throughput: lexing and parsing agreement source into the AST.
//
// The input is a deterministic synthetic locality: code groups with ECL
// expressions, sections and agreements with conditions, in the proportions
// of the shipped examples, repeated to the size asked for.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include <fmt/format.h>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/parse/parse.h"
#include "compiler/source/source.h"

namespace {

std::string Locality(size_t bytes) {
  std::mt19937 rng(7);
  std::string s;
  for (int i = 0; s.size() < bytes; ++i) {
    s += fmt::format("role role_{} \"Role {}\" rbac R{};\n", i, i, 8000 + rng() % 100);
    s += fmt::format(
        "code-group group_{} \"Group {}\" {{\n"
        "    snomed << {} |Some disorder|, < {} MINUS << {};\n"
        "    readv2 << C10..;\n    icd10 E10, E11.9, A56.0;\n    code-group group_{};\n}}\n",
        i, i, 73211009 + rng() % 1000, 44054006 + rng() % 1000, 190447002, i + 1);
    s += fmt::format(
        "agreement agreement_{} \"Agreement {}\" {{\n"
        "    version {};\n    controllers A81001, A81002;\n    purpose direct_care;\n"
        "    effective 2026-01-01 to 2027-12-31;\n"
        "    share problems where code in code-group group_{} or (status is active and "
        "recorded within 2 years);\n"
        "    share medication.current, allergies;\n"
        "    exclude code-group sexual_health;\n    exclude confidential;\n"
        "    grant role role_{};\n}}\n",
        i, i, 1 + i % 9, i, i);
  }
  return s;
}

void BM_Parse(benchmark::State& state) {
  caldicott::source::SourceManager sources;
  const caldicott::source::SourceFile& file =
      sources.Add("bench.dsa", Locality(static_cast<size_t>(state.range(0))));
  for (auto _ : state) {
    caldicott::diag::CollectingConsumer collected;
    caldicott::diag::Diagnostics diags(collected);
    caldicott::ast::Module m = caldicott::parse::ParseFile(file, diags);
    if (!collected.diagnostics.empty()) state.SkipWithError("the synthetic source has errors");
    benchmark::DoNotOptimize(m.decls.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.text().size()));
  state.counters["bytes"] = static_cast<double>(file.text().size());
}
BENCHMARK(BM_Parse)->Arg(10 << 10)->Arg(1 << 20)->Arg(10 << 20)->Unit(benchmark::kMillisecond);

void BM_Tokenize(benchmark::State& state) {
  caldicott::source::SourceManager sources;
  const caldicott::source::SourceFile& file =
      sources.Add("bench.dsa", Locality(static_cast<size_t>(state.range(0))));
  for (auto _ : state) {
    auto tokens = caldicott::parse::Tokenize(file);
    benchmark::DoNotOptimize(tokens.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.text().size()));
}
BENCHMARK(BM_Tokenize)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
