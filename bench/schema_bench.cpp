// Coding-schema scale: loading a full-size SNOMED CT release and expanding
// `<< Clinical finding`.
//
// The input is the deterministic synthetic release of tools/rf2gen (370,000
// active concepts, ~1.2 million IS-A rows, ~1.6 million descriptions and
// language rows, 570 MB), generated once into a temporary directory and
// removed at exit. The files are read from the page cache after the first
// load, so the figures are for a warm cache.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/common/temp_path.h"
#include "compiler/schema/import.h"
#include "compiler/schema/schema.h"
#include "tools/rf2gen/rf2gen.h"

namespace {

namespace schema = caldicott::schema;
namespace rf2gen = caldicott::rf2gen;

double PeakRssMb() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // kB on Linux
}

// The full-size release, generated on first use.
class Release {
 public:
  static Release& Get() {
    static Release release;
    return release;
  }
  const std::string& dir() const { return dir_; }
  const rf2gen::Summary& summary() const { return summary_; }
  const std::string& error() const { return error_; }
  // Peak RSS before any load: the generator's share of the high-water mark.
  double baseline_mb() const { return baseline_mb_; }

 private:
  Release() {
    std::string pattern = caldicott::bench::TempPattern("schema_bench");
    if (mkdtemp(pattern.data()) == nullptr) {
      error_ = "cannot create a temporary directory";
      return;
    }
    dir_ = pattern;
    rf2gen::Options options;  // full size
    if (!rf2gen::Generate(options, dir_, summary_, error_)) return;
    baseline_mb_ = PeakRssMb();
  }
  ~Release() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_, error_;
  rf2gen::Summary summary_;
  double baseline_mb_ = 0;
};

std::unique_ptr<schema::CodeSystem> Load(const std::string& dir, std::string& problem,
                                         size_t* bytes = nullptr) {
  schema::Rf2Release release;
  std::vector<schema::ImportError> errors;
  if (!schema::ReadRf2Directory(dir, release, errors)) {
    problem = "the release cannot be read";
    return nullptr;
  }
  if (bytes != nullptr) {
    *bytes = 0;
    for (const auto* files : {&release.concepts, &release.descriptions, &release.relationships,
                              &release.simple_refsets, &release.language_refsets}) {
      for (const schema::Rf2File& f : *files) *bytes += f.text.size();
    }
  }
  auto cs = schema::ImportRf2(release, errors);
  if (cs == nullptr || !errors.empty()) {
    problem =
        errors.empty() ? "no code system" : errors.front().file + ": " + errors.front().message;
  }
  return cs;
}

// Reading the files and importing them: what `--schema DIR` costs.
void BM_LoadRf2(benchmark::State& state) {
  const Release& release = Release::Get();
  if (!release.error().empty()) {
    state.SkipWithError(release.error().c_str());
    return;
  }
  size_t bytes = 0, concepts = 0;
  for (auto _ : state) {
    std::string problem;
    auto cs = Load(release.dir(), problem, &bytes);
    if (!problem.empty()) {
      state.SkipWithError(problem.c_str());
      return;
    }
    concepts = cs->concept_count();
    state.PauseTiming();  // freeing the system is not part of loading it
    cs.reset();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["concepts"] = static_cast<double>(concepts);
  state.counters["peak_rss_MB"] = PeakRssMb();
  state.counters["before_load_MB"] = release.baseline_mb();
}
BENCHMARK(BM_LoadRf2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The two halves of a load.
void BM_ReadRf2Directory(benchmark::State& state) {
  const Release& release = Release::Get();
  if (!release.error().empty()) {
    state.SkipWithError(release.error().c_str());
    return;
  }
  for (auto _ : state) {
    schema::Rf2Release r;
    std::vector<schema::ImportError> errors;
    benchmark::DoNotOptimize(schema::ReadRf2Directory(release.dir(), r, errors));
  }
}
BENCHMARK(BM_ReadRf2Directory)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_ImportRf2(benchmark::State& state) {
  const Release& release = Release::Get();
  if (!release.error().empty()) {
    state.SkipWithError(release.error().c_str());
    return;
  }
  schema::Rf2Release r;
  std::vector<schema::ImportError> errors;
  schema::ReadRf2Directory(release.dir(), r, errors);
  for (auto _ : state) {
    auto cs = schema::ImportRf2(r, errors);
    benchmark::DoNotOptimize(cs.get());
  }
}
BENCHMARK(BM_ImportRf2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// `<< 404684003 |Clinical finding|`: 100,000 descendants, breadth first.
void BM_Descendants(benchmark::State& state) {
  const Release& release = Release::Get();
  if (!release.error().empty()) {
    state.SkipWithError(release.error().c_str());
    return;
  }
  std::string problem;
  static std::unique_ptr<schema::CodeSystem> cs = Load(release.dir(), problem);
  if (cs == nullptr) {
    state.SkipWithError(problem.c_str());
    return;
  }
  schema::ConceptId big = *cs->Find(release.summary().big_concept);
  std::vector<schema::ConceptId> out;
  for (auto _ : state) {
    out.clear();
    cs->Descendants(big, true, out);
    benchmark::DoNotOptimize(out.data());
  }
  if (out.size() != release.summary().big_descendants + 1) {
    state.SkipWithError("wrong number of descendants");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * out.size()));
  state.counters["descendants"] = static_cast<double>(out.size() - 1);
}
BENCHMARK(BM_Descendants)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
