// bundlegen: writes the deterministic synthetic FHIR R4 Bundle of
// bundlegen.h and prints what is in it (on standard error when the Bundle
// goes to standard output).
//
//   bundlegen --size-mb N [--seed S] [--type TYPE] --out FILE
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tools/bundlegen/bundlegen.h"

namespace {

constexpr const char* kUsage =
    "usage: bundlegen --size-mb N [--seed S] [--type TYPE] --out FILE\n"
    "  --size-mb N  the size in MB of 1,048,576 bytes (a decimal: 0.5, 20, 200)\n"
    "  --seed S     pseudo-random seed (default 1); the same arguments give the same bytes\n"
    "  --type TYPE  collection (default), searchset, document or transaction\n"
    "  --out FILE   where to write the Bundle; - is standard output\n";

bool ParseNumber(const char* text, uint64_t& out) {
  if (text == nullptr || *text == '\0' || text[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0') return false;
  out = v;
  return true;
}

bool ParseSize(const char* text, uint64_t& out) {
  if (text == nullptr || *text == '\0' || text[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  double mb = std::strtod(text, &end);
  if (errno != 0 || *end != '\0' || !(mb > 0) || mb > 1024 * 1024) return false;
  out = static_cast<uint64_t>(std::llround(mb * 1048576.0));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  caldicott::bundlegen::Options options;
  std::string out;
  bool sized = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--size-mb" && ParseSize(value, options.bytes)) {
      sized = true;
      ++i;
    } else if (arg == "--seed" && ParseNumber(value, options.seed)) {
      ++i;
    } else if (arg == "--type" && value != nullptr &&
               caldicott::bundlegen::ParseBundleType(value)) {
      options.type = *caldicott::bundlegen::ParseBundleType(value);
      ++i;
    } else if (arg == "--out" && value != nullptr) {
      out = value;
      ++i;
    } else {
      std::fprintf(stderr, "bundlegen: bad argument `%s`\n%s", argv[i], kUsage);
      return 2;
    }
  }
  if (out.empty() || !sized) {
    std::fprintf(stderr, "bundlegen: --size-mb and --out are required\n%s", kUsage);
    return 2;
  }
  caldicott::bundlegen::Summary s;
  std::string error;
  auto start = std::chrono::steady_clock::now();
  if (!caldicott::bundlegen::GenerateFile(options, out, s, error)) {
    std::fprintf(stderr, "bundlegen: %s\n", error.c_str());
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::FILE* report = out == "-" ? stderr : stdout;
  std::fprintf(report, "bundle      %s (%s, %.1f MB, %llu bytes) in %.2f s\n", out.c_str(),
               std::string(caldicott::bundlegen::BundleTypeName(options.type)).c_str(),
               static_cast<double>(s.bytes) / 1048576.0, static_cast<unsigned long long>(s.bytes),
               seconds);
  std::fprintf(report, "patient     Patient/%s\n", s.patient_id.c_str());
  std::fprintf(report, "entries     %llu, of which %llu clinical, %llu with security labels\n",
               static_cast<unsigned long long>(s.entries),
               static_cast<unsigned long long>(s.clinical),
               static_cast<unsigned long long>(s.labelled));
  for (const auto& [type, n] : s.resources) {
    std::fprintf(report, "  %-20s %llu\n", type.c_str(), static_cast<unsigned long long>(n));
  }
  return 0;
}
