#include "bench/common/summary.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace caldicott::bench {

namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double Milliseconds(double t, benchmark::TimeUnit unit) {
  switch (unit) {
    case benchmark::kNanosecond:
      return t * 1e-6;
    case benchmark::kMicrosecond:
      return t * 1e-3;
    case benchmark::kMillisecond:
      return t;
    case benchmark::kSecond:
      return t * 1e3;
  }
  return t;
}

}  // namespace

bool FigureReporter::ReportContext(const Context& context) {
  return next_->ReportContext(context);
}

void FigureReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const Run& run : runs) {
    // Each repetition, or (with --benchmark_report_aggregates_only) the
    // median of the repetitions.
    bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
    if ((run.run_type != Run::RT_Iteration && !median) || run.error_occurred) continue;
    std::string key =
        run.run_name.function_name + "/" + run.run_name.args + "/" + std::to_string(run.threads);
    Figures& f = figures_[key];
    double real = run.GetAdjustedRealTime(), cpu = run.GetAdjustedCPUTime();
    auto it = run.counters.find("items_per_second");
    if (it != run.counters.end()) {
      f.rate.push_back(it->second.value);
      f.rate_cpu.push_back(it->second.value * real / cpu);
    }
    f.ms.push_back(Milliseconds(real, run.time_unit));
    f.ms_cpu.push_back(Milliseconds(cpu, run.time_unit));
  }
  next_->ReportRuns(runs);
}

void FigureReporter::Finalize() {
  next_->Finalize();
}

double FigureReporter::Get(const std::string& key, bool cpu, bool rate) const {
  auto it = figures_.find(key);
  if (it == figures_.end()) return 0;
  const Figures& f = it->second;
  return Median(rate ? (cpu ? f.rate_cpu : f.rate) : (cpu ? f.ms_cpu : f.ms));
}

int RunWithSummary(int argc, char** argv,
                   const std::function<void(const FigureReporter&)>& summary) {
  // The summary is plain text: not with --benchmark_format=json or csv.
  bool console = true;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.rfind("--benchmark_format=", 0) == 0 && arg != "--benchmark_format=console") {
      console = false;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // The display reporter belongs to the library (a static).
  FigureReporter reporter(benchmark::CreateDefaultDisplayReporter());
  benchmark::RunSpecifiedBenchmarks(&reporter);
  if (console && !reporter.empty()) {
    std::printf(
        "\nFrom this run, medians over repetitions. wall: wall-clock time, as above; cpu: this\n"
        "process's CPU time, without the time other processes held the core.\n");
    summary(reporter);
  }
  benchmark::Shutdown();
  return 0;
}

}  // namespace caldicott::bench
