// `caldicott filter`: a FHIR R4 Bundle in, the Bundle a role may see out
// (docs/cli.md).
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/base/date.h"
#include "compiler/base/file.h"
#include "compiler/base/json.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"
#include "compiler/ir/ir.h"
#include "compiler/pipeline/pipeline.h"
#include "runtime/abi/abi.h"
#include "runtime/engine/engine.h"

namespace caldicott::driver {

namespace {

struct FilterOptions {
  std::vector<std::string> policies;
  std::optional<std::string> artifact;
  std::string agreement;
  std::string role;
  std::optional<std::string> at;
  enum class Engine { Jit, Interp } engine = Engine::Jit;
  std::optional<std::string> explain;
  CompileOptions compile;
  std::string input = "-";
};

void DeclareFilter(Subcommand& cmd, FilterOptions& o) {
  cmd.Argument("BUNDLE.json", o.input,
               "the FHIR R4 Bundle to filter; `-` or none for standard input");
  cmd.Value("--policy", o.policies, "FILE.dsa",
            "the agreements, compiled with the compile options (repeatable; imports are "
            "followed)");
  cmd.Value("--artifact", o.artifact, "FILE.cpol",
            "or: a compiled artefact; then only --schema of the compile options applies, and "
            "must be the schema it was compiled against");
  cmd.Value("--agreement", o.agreement, "NAME", "the agreement to apply")->required();
  cmd.Value("--role", o.role, "ROLE", "the role of the person asking")->required();
  cmd.Value("--at", o.at, "YYYY-MM-DD", "the date of the request (default: today, UTC)")
      ->check(
          [](const std::string& text) {
            return base::ParseDay(text)
                       ? std::string()
                       : fmt::format("`--at` takes a date YYYY-MM-DD, not `{}`", text);
          },
          "", "");
  using Engine = FilterOptions::Engine;
  cmd.Choice("--engine", o.engine, "engine", {{"jit", Engine::Jit}, {"interp", Engine::Interp}},
             "with --policy: native code (the default) or the interpreter");
  cmd.Value("--explain", o.explain, "OUT.jsonl",
            "write one JSON line per entry: what was decided and why");
  cmd.Compiles(o.compile);
}

// What the options cannot say one by one.
void Validate(const FilterOptions& o) {
  if (o.policies.empty() && !o.artifact) {
    throw UsageError{"`filter` needs `--policy FILE.dsa` or `--artifact FILE.cpol`"};
  }
  if (!o.policies.empty() && o.artifact) {
    throw UsageError{"give `--policy` or `--artifact`, not both"};
  }
  if (o.artifact && o.engine == FilterOptions::Engine::Interp) {
    throw UsageError{"an artefact holds native code; `--engine interp` needs `--policy`"};
  }
}

caldicott_date Today() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return base::DaysFromCivil(utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday);
}

// One JSON line per entry of the Bundle.
std::string Explanation(const fhir::FilterResult& r, const ir::Policy& policy) {
  std::string out;
  for (const fhir::EntryReport& e : r.entries) {
    std::string resource = e.resource_type + (e.id.empty() ? "" : "/" + e.id);
    std::string rule = "null";
    if (const ir::Rule* rr = policy.RuleNumbered(e.decision.rule)) {
      rule = fmt::format(
          "{{\"number\":{},\"agreement\":{},\"statement\":{},\"exclude\":{},\"location\":{},"
          "\"text\":{}}}",
          rr->number, base::JsonString(policy.Get(rr->agreement).name), rr->statement,
          rr->exclude ? "true" : "false",
          base::JsonString(fmt::format("{}:{}:{}", rr->loc.file, rr->loc.line, rr->loc.column)),
          base::JsonString(rr->text));
    }
    bool clinical = e.category == fhir::Category::kClinical;
    out += fmt::format(
        "{{\"index\":{},\"resource\":{},\"category\":{},\"kind\":{},\"status\":{},\"date\":{},"
        "\"decision\":{},\"reason\":{},\"rule\":{}}}\n",
        e.index, base::JsonString(resource), base::JsonString(fhir::CategoryName(e.category)),
        clinical ? base::JsonString(abi::KindName(e.kind)) : "null",
        clinical ? base::JsonString(abi::StatusName(e.status)) : "null",
        e.date == CALDICOTT_NO_DATE ? "null" : base::JsonString(base::DateText(e.date)),
        e.kept ? "\"keep\"" : "\"withhold\"", base::JsonString(fhir::OutcomeText(e.outcome)), rule);
  }
  return out;
}

int Filter(const FilterOptions& o, std::ostream& out, std::ostream& err, const Environment& env) {
  Validate(o);
  caldicott_date at = o.at ? *base::ParseDay(*o.at) : Today();

  // Compile, reporting like `check`, or load the artefact.
  runtime::PolicyEngine engine;
  engine.schema_paths = o.compile.schema_paths;
  // One Bundle, then exit: the JIT's quick code, without the optimised
  // code a long-lived host gets a moment later (docs/runtime.md, "Tiers").
  engine.backend = o.engine == FilterOptions::Engine::Interp ? CALDICOTT_BACKEND_INTERP
                                                             : CALDICOTT_BACKEND_JIT_QUICK;
  std::string error;
  if (o.artifact) {
    std::string bytes;
    if (!base::ReadWholeFile(*o.artifact, bytes, error)) {
      err << "caldicott: error: " << error << '\n';
      return kUsageOrIo;
    }
    if (engine.LoadArtifact(bytes, error) != CALDICOTT_OK) {
      err << "caldicott: error: " << *o.artifact << ": " << error << '\n';
      return kUsageOrIo;
    }
    // An artefact carries its codes; a schema given must be the one it was
    // compiled against, or the codes would not be what the user expects.
    if (!o.compile.schema_paths.empty()) {
      int exit_code = kSuccess;
      auto schema = LoadSchemaWithDiagnostics(o.compile.schema_paths, o.compile.diagnostics, err,
                                              env, exit_code);
      if (schema == nullptr) return exit_code;
      if (schema->Hash() != engine.manifest()->schema_hash) {
        err << "caldicott: error: " << *o.artifact
            << ": compiled against another coding schema than the one given; recompile it "
               "with this `--schema`, or leave `--schema` out\n";
        return kUsageOrIo;
      }
    }
  } else {
    int exit_code = kSuccess;
    auto compilation = CompileWithDiagnostics(o.policies, o.compile, err, env, exit_code);
    if (compilation == nullptr) return exit_code;
    if (engine.Adopt(*compilation->TakePolicy(), error) != CALDICOTT_OK) {
      err << "caldicott: error: " << error << '\n';
      return kUsageOrIo;
    }
  }
  const ir::Policy& policy = *engine.policy();
  auto agreement = policy.Find(o.agreement);
  if (!agreement) {
    std::string names;
    for (const ir::Agreement& a : policy.agreements)
      names += (names.empty() ? "`" : ", `") + a.name + "`";
    err << fmt::format("caldicott: error: no agreement `{}`; the agreements are {}\n", o.agreement,
                       names.empty() ? "none" : names);
    return kUsageOrIo;
  }

  auto input = fhir::PaddedBuffer::ReadFile(o.input, error);
  if (!input) {
    err << "caldicott: error: " << error << '\n';
    return kUsageOrIo;
  }
  caldicott_request request{o.role.data(), o.role.size(), at, nullptr, 0};
  std::string why;
  fhir::FilterResult r =
      engine.FilterBundle(*agreement, request, *input, o.explain.has_value(), &why);
  if (r.status == fhir::FilterResult::Status::kError) {
    err << "caldicott: error: " << (o.input == "-" ? "<stdin>" : o.input) << ": " << r.error
        << '\n';
    return kUsageOrIo;
  }
  if (r.status == fhir::FilterResult::Status::kDoesNotApply) {
    err << fmt::format("caldicott: agreement `{}` does not apply to role `{}` on {}: {}\n",
                       o.agreement, o.role, base::DateText(at), why);
    return kDoesNotApply;
  }
  if (o.explain && !WriteAtomically(*o.explain, Explanation(r, policy), error)) {
    err << "caldicott: error: " << error << '\n';
    return kUsageOrIo;
  }
  out.write(r.output.data(), static_cast<std::streamsize>(r.output.size()));
  out.flush();
  if (!out) {
    err << "caldicott: error: cannot write the filtered Bundle to standard output\n";
    return kUsageOrIo;
  }
  return kSuccess;
}

}  // namespace

const Command kFilter = {"filter", "write the FHIR R4 Bundle that a role may see to stdout",
                         Declared<FilterOptions, DeclareFilter, Filter>};

}  // namespace caldicott::driver
