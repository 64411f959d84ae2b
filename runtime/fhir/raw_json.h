// Internal to the FHIR adapter: byte positions inside JSON that simdjson has
// already validated, and splicing of comma-separated lists so that what is
// kept is copied byte for byte.
#ifndef CALDICOTT_RUNTIME_FHIR_RAW_JSON_H_
#define CALDICOTT_RUNTIME_FHIR_RAW_JSON_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace caldicott::fhir::internal {

// Positions in valid JSON. Never reads outside `text`, whatever it holds,
// and never recurses; on invalid JSON the positions are meaningless.
class RawJson {
 public:
  explicit RawJson(std::string_view text) : s_(text) {}

  std::string_view text() const { return s_; }
  size_t SkipWhitespace(size_t i) const;
  // `i` at a '"': the offset just after the closing quote.
  size_t SkipString(size_t i) const;
  // `i` at the first byte of a value: the offset just after it.
  size_t SkipValue(size_t i) const;

  struct Member {
    std::string key;     // unescaped
    size_t begin;        // the key's opening quote
    size_t value_begin;  // the value's first byte
    size_t end;          // just after the value
  };
  // `i` at a '{': its members; `close` is set to the offset of its '}'.
  std::vector<Member> Members(size_t i, size_t& close) const;

  struct Span {
    size_t begin;
    size_t end;
  };
  // `i` at a '[': its elements; `close` is set to the offset of its ']'.
  std::vector<Span> Elements(size_t i, size_t& close) const;

  // The unescaped contents of the string token at `i` (at its '"').
  std::string StringAt(size_t i) const;

 private:
  std::string_view s_;
};

// The contents of a JSON string between its quotes, unescaped (the input is
// valid JSON, so every escape is well formed).
std::string Unescape(std::string_view inside_quotes);

// One element of a comma-separated list (array elements or object members).
struct ListItem {
  ListItem(size_t b, size_t e, bool k = true) : begin(b), end(e), keep(k) {}
  size_t begin;
  size_t end;
  bool keep;
  bool replaced = false;
  std::string replacement;  // written instead of [begin, end) when `replaced`
};

// Writes the bytes of a list between its brackets, src[open_end, close),
// keeping only the kept items: the whitespace before the first item, each
// kept item (or its replacement) preceded by the separator that preceded it
// in `src` (except the first one written), and the bytes after the last
// item. All items removed: only the bytes after the last item.
void EmitList(std::string& out, std::string_view src, size_t open_end,
              std::span<const ListItem> items, size_t close);
// The same, with `write(out, k)` writing item k when it is `replaced`
// (its `replacement` is then ignored): a large item need not be built
// apart first.
void EmitList(std::string& out, std::string_view src, size_t open_end,
              std::span<const ListItem> items, size_t close,
              const std::function<void(std::string&, size_t)>& write);

// Whether any item is kept.
bool AnyKept(std::span<const ListItem> items);

// Rewrites the bytes of a document Bundle's first entry (the Composition):
// removes every `section[].entry[]` (at any depth of `section`) whose
// `reference` does not satisfy `keep` (an entry without a `reference`
// cannot be checked and is removed), the narrative `text` of every section
// that changed, sections left with no entry, text or sub-section, and the
// Composition's own `text` when anything changed (a narrative may render
// what was withheld). Returns nullopt when nothing changes. `entry` must be
// valid JSON (an object).
std::optional<std::string> RewriteComposition(
    std::string_view entry, const std::function<bool(std::string_view reference)>& keep);

}  // namespace caldicott::fhir::internal

#endif  // CALDICOTT_RUNTIME_FHIR_RAW_JSON_H_
