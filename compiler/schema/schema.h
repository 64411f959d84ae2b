// The coding schema: the code systems an agreement is checked against
// (docs/language.md, "Names and the coding schema").
//
// A CodeSystem holds its concepts (code, preferred term, active flag), the
// IS-A hierarchy in both directions, and the members of its reference sets,
// all in flat arrays addressed by ConceptId. Importers fill a
// CodeSystemBuilder; Build() freezes it. Queries are read-only and
// thread-safe.
#ifndef CALDICOTT_COMPILER_SCHEMA_SCHEMA_H_
#define CALDICOTT_COMPILER_SCHEMA_SCHEMA_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace caldicott::schema {

// A concept's index within its CodeSystem.
using ConceptId = uint32_t;

// A name used in agreements (`snomed`) bound to a system URI.
struct Binding {
  std::string_view name;
  std::string_view uri;
};

// The fixed bindings of docs/language.md ("Code systems"), plus
// `confidentiality`.
std::span<const Binding> StandardBindings();
std::optional<std::string_view> UriForName(std::string_view name);
std::optional<std::string_view> NameForUri(std::string_view uri);

inline constexpr std::string_view kSnomedUri = "http://snomed.info/sct";
inline constexpr std::string_view kActCodeUri = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
inline constexpr std::string_view kConfidentialityUri =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

class CodeSystem {
 public:
  const std::string& uri() const { return uri_; }
  const std::string& name() const { return name_; }      // the agreement name, e.g. "snomed"
  const std::string& source() const { return source_; }  // where it was loaded from
  const std::string& version() const { return version_; }

  // Ids run from 0 to size() - 1. Some ids may stand for codes that were
  // only named (by an edge) and never declared: Find() never returns them.
  size_t size() const { return codes_.size(); }
  size_t concept_count() const { return index_.size(); }
  std::optional<ConceptId> Find(std::string_view code) const;
  std::string_view Code(ConceptId id) const { return *codes_[id]; }
  std::string_view PreferredTerm(ConceptId id) const { return terms_[id]; }
  bool Active(ConceptId id) const { return active_[id] != 0; }

  std::span<const ConceptId> Parents(ConceptId id) const {
    return {parents_.data() + parent_start_[id], parents_.data() + parent_start_[id + 1]};
  }
  std::span<const ConceptId> Children(ConceptId id) const {
    return {children_.data() + child_start_[id], children_.data() + child_start_[id + 1]};
  }
  // Members of reference set `refset` (active membership rows), empty when
  // it is not one. Retired member concepts stay members.
  std::span<const ConceptId> RefsetMembers(ConceptId refset) const;
  bool IsRefset(ConceptId id) const { return refsets_.count(id) != 0; }

  // Appends every descendant of `id` (and `id` itself when include_self),
  // each once, in breadth-first order.
  void Descendants(ConceptId id, bool include_self, std::vector<ConceptId>& out) const;
  // True when `ancestor` is `id` or one of its ancestors.
  bool Subsumes(ConceptId ancestor, ConceptId id) const;

 private:
  friend class CodeSystemBuilder;
  std::string uri_, name_, source_, version_;
  std::unordered_map<std::string, ConceptId> index_;  // node-based: keys never move
  std::vector<const std::string*> codes_;             // keys of index_, by id
  std::vector<std::string> terms_;
  std::vector<uint8_t> active_;
  std::vector<uint32_t> parent_start_, child_start_;  // CSR offsets, size()+1
  std::vector<ConceptId> parents_, children_;
  std::unordered_map<ConceptId, std::vector<ConceptId>> refsets_;
};

// Collects one code system as an importer reads it. Edges and members may
// name codes before they are declared; Build() resolves them.
class CodeSystemBuilder {
 public:
  CodeSystemBuilder(std::string uri, std::string name, std::string source);

  void SetVersion(std::string version) { version_ = std::move(version); }
  // Declares a concept (again: the later declaration wins) and returns its
  // id, which the id overloads below take: an importer that knows its
  // concepts' ids saves a hash lookup per edge.
  ConceptId AddConcept(std::string_view code, bool active, std::string_view term = {});
  // Sets the preferred term of a declared or later-declared concept.
  void SetTerm(std::string_view code, std::string_view term);
  void SetTerm(ConceptId id, std::string_view term);
  void AddIsA(std::string_view child, std::string_view parent);
  void AddIsA(ConceptId child, ConceptId parent);
  void AddRefsetMember(std::string_view refset, std::string_view member);
  void AddRefsetMember(ConceptId refset, ConceptId member);
  void Reserve(size_t concepts, size_t edges);

  // Problems Build() found: an edge or member naming an undeclared code.
  struct Dangling {
    std::string code;
    std::string what;  // "parent of 123", "member of refset 456"
  };

  // Freezes the system. Edges to undeclared codes are dropped and listed in
  // `dangling` (if given). A retired (inactive) concept keeps the edges its
  // source gives it: records may still carry retired codes, and a group
  // that excludes a hierarchy must still catch them. (RF2 inactivates the
  // relationships of inactive concepts itself.)
  std::unique_ptr<CodeSystem> Build(std::vector<Dangling>* dangling = nullptr);

 private:
  ConceptId Intern(std::string_view code);
  std::unique_ptr<CodeSystem> cs_;
  std::string version_;
  std::vector<uint8_t> declared_;
  std::vector<std::pair<ConceptId, ConceptId>> isa_;      // child, parent
  std::vector<std::pair<ConceptId, ConceptId>> members_;  // refset, member
};

// Every code system of a compilation, by URI and by agreement name.
class Schema {
 public:
  // Adds a system, replacing any other with the same URI. Returns the
  // system it replaced, if any.
  std::unique_ptr<CodeSystem> Add(std::unique_ptr<CodeSystem> system);
  const CodeSystem* ByName(std::string_view name) const;
  const CodeSystem* ByUri(std::string_view uri) const;
  std::vector<const CodeSystem*> Systems() const;

  // The SHA-256 of the schema ("sha256:" + hex, as in an artefact's
  // manifest): every system's URI and version, and every concept with its
  // activity, parents and refset members, in a fixed order. Two schemas
  // with the same hash expand every group alike.
  std::string Hash() const;

 private:
  std::vector<std::unique_ptr<CodeSystem>> systems_;
};

// ---- SNOMED CT identifiers

// Why `text` is not a valid SCTID, or nothing when it is one: 6 to 18
// digits, no leading zero, a valid Verhoeff check digit, and a partition
// that `want_partition` accepts (the 2 digits before the check digit: 00
// concept, 10 concept in an extension; "concept" accepts both).
std::optional<std::string> SctidProblem(std::string_view text, bool concept_only = true);
bool VerhoeffValid(std::string_view digits);

}  // namespace caldicott::schema

#endif  // CALDICOTT_COMPILER_SCHEMA_SCHEMA_H_
