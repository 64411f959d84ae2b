#include "compiler/schema/schema.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "compiler/base/sha256.h"

namespace caldicott::schema {

namespace {
constexpr std::array<Binding, 8> kBindings = {{
    {"snomed", kSnomedUri},
    {"dmd", "https://dmd.nhs.uk"},
    {"readv2", "http://read.info/readv2"},
    {"ctv3", "http://read.info/ctv3"},
    {"icd10", "http://hl7.org/fhir/sid/icd-10"},
    {"loinc", "http://loinc.org"},
    {"actcode", kActCodeUri},
    {"confidentiality", kConfidentialityUri},
}};
}  // namespace

std::span<const Binding> StandardBindings() {
  return kBindings;
}

std::optional<std::string_view> UriForName(std::string_view name) {
  for (const Binding& b : kBindings) {
    if (b.name == name) return b.uri;
  }
  return std::nullopt;
}

std::optional<std::string_view> NameForUri(std::string_view uri) {
  for (const Binding& b : kBindings) {
    if (b.uri == uri) return b.name;
  }
  return std::nullopt;
}

// ---- CodeSystem

std::optional<ConceptId> CodeSystem::Find(std::string_view code) const {
  auto it = index_.find(std::string(code));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::span<const ConceptId> CodeSystem::RefsetMembers(ConceptId refset) const {
  auto it = refsets_.find(refset);
  if (it == refsets_.end()) return {};
  return it->second;
}

void CodeSystem::Descendants(ConceptId id, bool include_self, std::vector<ConceptId>& out) const {
  std::vector<bool> seen(size(), false);
  size_t start = out.size();
  seen[id] = true;
  out.push_back(id);
  for (size_t i = start; i < out.size(); ++i) {
    for (ConceptId child : Children(out[i])) {
      if (!seen[child]) {
        seen[child] = true;
        out.push_back(child);
      }
    }
  }
  if (!include_self) out.erase(out.begin() + static_cast<std::ptrdiff_t>(start));
}

bool CodeSystem::Subsumes(ConceptId ancestor, ConceptId id) const {
  if (ancestor == id) return true;
  std::vector<ConceptId> stack{id};
  std::vector<bool> seen(size(), false);
  while (!stack.empty()) {
    ConceptId c = stack.back();
    stack.pop_back();
    for (ConceptId p : Parents(c)) {
      if (p == ancestor) return true;
      if (!seen[p]) {
        seen[p] = true;
        stack.push_back(p);
      }
    }
  }
  return false;
}

// ---- CodeSystemBuilder

CodeSystemBuilder::CodeSystemBuilder(std::string uri, std::string name, std::string source)
    : cs_(std::make_unique<CodeSystem>()) {
  cs_->uri_ = std::move(uri);
  cs_->name_ = std::move(name);
  cs_->source_ = std::move(source);
}

void CodeSystemBuilder::Reserve(size_t concepts, size_t edges) {
  cs_->index_.reserve(concepts);
  cs_->codes_.reserve(concepts);
  cs_->terms_.reserve(concepts);
  cs_->active_.reserve(concepts);
  declared_.reserve(concepts);
  isa_.reserve(edges);
}

ConceptId CodeSystemBuilder::Intern(std::string_view code) {
  auto [it, inserted] =
      cs_->index_.try_emplace(std::string(code), static_cast<ConceptId>(cs_->codes_.size()));
  if (inserted) {
    cs_->codes_.push_back(&it->first);
    cs_->terms_.emplace_back();
    cs_->active_.push_back(0);
    declared_.push_back(0);
  }
  return it->second;
}

ConceptId CodeSystemBuilder::AddConcept(std::string_view code, bool active, std::string_view term) {
  ConceptId id = Intern(code);
  declared_[id] = 1;
  cs_->active_[id] = active ? 1 : 0;
  if (!term.empty()) cs_->terms_[id] = std::string(term);
  return id;
}

void CodeSystemBuilder::SetTerm(std::string_view code, std::string_view term) {
  SetTerm(Intern(code), term);
}

void CodeSystemBuilder::SetTerm(ConceptId id, std::string_view term) {
  cs_->terms_[id] = std::string(term);
}

void CodeSystemBuilder::AddIsA(std::string_view child, std::string_view parent) {
  ConceptId c = Intern(child);
  AddIsA(c, Intern(parent));
}

void CodeSystemBuilder::AddIsA(ConceptId child, ConceptId parent) {
  isa_.emplace_back(child, parent);
}

void CodeSystemBuilder::AddRefsetMember(std::string_view refset, std::string_view member) {
  ConceptId r = Intern(refset);
  AddRefsetMember(r, Intern(member));
}

void CodeSystemBuilder::AddRefsetMember(ConceptId refset, ConceptId member) {
  members_.emplace_back(refset, member);
}

namespace {

const std::string kUndeclared;

// Compressed sparse rows of `edges` keyed by .first.
void Csr(size_t n, std::vector<std::pair<ConceptId, ConceptId>>& edges,
         std::vector<uint32_t>& start, std::vector<ConceptId>& targets) {
  start.assign(n + 1, 0);
  for (const auto& e : edges) ++start[e.first + 1];
  for (size_t i = 0; i < n; ++i) start[i + 1] += start[i];
  targets.resize(edges.size());
  std::vector<uint32_t> fill(start.begin(), start.end() - 1);
  for (const auto& e : edges) targets[fill[e.first]++] = e.second;
}

}  // namespace

std::unique_ptr<CodeSystem> CodeSystemBuilder::Build(std::vector<Dangling>* dangling) {
  CodeSystem& cs = *cs_;
  size_t n = cs.codes_.size();
  auto usable = [&](ConceptId id) { return declared_[id] != 0; };
  auto report = [&](ConceptId id, std::string what) {
    if (dangling != nullptr && declared_[id] == 0)
      dangling->push_back({*cs.codes_[id], std::move(what)});
  };

  // Only edges between declared concepts count; duplicates go.
  std::erase_if(isa_, [&](const auto& e) {
    bool keep = usable(e.first) && usable(e.second) && e.first != e.second;
    if (!keep) {
      report(e.first, "child in an IS-A relationship");
      report(e.second, "parent of " + *cs.codes_[e.first]);
    }
    return !keep;
  });
  std::sort(isa_.begin(), isa_.end());
  isa_.erase(std::unique(isa_.begin(), isa_.end()), isa_.end());
  Csr(n, isa_, cs.parent_start_, cs.parents_);
  for (auto& e : isa_) std::swap(e.first, e.second);
  std::sort(isa_.begin(), isa_.end());
  Csr(n, isa_, cs.child_start_, cs.children_);
  isa_ = {};

  for (const auto& [refset, member] : members_) {
    if (!declared_[member] || !declared_[refset]) {
      report(refset, "reference set");
      report(member, "member of reference set " + *cs.codes_[refset]);
      if (!declared_[member]) continue;
    }
    cs.refsets_[refset].push_back(member);
  }
  for (auto& [refset, list] : cs.refsets_) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  members_ = {};

  // Codes only named by edges or members, never declared, are not part of
  // the system: they stay interned (ids are stable) but Find() must not see
  // them.
  for (ConceptId id = 0; id < n; ++id) {
    if (declared_[id]) continue;
    std::string key = *cs.codes_[id];
    cs.codes_[id] = &kUndeclared;
    cs.index_.erase(key);
  }
  cs.version_ = std::move(version_);
  return std::move(cs_);
}

// ---- Schema

std::unique_ptr<CodeSystem> Schema::Add(std::unique_ptr<CodeSystem> system) {
  for (auto& existing : systems_) {
    if (existing->uri() == system->uri()) {
      std::swap(existing, system);
      return system;
    }
  }
  systems_.push_back(std::move(system));
  return nullptr;
}

const CodeSystem* Schema::ByName(std::string_view name) const {
  for (const auto& s : systems_) {
    if (s->name() == name) return s.get();
  }
  return nullptr;
}

const CodeSystem* Schema::ByUri(std::string_view uri) const {
  for (const auto& s : systems_) {
    if (s->uri() == uri) return s.get();
  }
  return nullptr;
}

std::vector<const CodeSystem*> Schema::Systems() const {
  std::vector<const CodeSystem*> out;
  for (const auto& s : systems_) out.push_back(s.get());
  return out;
}

std::string Schema::Hash() const {
  std::vector<const CodeSystem*> systems = Systems();
  std::sort(systems.begin(), systems.end(),
            [](const auto* a, const auto* b) { return a->uri() < b->uri(); });
  base::Sha256 h;
  std::string line;
  for (const CodeSystem* s : systems) {
    h.Update(fmt::format("system {} {} {}\n", s->uri(), s->version(), s->size()));
    for (ConceptId id = 0; id < s->size(); ++id) {
      line.assign(s->Code(id));
      line += s->Active(id) ? " +" : " -";
      for (ConceptId p : s->Parents(id)) (line += ' ') += s->Code(p);
      if (s->IsRefset(id)) {
        line += " refset";
        for (ConceptId m : s->RefsetMembers(id)) (line += ' ') += s->Code(m);
      }
      line += '\n';
      h.Update(line);
    }
  }
  return "sha256:" + h.HexDigest();
}

// ---- SCTIDs

namespace {
constexpr uint8_t kD[10][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
                                {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
                                {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
                                {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
                                {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
constexpr uint8_t kP[8][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
                               {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
                               {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
                               {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
}  // namespace

bool VerhoeffValid(std::string_view digits) {
  int c = 0;
  size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    int d = digits[n - 1 - i] - '0';
    if (d < 0 || d > 9) return false;
    c = kD[c][kP[i % 8][d]];
  }
  return c == 0;
}

std::optional<std::string> SctidProblem(std::string_view text, bool concept_only) {
  if (text.empty()) return "it is empty";
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "an SCTID has only digits";
  }
  if (text.size() < 6 || text.size() > 18) return "an SCTID has 6 to 18 digits";
  if (text[0] == '0') return "an SCTID has no leading zero";
  if (!VerhoeffValid(text)) return "its check digit is wrong (Verhoeff)";
  std::string_view partition = text.substr(text.size() - 3, 2);
  if (concept_only && partition != "00" && partition != "10") {
    return "its partition `" + std::string(partition) +
           "` is not a concept's (00, or 10 in an extension)";
  }
  return std::nullopt;
}

}  // namespace caldicott::schema
