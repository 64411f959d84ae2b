// caldicott_cedar_ours: Caldicott's side of the Cedar comparison. Decides
// the entries of bench/cedar/entries.h through the C API (caldicott_decide),
// as a host service would, writes the decisions, and measures decisions per
// second on one thread: one batch as a warm-up, then the batch again and
// again for at least --min-time seconds.
//
//   caldicott_cedar_ours --agreement NAME --role ROLE --at YYYY-MM-DD
//       [--entries N] [--seed S] [--min-time SECONDS] [--backend B]...
//       [--decisions DIR] FILE.dsa...
//
// Backends: `interp` and `jit` (caldicott_engine_set_backend), and
// `default` (whatever a new engine uses: the JIT). Without --backend, both
// `interp` and `jit`.
//
// Prints one JSON object: {"entries": N, "results": [{"backend": B,
// "decisions_per_s": X, "batches": K, "seconds": S, "shared": n,
// "excluded": n, "no_share": n} or {"backend": B, "error": "..."}]}.
// With --decisions DIR, writes DIR/ours-<backend>.json: {"decisions":
// [[verdict, reason, rule], ...]}. Exit status 0 when at least one backend
// decided, else 1.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/cedar/entries.h"
#include "caldicott/caldicott.h"
#include "compiler/base/json.h"

namespace caldicott::cedar {
namespace {

struct Args : CommonArgs {
  std::string decisions;
  double min_time = 1.0;
  std::vector<std::string> backends;
};

[[noreturn]] void Usage(const std::string& why) {
  std::cerr << "caldicott_cedar_ours: " << why << "\n"
            << "usage: caldicott_cedar_ours --agreement NAME --role ROLE --at YYYY-MM-DD "
               "[--entries N] [--seed S] [--min-time SECONDS] [--backend interp|jit|default]... "
               "[--decisions DIR] FILE.dsa...\n";
  std::exit(2);
}

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (ParseCommonArg(arg, value, a)) continue;
    if (arg == "--decisions") {
      a.decisions = value();
    } else if (arg == "--min-time") {
      a.min_time = std::strtod(value().c_str(), nullptr);
    } else if (arg == "--backend") {
      std::string b = value();
      if (b != "interp" && b != "jit" && b != "default") Usage("unknown backend " + b);
      a.backends.push_back(b);
    } else {
      Usage("unknown option " + std::string(arg));
    }
  }
  if (a.agreement.empty() || a.role.empty() || a.at.empty() || a.files.empty()) {
    Usage("--agreement, --role, --at and a file are required");
  }
  if (a.backends.empty()) a.backends = {"interp", "jit"};
  return a;
}

struct Result {
  std::string backend, error;
  double per_s = 0, seconds = 0;
  uint64_t batches = 0;
  std::vector<caldicott_decision> decisions;
};

Result Measure(const Args& args, const std::string& backend, const Batch& batch,
               caldicott_date today) {
  Result r;
  r.backend = backend;
  caldicott_engine* engine = nullptr;
  auto fail = [&](const std::string& what) {
    r.error = what + ": " + caldicott_last_error();
    caldicott_engine_free(engine);
    return r;
  };
  if (caldicott_engine_create(&engine) != CALDICOTT_OK) return fail("create");
  if (backend != "default") {
    uint32_t b = backend == "jit" ? CALDICOTT_BACKEND_JIT : CALDICOTT_BACKEND_INTERP;
    if (caldicott_engine_set_backend(engine, b) != CALDICOTT_OK) return fail("set backend");
  }
  std::vector<const char*> paths;
  std::vector<size_t> lens;
  for (const std::string& f : args.files) paths.push_back(f.c_str()), lens.push_back(f.size());
  if (caldicott_engine_compile_files(engine, paths.data(), lens.data(), paths.size()) !=
      CALDICOTT_OK) {
    return fail("compile");
  }
  // The JIT's optimised code, not the quick code it decides with first.
  if (caldicott_engine_wait_optimised(engine) != CALDICOTT_OK) return fail("optimised code");
  uint32_t agreement = 0;
  if (caldicott_engine_find_agreement(engine, args.agreement.data(), args.agreement.size(),
                                      &agreement) != CALDICOTT_OK) {
    return fail("find agreement");
  }
  // The registered practice is not given: Cedar has no notion of it, and
  // it is checked once per request, not per entry.
  caldicott_request request{args.role.data(), args.role.size(), today, nullptr, 0};
  int applies = 0;
  if (caldicott_applies(engine, agreement, &request, &applies) != CALDICOTT_OK) {
    return fail("applies");
  }
  if (!applies) {
    r.error = "the agreement does not apply to the request";
    caldicott_engine_free(engine);
    return r;
  }
  const std::vector<caldicott_entry>& entries = batch.entries;
  r.decisions.resize(entries.size());
  // The warm-up batch gives the decisions.
  if (caldicott_decide(engine, agreement, &request, entries.data(), entries.size(),
                       r.decisions.data()) != CALDICOTT_OK) {
    return fail("decide");
  }
  if (args.min_time > 0 && !entries.empty()) {
    std::vector<caldicott_decision> out(entries.size());
    using Clock = std::chrono::steady_clock;
    auto start = Clock::now();
    double elapsed = 0;
    do {
      caldicott_decide(engine, agreement, &request, entries.data(), entries.size(), out.data());
      ++r.batches;
      // Keep the compiler from dropping the work.
      asm volatile("" : : "r"(out.data()) : "memory");
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < args.min_time);
    r.seconds = elapsed;
    r.per_s = static_cast<double>(r.batches) * static_cast<double>(entries.size()) / elapsed;
    if (std::memcmp(out.data(), r.decisions.data(), out.size() * sizeof out[0]) != 0) {
      r.error = "the timed batches decided differently from the first";
    }
  }
  caldicott_engine_free(engine);
  return r;
}

int Main(int argc, char** argv) {
  Args args = Parse(argc, argv);
  int y = 0, m = 0, d = 0;
  if (std::sscanf(args.at.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) Usage("--at needs YYYY-MM-DD");
  caldicott_date today = caldicott_date_from_ymd(y, m, d);
  Batch batch = MakeBatch(args.entries, args.seed);

  std::ostringstream json;
  json << "{\"entries\": " << batch.entries.size() << ", \"results\": [";
  size_t measured = 0;
  for (size_t i = 0; i < args.backends.size(); ++i) {
    Result r = Measure(args, args.backends[i], batch, today);
    json << (i ? ",\n  " : "\n  ") << "{\"backend\": " << base::JsonString(r.backend);
    if (!r.error.empty()) {
      json << ", \"error\": " << base::JsonString(r.error) << "}";
      continue;
    }
    ++measured;
    size_t counts[3] = {};
    for (const caldicott_decision& dec : r.decisions) {
      if (dec.reason <= CALDICOTT_REASON_NO_SHARE) ++counts[dec.reason];
    }
    json << ", \"decisions_per_s\": " << static_cast<uint64_t>(r.per_s)
         << ", \"batches\": " << r.batches << ", \"seconds\": " << r.seconds
         << ", \"shared\": " << counts[CALDICOTT_REASON_SHARED]
         << ", \"excluded\": " << counts[CALDICOTT_REASON_EXCLUDED]
         << ", \"no_share\": " << counts[CALDICOTT_REASON_NO_SHARE] << "}";
    if (!args.decisions.empty()) {
      std::filesystem::create_directories(args.decisions);
      std::ofstream out(std::filesystem::path(args.decisions) / ("ours-" + r.backend + ".json"));
      out << "{\"decisions\": [";
      for (size_t n = 0; n < r.decisions.size(); ++n) {
        const caldicott_decision& dec = r.decisions[n];
        out << (n ? ",\n" : "\n") << "[" << dec.verdict << "," << dec.reason << "," << dec.rule
            << "]";
      }
      out << "\n]}\n";
      if (!out) {
        std::cerr << "caldicott_cedar_ours: cannot write into " << args.decisions << "\n";
        return 2;
      }
    }
  }
  json << "\n]}\n";
  std::cout << json.str();
  return measured > 0 ? 0 : 1;
}

}  // namespace
}  // namespace caldicott::cedar

int main(int argc, char** argv) {
  return caldicott::cedar::Main(argc, argv);
}
