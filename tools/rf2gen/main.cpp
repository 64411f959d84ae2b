// rf2gen: writes the deterministic synthetic SNOMED CT RF2 Snapshot release
// (see rf2gen.h) and prints what a correct import of it finds.
//
//   rf2gen [--concepts N] [--seed S] [--lf] --out DIR
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "tools/rf2gen/rf2gen.h"

namespace {

constexpr const char* kUsage =
    "usage: rf2gen [--concepts N] [--seed S] [--lf] --out DIR\n"
    "  --concepts N  active concepts (default 370000, the size of a full release)\n"
    "  --seed S      pseudo-random seed (default 20250101)\n"
    "  --lf          end lines with LF (default CR LF, as real releases do)\n"
    "  --out DIR     the release root; the files go under DIR/Snapshot\n";

bool ParseNumber(const char* text, uint64_t max, uint64_t& out) {
  if (text == nullptr || *text == '\0') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0' || text[0] == '-' || v > max) return false;
  out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  caldicott::rf2gen::Options options;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    uint64_t n = 0;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--lf") {
      options.crlf = false;
    } else if (arg == "--concepts" && ParseNumber(value, UINT32_MAX, n)) {
      options.concepts = static_cast<uint32_t>(n);
      ++i;
    } else if (arg == "--seed" && ParseNumber(value, UINT64_MAX, n)) {
      options.seed = n;
      ++i;
    } else if (arg == "--out" && value != nullptr) {
      out = value;
      ++i;
    } else {
      std::fprintf(stderr, "rf2gen: bad argument `%s`\n%s", argv[i], kUsage);
      return 2;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "rf2gen: --out is required\n%s", kUsage);
    return 2;
  }
  caldicott::rf2gen::Summary s;
  std::string error;
  if (!caldicott::rf2gen::Generate(options, out, s, error)) {
    std::fprintf(stderr, "rf2gen: %s\n", error.c_str());
    return 1;
  }
  std::printf("release            %s/Snapshot (%.1f MB)\n", s.root.c_str(),
              static_cast<double>(s.bytes) / 1e6);
  std::printf("concepts           %llu active, %llu inactive\n",
              static_cast<unsigned long long>(s.active_concepts),
              static_cast<unsigned long long>(s.inactive_concepts));
  std::printf("descriptions       %llu rows, %llu language rows\n",
              static_cast<unsigned long long>(s.descriptions),
              static_cast<unsigned long long>(s.language_rows));
  std::printf("relationships      %llu IS-A rows (%llu active edges), %llu other rows\n",
              static_cast<unsigned long long>(s.isa_rows),
              static_cast<unsigned long long>(s.active_isa_edges),
              static_cast<unsigned long long>(s.other_relationship_rows));
  std::printf("descendants        %s: %llu, %s: %llu\n", s.big_concept.c_str(),
              static_cast<unsigned long long>(s.big_descendants), s.body_structure.c_str(),
              static_cast<unsigned long long>(s.body_structure_descendants));
  for (const auto& r : s.refsets) {
    std::printf("refset             %s: %llu members\n", r.code.c_str(),
                static_cast<unsigned long long>(r.members));
  }
  return 0;
}
