// A deterministic synthetic SNOMED CT RF2 Snapshot release, for the
// importer's scale tests and the coding-schema benchmarks: a full release
// has about 370,000 active concepts and 1.2 million IS-A rows, and no real
// one may be committed or fetched (SNOMED CT is licensed).
//
// The release has the layout and columns of a real one (Snapshot/Terminology
// and Snapshot/Refset/{Content,Language}, CRLF lines), real identifiers for
// the top-level hierarchies and the metadata it uses, and synthetic
// concepts with valid SCTIDs (Verhoeff check digit, partitions 00/01/02 and,
// for a UK-extension share, 10/11/12 in namespace 1000000). At the default
// size it has 370,000 active concepts (and 37,000 inactive ones), about 1.2
// million IS-A rows (0.92 million active edges), 1.6 million descriptions
// and as many language rows, 570 MB in all; `Clinical finding` (404684003)
// has exactly 100,000 descendants. It takes about 1.5 s to write.
//
// It also plants the traps an importer must not fall into: inactive
// concepts, inactive IS-A rows across hierarchies, non-IS-A attribute rows,
// inactive descriptions with active language rows, inactive language rows
// marking an acceptable synonym preferred, a US-only preferred synonym,
// concepts whose preferred term must come from the FSN or from the only
// active synonym, and refset rows that are inactive, duplicated, or name
// retired concepts. The Summary says what a correct import must find.
//
// The output depends only on the Options: the generator uses its own
// pseudo-random numbers (splitmix64), not <random>'s distributions.
#ifndef CALDICOTT_TOOLS_RF2GEN_RF2GEN_H_
#define CALDICOTT_TOOLS_RF2GEN_RF2GEN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace caldicott::rf2gen {

struct Options {
  // Active concepts, the fixed metadata and top-level concepts included.
  // From 1,000 to 20,000,000.
  uint32_t concepts = 370000;
  // Real RF2 files end lines with CR LF.
  bool crlf = true;
  uint64_t seed = 20250101;
};

// A concept whose import the caller can check in detail.
struct Sample {
  std::string code;
  std::string term;  // the preferred term a correct importer chooses
  bool active = true;
  std::vector<std::string> parents;  // active IS-A parents, sorted
};

struct Refset {
  std::string code;
  uint64_t members = 0;  // distinct concepts with an active member row
};

struct Summary {
  std::string root;  // the release root; the files are under root/Snapshot
  uint64_t active_concepts = 0;
  uint64_t inactive_concepts = 0;
  uint64_t descriptions = 0;      // rows, active or not
  uint64_t language_rows = 0;     // rows, active or not
  uint64_t isa_rows = 0;          // rows, active or not
  uint64_t active_isa_edges = 0;  // distinct active IS-A edges
  uint64_t other_relationship_rows = 0;
  uint64_t refset_rows = 0;  // simple refset rows, active or not
  uint64_t bytes = 0;        // of all files written
  // `Clinical finding`, the concept for the expansion benchmark, and the
  // number of its descendants (itself excluded).
  std::string big_concept;
  uint64_t big_descendants = 0;
  // `Body structure`: attribute rows point at it, so a wrong import that
  // reads them as IS-A inflates this count.
  std::string body_structure;
  uint64_t body_structure_descendants = 0;
  std::vector<Refset> refsets;
  std::vector<Sample> samples;
};

// Writes the release under `root` (created if missing; existing files of
// the same names are overwritten). Returns false with `error` when a
// directory or file cannot be written or the options are out of range.
bool Generate(const Options& options, const std::string& root, Summary& summary,
              std::string& error);

// An SCTID: `item`, then the 7-digit `namespace_id` when it is not 0, the
// two partition digits, and the Verhoeff check digit.
std::string MakeSctid(uint64_t item, int partition, uint32_t namespace_id = 0);

}  // namespace caldicott::rf2gen

#endif  // CALDICOTT_TOOLS_RF2GEN_RF2GEN_H_
