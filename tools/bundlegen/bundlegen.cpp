// The generator's entry points (bundlegen.h). The Generator writes the
// Bundle (generator.h) from the catalogue of clinical content (catalogue.h);
// here a document Bundle is sized before it is written.
#include "tools/bundlegen/bundlegen.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "tools/bundlegen/generator.h"
#include "tools/bundlegen/json_writer.h"

namespace caldicott::bundlegen {

using internal::CompositionLayout;
using internal::Generator;
using internal::kSectionCount;
using internal::Out;
using internal::Ref;
using internal::Section;
using internal::SectionOf;

std::string_view BundleTypeName(BundleType type) {
  switch (type) {
    case BundleType::kCollection:
      return "collection";
    case BundleType::kSearchset:
      return "searchset";
    case BundleType::kDocument:
      return "document";
    case BundleType::kTransaction:
      return "transaction";
  }
  return "collection";
}

std::optional<BundleType> ParseBundleType(std::string_view name) {
  for (BundleType t : {BundleType::kCollection, BundleType::kSearchset, BundleType::kDocument,
                       BundleType::kTransaction}) {
    if (BundleTypeName(t) == name) return t;
  }
  return std::nullopt;
}

bool Generate(const Options& options, const Sink& sink, Summary& summary) {
  summary = Summary();
  // What follows the last entry: "\n  ]\n}\n".
  constexpr uint64_t kTail = 7;
  std::vector<Ref> refs;
  uint64_t count = UINT64_MAX;
  if (options.type == BundleType::kDocument) {
    // The Composition comes first and lists every clinical entry, so a dry
    // run (counted, not written) decides how many there will be: enough
    // that entries and Composition together reach the size.
    Summary dry_summary;
    Out counter(nullptr);
    Generator dry(options, counter, dry_summary);
    dry.Begin({});
    const uint64_t fixed = counter.bytes();
    std::vector<uint64_t> ends;  // the clinical bytes after each entry
    // A reference in the Composition costs at least 80 bytes: stop past the
    // size, then cut back.
    while (counter.bytes() + 80 * refs.size() + kTail < options.bytes + (64u << 10)) {
      refs.push_back(dry.Next());
      ends.push_back(counter.bytes() - fixed);
    }
    // The Composition listing them all; then drop entries from the end
    // while the rest, with their smaller Composition, still reach the size.
    CompositionLayout layout;
    Summary full_summary;
    Out full(nullptr);
    Generator g(options, full, full_summary);
    g.MeasureComposition(&layout);
    g.Begin(refs);
    uint64_t composition = full.bytes() - fixed;  // beyond an empty one
    std::array<uint64_t, kSectionCount> in_section{};
    for (const Ref& r : refs) ++in_section[SectionOf(r.type)];
    size_t n = refs.size();
    while (n > 1) {
      uint64_t smaller = composition - layout.ref_bytes[n - 1];
      Section s = SectionOf(refs[n - 1].type);
      if (in_section[s] == 1) smaller -= layout.section_bytes[s];
      // A margin for the separator of a section that becomes the first.
      if (fixed + smaller + ends[n - 2] + kTail < options.bytes + 16) break;
      composition = smaller;
      --in_section[s];
      --n;
    }
    refs.resize(n);
    count = n;
  }
  Out out(&sink);
  Generator g(options, out, summary);
  g.Begin(refs);
  if (options.type == BundleType::kDocument) {
    for (uint64_t i = 0; i < count && out.ok(); ++i) g.Next();
  } else {
    while (out.bytes() + kTail < options.bytes && out.ok()) g.Next();
  }
  g.End();
  return out.ok();
}

bool GenerateFile(const Options& options, const std::string& path, Summary& summary,
                  std::string& error) {
  bool to_stdout = path == "-";
  std::FILE* f = to_stdout ? stdout : std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  int write_errno = 0;
  Sink sink = [&](std::string_view chunk) {
    if (std::fwrite(chunk.data(), 1, chunk.size(), f) != chunk.size()) {
      write_errno = errno;
      return false;
    }
    return true;
  };
  bool ok = Generate(options, sink, summary);
  if (to_stdout) {
    ok = std::fflush(f) == 0 && ok;
  } else {
    ok = std::fclose(f) == 0 && ok;
  }
  if (!ok) {
    error = "cannot write " + path + ": " + std::strerror(write_errno != 0 ? write_errno : errno);
  }
  return ok;
}

std::string GenerateString(const Options& options, Summary* summary) {
  std::string s;
  s.reserve(options.bytes + (64u << 10));
  Summary local;
  Generate(
      options,
      [&](std::string_view chunk) {
        s.append(chunk);
        return true;
      },
      summary != nullptr ? *summary : local);
  return s;
}

}  // namespace caldicott::bundlegen
