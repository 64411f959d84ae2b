// caldicott_cedar_export: one request of a compiled locality as Cedar
// policies, the generated entries as Cedar entities, and what Caldicott's
// reference interpreter decides for each (bench/cedar/README.md).
//
//   caldicott_cedar_export --agreement NAME --role ROLE --at YYYY-MM-DD
//       [--entries N] [--seed S] [--mutation NAME] --out DIR FILE.dsa...
//
// The translation is docs/language.md ("What an agreement means") as
// compiler/interp reads it. An
// entry is the resource, an entity Entry::"e<n>" with attributes kind and
// status (strings), dated (bool), date (days since 1970-01-01, 0 when
// undated), codes and labels (sets of "system|code"). The principal is the
// role, Role::"<role>"; the action is Action::"view". Each condition c of a
// rule becomes two Cedar expressions: T(c), "c is certainly true", and
// F(c), "c is certainly false" (Kleene logic: an undated entry makes every
// `recorded ...` atom unknown, so neither holds). A share is a `permit`
// when T(c); an exclude is a `forbid` unless F(c), so that an exclude whose
// condition is unknown withholds, as ours does (where c cannot be unknown,
// that is `when { T(c) }`, and is written so). Cedar's rule "deny if any
// forbid holds, else allow if any permit holds" is exactly "shared iff a
// share matches and no exclude matches". Policies are named rule<N> by the
// rule numbers of the compiled policy, so the deciding rules compare.
//
// Writes into DIR:
//   policies.cedar  the policies as text (each with @id("rule<N>"))
//   policies.json   {"rule<N>": "<policy text>", ...} (Cedar's PolicySet)
//   entities.json   [entity, ...], entry n at index n
//   request.json    principal, action, the rules, the code-set sizes
//   expected.json   {"decisions": [[verdict, reason, rule, [shares], [excludes]], ...]}:
//                   ours, with every share and every exclude that matched
//
// --mutation deliberately mistranslates (to see the comparison fail):
//   two-valued       F(c) = !T(c): an unknown exclude condition shares
//   confidential-r   `confidential` misses label V
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/cedar/entries.h"
#include "compiler/base/date.h"
#include "compiler/base/json.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "compiler/pipeline/pipeline.h"
#include "runtime/abi/abi.h"

namespace caldicott::cedar {
namespace {

constexpr std::string_view kConfidentiality =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

enum class Mutation { None, TwoValued, ConfidentialR };

// A Cedar string literal: JSON's escapes, but \u{..} for control characters.
std::string Quote(std::string_view text) {
  std::string out = "\"";
  base::AppendEscaped(out, text, "\\u{{{:x}}}");
  out += '"';
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

// A Cedar set literal of "system|code" for every code of `set`; a long one
// is broken into lines of about 100 columns.
std::string SetLiteral(const ir::CodeSet& set) {
  std::vector<std::string> items;
  for (const ir::SystemCodes& s : set.systems) {
    for (const std::string& code : s.codes) items.push_back(Quote(CodingKey(s.uri, code)));
  }
  if (items.size() <= 2) return "[" + Join(items, ", ") + "]";
  std::string out = "[";
  size_t column = 100;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ",";
    if (column + items[i].size() + 2 > 100) {
      out += "\n    ";
      column = 4;
    } else {
      out += " ";
      ++column;
    }
    out += items[i];
    column += items[i].size() + 1;
  }
  return out + "\n  ]";
}

size_t SetSize(const ir::CodeSet& set) {
  size_t n = 0;
  for (const ir::SystemCodes& s : set.systems) n += s.codes.size();
  return n;
}

// T(c) and F(c) of the conditions of one policy, for one request date.
class Translator {
 public:
  Translator(const ir::Policy& p, caldicott_date today, Mutation mutation)
      : p_(p), today_(today), mutation_(mutation) {}

  // Certainly true.
  std::string T(ir::CondId id) const {
    const ir::Cond& c = p_.Get(id);
    switch (c.op) {
      case ir::CondOp::True:
        return "true";
      case ir::CondOp::And:
        return Children(c, &Translator::T, " && ", "true");
      case ir::CondOp::Or:
        return Children(c, &Translator::T, " || ", "false");
      case ir::CondOp::Not:
        return F(Child(c, 0));
      case ir::CondOp::KindIn: {
        std::vector<std::string> kinds;
        for (uint32_t k = 0; k < CALDICOTT_KIND_COUNT; ++k) {
          if ((c.a >> k) & 1u) kinds.push_back(Quote(abi::KindName(k)));
        }
        if (kinds.empty()) return "false";
        if (kinds.size() == 1) return "resource.kind == " + kinds[0];
        return "[" + Join(kinds, ", ") + "].contains(resource.kind)";
      }
      case ir::CondOp::StatusIs:
        return "resource.status == " + Quote(abi::StatusName(c.a));
      case ir::CondOp::CodeIn:
        return SetSize(p_.code_sets[c.a]) == 0
                   ? "false"
                   : "resource.codes.containsAny(" + SetLiteral(p_.code_sets[c.a]) + ")";
      case ir::CondOp::LabelIn:
        return SetSize(p_.code_sets[c.a]) == 0
                   ? "false"
                   : "resource.labels.containsAny(" + SetLiteral(p_.code_sets[c.a]) + ")";
      case ir::CondOp::Confidential: {
        std::string r = Quote(CodingKey(kConfidentiality, "R"));
        if (mutation_ == Mutation::ConfidentialR) return "resource.labels.contains(" + r + ")";
        return "resource.labels.containsAny([" + r + ", " +
               Quote(CodingKey(kConfidentiality, "V")) + "])";
      }
      case ir::CondOp::RecordedWithin:
        return Dated(">=", Threshold(c));
      case ir::CondOp::RecordedBefore:
        return Dated("<", c.date);
      case ir::CondOp::RecordedAfter:
        return Dated(">", c.date);
    }
    std::abort();
  }

  // Certainly false. Where no `recorded ...` atom is below c, c is never
  // unknown, and F(c) is !T(c).
  std::string F(ir::CondId id) const {
    if (!MayBeUnknown(id) || mutation_ == Mutation::TwoValued) return "!(" + T(id) + ")";
    const ir::Cond& c = p_.Get(id);
    switch (c.op) {
      case ir::CondOp::And:
        return Children(c, &Translator::F, " || ", "false");
      case ir::CondOp::Or:
        return Children(c, &Translator::F, " && ", "true");
      case ir::CondOp::Not:
        return T(Child(c, 0));
      case ir::CondOp::RecordedWithin:
        return Dated("<", Threshold(c));
      case ir::CondOp::RecordedBefore:
        return Dated(">=", c.date);
      case ir::CondOp::RecordedAfter:
        return Dated("<=", c.date);
      default:
        std::abort();  // not MayBeUnknown
    }
  }

  // Whether c can be unknown: whether a `recorded ...` atom is below it.
  bool MayBeUnknown(ir::CondId id) const {
    const ir::Cond& c = p_.Get(id);
    switch (c.op) {
      case ir::CondOp::RecordedWithin:
      case ir::CondOp::RecordedBefore:
      case ir::CondOp::RecordedAfter:
        return true;
      case ir::CondOp::And:
      case ir::CondOp::Or:
      case ir::CondOp::Not:
        for (uint32_t i = 0; i < c.child_count; ++i) {
          if (MayBeUnknown(Child(c, i))) return true;
        }
        return false;
      default:
        return false;
    }
  }

 private:
  ir::CondId Child(const ir::Cond& c, uint32_t i) const { return p_.children[c.first_child + i]; }

  std::string Children(const ir::Cond& c, std::string (Translator::*f)(ir::CondId) const,
                       std::string_view op, std::string_view empty) const {
    if (c.child_count == 0) return std::string(empty);
    if (c.child_count == 1) return (this->*f)(Child(c, 0));
    std::vector<std::string> parts;
    for (uint32_t i = 0; i < c.child_count; ++i) parts.push_back((this->*f)(Child(c, i)));
    return "(" + Join(parts, op) + ")";
  }

  caldicott_date Threshold(const ir::Cond& c) const {
    return ir::SubtractTime(today_, c.a, static_cast<ir::TimeUnit>(c.b));
  }

  static std::string Dated(std::string_view op, caldicott_date date) {
    return "(resource.dated && resource.date " + std::string(op) + " " + std::to_string(date) + ")";
  }

  const ir::Policy& p_;
  caldicott_date today_;
  Mutation mutation_;
};

struct Args : CommonArgs {
  std::string out;
  Mutation mutation = Mutation::None;
};

[[noreturn]] void Usage(const std::string& why) {
  std::cerr << "caldicott_cedar_export: " << why << "\n"
            << "usage: caldicott_cedar_export --agreement NAME --role ROLE --at YYYY-MM-DD "
               "[--entries N] [--seed S] [--mutation two-valued|confidential-r] --out DIR "
               "FILE.dsa...\n";
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
    if (arg == "--out") {
      a.out = value();
    } else if (arg == "--mutation") {
      std::string m = value();
      if (m == "two-valued") {
        a.mutation = Mutation::TwoValued;
      } else if (m == "confidential-r") {
        a.mutation = Mutation::ConfidentialR;
      } else {
        Usage("unknown mutation " + m);
      }
    } else {
      Usage("unknown option " + std::string(arg));
    }
  }
  if (a.agreement.empty() || a.role.empty() || a.at.empty() || a.out.empty() || a.files.empty()) {
    Usage("--agreement, --role, --at, --out and a file are required");
  }
  return a;
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    std::cerr << "caldicott_cedar_export: cannot write " << path << "\n";
    std::exit(2);
  }
}

std::string Ids(const std::vector<uint32_t>& rules) {
  std::string out = "[";
  for (size_t i = 0; i < rules.size(); ++i) out += (i ? "," : "") + std::to_string(rules[i]);
  return out + "]";
}

int Main(int argc, char** argv) {
  Args args = Parse(argc, argv);
  std::optional<caldicott_date> today = base::ParseDay(args.at);
  if (!today) Usage("--at needs a date YYYY-MM-DD");

  // Compile as the runtime does (runtime/engine/engine.cpp).
  pipeline::Compilation compilation(pipeline::Options{});
  diag::TextConsumer consumer(std::cerr, compilation.sources(), diag::ColorMode::Never);
  diag::SortingConsumer sorted(consumer);
  diag::Diagnostics diags(sorted, 50);
  bool ok = compilation.Run(args.files, diags);
  diags.Finish();
  if (!ok || compilation.policy() == nullptr) return 1;
  const ir::Policy& p = *compilation.policy();
  std::optional<ir::AgreementId> a = p.Find(args.agreement);
  if (!a) {
    std::cerr << "caldicott_cedar_export: no agreement `" << args.agreement << "`\n";
    return 2;
  }
  caldicott_request request{args.role.data(), args.role.size(), *today, nullptr, 0};
  if (const char* why = interp::WhyNotApplies(p, *a, request)) {
    std::cerr << "caldicott_cedar_export: the agreement does not apply: " << why << "\n";
    return 3;
  }
  const ir::Agreement& agreement = p.Get(*a);

  // The policies.
  Translator translate(p, *today, args.mutation);
  std::ostringstream text, json, rules, sets;
  text << "// Cedar policies for agreement `" << agreement.name << "`, role `" << args.role
       << "`, request date " << args.at << ",\n"
       << "// written by caldicott_cedar_export (bench/cedar/README.md). The role check\n"
       << "// repeats what Caldicott's runtime checks before it decides any entry (the\n"
       << "// role is granted, the date is inside `effective`, the practice is a\n"
       << "// controller); those checks are not translated: this is one request where\n"
       << "// the agreement applies. `recorded within` thresholds are computed from the\n"
       << "// request date.\n";
  json << "{";
  bool first = true;
  for (ir::RuleId rid : agreement.rules) {
    const ir::Rule& r = p.Get(rid);
    std::string id = "rule" + std::to_string(r.number);
    std::ostringstream policy;
    policy << "@id(" << Quote(id) << ")\n"
           << (r.exclude ? "forbid" : "permit") << " (\n"
           << "  principal == Role::" << Quote(args.role) << ",\n"
           << "  action == Action::\"view\",\n"
           << "  resource is Entry\n"
           << ")\n";
    if (r.exclude && (translate.MayBeUnknown(r.cond) && args.mutation != Mutation::TwoValued)) {
      policy << "unless { " << translate.F(r.cond) << " };\n";
    } else if (r.exclude) {
      // Never unknown: "unless F(c)" is "when T(c)".
      policy << "when { " << translate.T(r.cond) << " };\n";
    } else {
      policy << "when { " << translate.T(r.cond) << " };\n";
    }
    text << "\n// " << agreement.name << " statement " << r.statement << " (" << r.loc.file << ":"
         << r.loc.line << "): " << r.text << "\n"
         << policy.str();
    json << (first ? "\n" : ",\n") << base::JsonString(id) << ": "
         << base::JsonString(policy.str());
    rules << (first ? "\n" : ",\n") << "  {\"id\": " << base::JsonString(id)
          << ", \"number\": " << r.number
          << ", \"effect\": " << (r.exclude ? "\"forbid\"" : "\"permit\"")
          << ", \"text\": " << base::JsonString(r.text) << "}";
    first = false;
  }
  json << "\n}\n";
  // The sizes of the code sets this agreement's rules use.
  std::map<std::string, size_t> used;
  std::vector<ir::CondId> stack;
  for (ir::RuleId rid : agreement.rules) stack.push_back(p.Get(rid).cond);
  while (!stack.empty()) {
    const ir::Cond& c = p.Get(stack.back());
    stack.pop_back();
    if (c.op == ir::CondOp::CodeIn || c.op == ir::CondOp::LabelIn) {
      used[p.code_sets[c.a].name] = SetSize(p.code_sets[c.a]);
    }
    for (uint32_t i = 0; i < c.child_count; ++i) stack.push_back(p.children[c.first_child + i]);
  }
  first = true;
  for (const auto& [name, size] : used) {
    sets << (first ? "" : ", ") << base::JsonString(name) << ": " << size;
    first = false;
  }

  std::filesystem::path out(args.out);
  std::filesystem::create_directories(out);
  WriteFile(out / "policies.cedar", text.str());
  WriteFile(out / "policies.json", json.str());
  std::ostringstream req;
  req << "{\n\"agreement\": " << base::JsonString(agreement.name)
      << ",\n\"role\": " << base::JsonString(args.role)
      << ",\n\"date\": " << base::JsonString(args.at)
      << ",\n\"principal\": {\"type\": \"Role\", \"id\": " << base::JsonString(args.role)
      << "},\n\"action\": {\"type\": \"Action\", \"id\": \"view\"},\n\"entries\": " << args.entries
      << ",\n\"seed\": " << args.seed << ",\n\"rules\": [" << rules.str()
      << "\n],\n\"code_sets\": {" << sets.str() << "}\n}\n";
  WriteFile(out / "request.json", req.str());

  // The entries, and what the reference interpreter decides for each, with
  // every share and exclude that matched (Cedar's reasons are such sets).
  Batch batch = MakeBatch(args.entries, args.seed);
  std::ostringstream entities, expected;
  entities << "[";
  expected << "{\"decisions\": [";
  for (size_t n = 0; n < batch.entries.size(); ++n) {
    const caldicott_entry& e = batch.entries[n];
    entities << (n ? ",\n" : "\n");
    WriteEntity(entities, n, e);
    caldicott_decision d = interp::Decide(p, *a, *today, e);
    std::vector<uint32_t> shares, excludes;
    for (ir::RuleId rid : agreement.rules) {
      const ir::Rule& r = p.Get(rid);
      interp::Truth t = interp::Evaluate(p, r.cond, *today, e);
      if (r.exclude && t != interp::Truth::False) excludes.push_back(r.number);
      if (!r.exclude && t == interp::Truth::True) shares.push_back(r.number);
    }
    // The deciding rule is the first exclude that matched, else the first
    // share: the lowest number of the set (rules are numbered in order).
    uint32_t expect = !excludes.empty() ? excludes.front() : !shares.empty() ? shares.front() : 0;
    if (d.rule != expect) {
      std::cerr << "caldicott_cedar_export: entry " << n << ": the interpreter decided by rule "
                << d.rule << ", the matching rules say " << expect << "\n";
      return 1;
    }
    expected << (n ? ",\n" : "\n") << "[" << d.verdict << "," << d.reason << "," << d.rule << ","
             << Ids(shares) << "," << Ids(excludes) << "]";
  }
  entities << "\n]\n";
  expected << "\n]}\n";
  WriteFile(out / "entities.json", entities.str());
  WriteFile(out / "expected.json", expected.str());
  return 0;
}

}  // namespace
}  // namespace caldicott::cedar

int main(int argc, char** argv) {
  return caldicott::cedar::Main(argc, argv);
}
