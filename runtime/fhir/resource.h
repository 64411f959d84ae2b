// Internal to the FHIR adapter: reading one resource from its simdjson DOM
// (kind, status, date, codings, labels, references, practice).
#ifndef CALDICOTT_RUNTIME_FHIR_RESOURCE_H_
#define CALDICOTT_RUNTIME_FHIR_RESOURCE_H_

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/fhir/fhir.h"

namespace caldicott::fhir::internal {

// A JSON path for messages, built on the stack and formatted only when an
// error is reported: "Bundle.entry[3].resource.code.coding[0]".
struct Path {
  const Path* parent = nullptr;
  std::string_view name;
  int64_t index = -1;

  Path Child(std::string_view child) const { return {this, child, -1}; }
  Path At(size_t i) const { return {parent, name, static_cast<int64_t>(i)}; }
  std::string Format() const;
};

struct CodingView {
  std::string_view system;
  std::string_view code;
};

// What a resource says. Views point into the DOM (or the input) and are
// valid until the parser parses again.
struct ResourceFacts {
  std::string_view type;
  std::string_view id;
  Classification classification{};
  caldicott_entry_status status = CALDICOTT_STATUS_UNKNOWN;
  caldicott_date date = CALDICOTT_NO_DATE;
  std::vector<CodingView> codings;  // the main concept, as far as the resource holds it
  std::vector<CodingView> labels;   // meta.security
  // When the main concept is another resource of the Bundle (a Medication
  // or a Device referenced, not contained): the reference and the type the
  // target must have.
  std::string_view concept_reference;
  std::string_view concept_type;
  // Patient: generalPractitioner references to resolve in the Bundle, and
  // ODS codes found directly (identifier on the reference, or a contained
  // Organization).
  std::vector<std::string_view> practitioner_references;
  std::vector<std::string_view> practice_codes;
  // Organization: its ODS codes.
  std::vector<std::string_view> ods_codes;
  // Whether it contains a resource that is neither a Patient, supporting
  // nor a Substance (a Medication's ingredient). A Patient, supporting
  // resource or Composition that does is withheld: it is kept without a
  // decision, and what it contains would be too.
  bool contains_unsupported = false;

  void Clear();
};

// Checks that no object under `element` has a key twice (a second `code`
// that other readers might take instead of the first). Depth is bounded by
// the parser's.
std::optional<std::string> CheckKeys(simdjson::dom::element element, const Path& path);

// Appends every string-valued `reference` under `element`, in document order.
void CollectReferences(simdjson::dom::element element, std::vector<std::string_view>& references);

// CheckKeys(entry, path), and CollectReferences of the entry's `resource`
// member (appended to `references`), in one walk of the entry.
std::optional<std::string> CheckEntry(simdjson::dom::element entry, const Path& path,
                                      std::vector<std::string_view>& references);

// Reads what the adapter needs from a resource (after CheckKeys). Returns a
// message when a field it reads has the wrong JSON type.
std::optional<std::string> ReadResource(simdjson::dom::object resource, const Path& path,
                                        ResourceFacts& facts);

// simdjson error in words, for "not valid JSON: ...".
std::string JsonErrorText(simdjson::error_code error);

// `text` made safe for a one-line message: control characters escaped,
// truncated to `max` bytes (on a character boundary) with "...".
std::string Printable(std::string_view text, size_t max = 80);

}  // namespace caldicott::fhir::internal

#endif  // CALDICOTT_RUNTIME_FHIR_RESOURCE_H_
