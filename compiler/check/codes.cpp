// Codes against the coding schema: code systems, the format, presence,
// activity and term of each code, and SNOMED CT top-level hierarchies.
#include "compiler/check/codes.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <regex>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace caldicott::check::detail {

namespace {

using diag::DiagKind;
using schema::ConceptId;

constexpr std::string_view kSnomedRoot = "138875005";
constexpr std::string_view kProduct = "373873005";    // |Pharmaceutical / biologic product|
constexpr std::string_view kSubstance = "105590001";  // |Substance|
constexpr std::string_view kFinding = "404684003";    // |Clinical finding|

bool EqualIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Why `code` is not a valid code of the system named `system`, if it is not.
std::optional<std::string> FormatProblem(std::string_view system, const std::string& code) {
  // Each pattern is compiled once, not once per code checked.
  static const std::regex kIcd10(
      R"([A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?|[A-Z][0-9]{2}-[A-Z][0-9]{2}|[IVX]+)");
  static const std::regex kRead(R"([0-9A-Za-z]{1,5}\.{0,4})");
  static const std::regex kLoinc(R"((L[APG])?[0-9]{1,8}-[0-9])");
  auto matches = [&](const std::regex& pattern) { return std::regex_match(code, pattern); };
  if (system == "snomed" || system == "dmd") {
    if (auto p = schema::SctidProblem(code)) {
      if (code.find('E') != std::string::npos && code.find('.') != std::string::npos) {
        return "it looks like a number damaged by a spreadsheet";
      }
      return *p;
    }
  } else if (system == "icd10") {
    if (!matches(kIcd10)) {
      return "an ICD-10 code is a letter and two characters, then optionally `.` and up to four "
             "more (E11, E11.9)";
    }
  } else if (system == "readv2" || system == "ctv3") {
    if (!matches(kRead) || code.size() != 5) {
      return "a Read code has five characters, padded with dots (C10.., C10E.)";
    }
  } else if (system == "loinc") {
    if (!matches(kLoinc)) {
      return "a LOINC code is digits, `-` and a check digit (2345-7)";
    }
  }
  return std::nullopt;
}

bool AllIn(const std::set<std::string>& tops, std::initializer_list<std::string_view> allowed) {
  if (tops.empty()) return false;
  return std::all_of(tops.begin(), tops.end(), [&](const std::string& t) {
    return std::find(allowed.begin(), allowed.end(), t) != allowed.end();
  });
}

}  // namespace

std::string SystemTitle(const schema::CodeSystem& cs) {
  if (cs.uri() == schema::kSnomedUri) return "SNOMED CT";
  return "`" + cs.name() + "`";
}

void TopLevels(const schema::CodeSystem& cs, ConceptId id, std::set<std::string>* tops) {
  if (tops == nullptr || cs.uri() != schema::kSnomedUri) return;
  std::vector<ConceptId> stack{id};
  std::set<ConceptId> seen{id};
  while (!stack.empty()) {
    ConceptId c = stack.back();
    stack.pop_back();
    auto parents = cs.Parents(c);
    for (ConceptId p : parents) {
      if (cs.Code(p) == kSnomedRoot) {
        tops->insert(std::string(cs.Code(c)));
      } else if (seen.insert(p).second) {
        stack.push_back(p);
      }
    }
    if (parents.empty() && cs.Code(c) != kSnomedRoot) tops->insert(std::string(cs.Code(c)));
  }
}

bool OnlyProductHierarchies(const std::set<std::string>& tops) {
  return AllIn(tops, {kProduct, kSubstance});
}

bool OnlyFindingHierarchies(const std::set<std::string>& tops) {
  return AllIn(tops, {kFinding});
}

const schema::CodeSystem* Codes::System(const ast::Name& name) {
  if (const schema::CodeSystem* cs = s_.schema.ByName(name.text)) return cs;
  if (!missing_systems_.insert(name.text).second) return nullptr;
  if (auto uri = schema::UriForName(name.text)) {
    s_.diags
        .Emit(DiagKind::UnknownCodeSystem, name.range,
              fmt::format("no code system `{}` ({}) is loaded", name.text, *uri))
        .Help("load it with `--schema PATH`: a FHIR CodeSystem or an RF2 release");
    return nullptr;
  }
  std::vector<std::string_view> names;
  std::vector<const schema::CodeSystem*> systems = s_.schema.Systems();
  for (const schema::CodeSystem* cs : systems) names.push_back(cs->name());
  for (const schema::Binding& b : schema::StandardBindings()) names.push_back(b.name);
  auto b = s_.diags.Emit(DiagKind::UnknownCodeSystem, name.range,
                         fmt::format("unknown code system `{}`", name.text));
  std::string_view guess = diag::ClosestMatch(name.text, names);
  if (!guess.empty()) {
    b.Help(fmt::format("did you mean `{}`?", guess));
  } else {
    std::string all;
    for (std::string_view n : names) {
      if (all.find("`" + std::string(n) + "`") == std::string::npos) {
        all += (all.empty() ? "`" : ", `") + std::string(n) + "`";
      }
    }
    b.Help("the code systems are " + all);
  }
  return nullptr;
}

std::optional<ConceptId> Codes::Concept(const ast::EclCode& c, const schema::CodeSystem& cs) {
  const std::string& code = c.code.text;
  if (auto problem = FormatProblem(cs.name(), code)) {
    s_.diags.Emit(DiagKind::BadCodeFormat, c.code.range,
                  fmt::format("`{}` is not a valid {} code: {}", code, SystemTitle(cs), *problem));
    return std::nullopt;
  }
  std::optional<ConceptId> id = cs.Find(code);
  if (!id) {
    auto b = s_.diags.Emit(
        DiagKind::CodeNotInSchema, c.code.range,
        fmt::format("`{}` is not in the loaded {} ({})", code, SystemTitle(cs), cs.source()));
    if (c.term) {
      for (ConceptId other = 0; other < cs.size(); ++other) {
        if (EqualIgnoringCase(cs.PreferredTerm(other), c.term->value)) {
          b.Help(fmt::format("`{}` has that term: did you mean it?", cs.Code(other)));
          return std::nullopt;
        }
      }
    }
    b.Help(cs.source().starts_with("<default schema>")
               ? "the default schema is a small demonstration fragment; load your release with "
                 "`--schema PATH`"
               : "check the code, or the release loaded with `--schema`");
    return std::nullopt;
  }
  if (!cs.Active(*id)) {
    s_.diags
        .Emit(DiagKind::InactiveCode, c.code.range,
              fmt::format("`{}` |{}| is inactive in the loaded {}", code, cs.PreferredTerm(*id),
                          SystemTitle(cs)))
        .Help("records may still carry it, so it still counts; prefer its active replacement");
  }
  if (c.term && !cs.PreferredTerm(*id).empty() &&
      !EqualIgnoringCase(c.term->value, cs.PreferredTerm(*id))) {
    s_.diags
        .Emit(DiagKind::TermMismatch, c.term->range,
              fmt::format("the term of `{}` is |{}| in the loaded {}", code, cs.PreferredTerm(*id),
                          SystemTitle(cs)))
        .Help(fmt::format("write |{}|, or check that `{}` is the code you meant",
                          cs.PreferredTerm(*id), code));
  }
  return id;
}

}  // namespace caldicott::check::detail
