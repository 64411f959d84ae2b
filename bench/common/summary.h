// The summary a benchmark program prints after its run: figures taken as
// the benchmarks report, so that ratios come from one run. By wall-clock
// time, as Google Benchmark reports with UseRealTime, and by this process's
// CPU time, which leaves out the time other processes held the core (these
// machines are shared).
#ifndef CALDICOTT_BENCH_COMMON_SUMMARY_H_
#define CALDICOTT_BENCH_COMMON_SUMMARY_H_

#include <benchmark/benchmark.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace caldicott::bench {

// Passes everything on to the reporter the flags chose, keeping each
// benchmark's figures (every repetition, or the medians with
// --benchmark_report_aggregates_only).
class FigureReporter : public benchmark::BenchmarkReporter {
 public:
  explicit FigureReporter(benchmark::BenchmarkReporter* next) : next_(next) {}
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

  // The median over repetitions of benchmark `key` ("function/args/threads",
  // e.g. "BM_Decide/backend:1/agreement:0/1"): items per second (`rate`) or
  // milliseconds; by CPU time (`cpu`) or wall-clock time. 0 when it did not
  // run.
  double Get(const std::string& key, bool cpu, bool rate) const;
  bool empty() const { return figures_.empty(); }

 private:
  struct Figures {
    std::vector<double> rate, rate_cpu, ms, ms_cpu;
  };
  benchmark::BenchmarkReporter* next_;
  std::map<std::string, Figures> figures_;
};

// Runs the benchmarks the command line selects, then, when the output is
// the console (not --benchmark_format=json or csv) and something ran,
// prints the header of a summary and calls `summary`. Returns main's status.
int RunWithSummary(int argc, char** argv,
                   const std::function<void(const FigureReporter&)>& summary);

}  // namespace caldicott::bench

#endif  // CALDICOTT_BENCH_COMMON_SUMMARY_H_
