// `caldicott filter`: a FHIR R4 Bundle in, the Bundle a role may see out
// (DESIGN.md section 7).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
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
  std::string engine = "jit";
  std::optional<std::string> explain;
  std::vector<std::string> schema_paths;
  std::string input = "-";
  bool input_given = false;
};

FilterOptions ParseFilter(std::span<const std::string> args) {
  FilterOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (Matches(a, "--policy")) {
      o.policies.push_back(TakeValue(args, i, "--policy"));
    } else if (Matches(a, "--artifact")) {
      o.artifact = TakeValue(args, i, "--artifact");
    } else if (Matches(a, "--agreement")) {
      o.agreement = TakeValue(args, i, "--agreement");
    } else if (Matches(a, "--role")) {
      o.role = TakeValue(args, i, "--role");
    } else if (Matches(a, "--at")) {
      o.at = TakeValue(args, i, "--at");
    } else if (Matches(a, "--engine")) {
      o.engine = TakeValue(args, i, "--engine");
    } else if (Matches(a, "--explain")) {
      o.explain = TakeValue(args, i, "--explain");
    } else if (Matches(a, "--schema")) {
      o.schema_paths.push_back(TakeValue(args, i, "--schema"));
    } else if (a == "-" || a.empty() || a[0] != '-') {
      if (o.input_given) throw UsageError{"`filter` reads one BUNDLE"};
      o.input = a, o.input_given = true;
    } else {
      throw UsageError{fmt::format("unknown option `{}` for `filter`", a)};
    }
  }
  if (o.policies.empty() && !o.artifact) {
    throw UsageError{"`filter` needs `--policy FILE.dsa` or `--artifact FILE.cpol`"};
  }
  if (!o.policies.empty() && o.artifact) {
    throw UsageError{"give `--policy` or `--artifact`, not both"};
  }
  if (o.agreement.empty()) throw UsageError{"`filter` needs `--agreement NAME`"};
  if (o.role.empty()) throw UsageError{"`filter` needs `--role ROLE`"};
  if (o.artifact && o.engine == "interp") {
    throw UsageError{"an artefact holds native code; `--engine interp` needs `--policy`"};
  }
  if (o.engine != "interp" && o.engine != "jit") {
    throw UsageError{fmt::format("unknown engine `{}`; expected `jit` or `interp`", o.engine)};
  }
  return o;
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

}  // namespace

bool Matches(const std::string& arg, std::string_view name) {
  return arg == name || (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 &&
                         arg[name.size()] == '=');
}

std::string TakeValue(std::span<const std::string> args, size_t& i, std::string_view name) {
  const std::string& arg = args[i];
  if (arg.size() > name.size() && arg[name.size()] == '=') return arg.substr(name.size() + 1);
  if (i + 1 >= args.size()) throw UsageError{fmt::format("`{}` needs a value", name)};
  return args[++i];
}

bool WriteAtomically(const std::string& path, std::string_view text, std::string& error) {
  std::filesystem::path target(path);
  std::filesystem::path tmp = target;
  tmp += fmt::format(".tmp{}", ::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      error = fmt::format("cannot write `{}`: {}", path, std::strerror(errno));
      return false;
    }
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.flush();
    if (!f) {
      error = fmt::format("cannot write `{}`: {}", path, std::strerror(errno));
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, target, ec);
  if (ec) {
    error = fmt::format("cannot write `{}`: {}", path, ec.message());
    std::filesystem::remove(tmp, ec);
    return false;
  }
  return true;
}

std::unique_ptr<pipeline::Compilation> CompileWithDiagnostics(
    const std::vector<std::string>& files, const std::vector<std::string>& schema_paths,
    std::ostream& err, const Environment& env, int& exit_code) {
  pipeline::Options options;
  options.schema_paths = schema_paths;
  auto compilation = std::make_unique<pipeline::Compilation>(options);
  bool color = env.stderr_is_terminal && !env.no_color;
  diag::TextConsumer text(err, compilation->sources(),
                          color ? diag::ColorMode::Always : diag::ColorMode::Never);
  diag::SortingConsumer sorted(text);
  diag::Diagnostics diags(sorted, 50);
  bool ok = compilation->Run(files, diags);
  diags.Finish();
  if (!ok) {
    exit_code = diags.has_io_errors() ? kUsageOrIo : kSourceErrors;
    return nullptr;
  }
  return compilation;
}

std::shared_ptr<const schema::Schema> LoadSchemaWithDiagnostics(
    const std::vector<std::string>& paths, std::ostream& err, const Environment& env,
    int& exit_code) {
  source::SourceManager sources;
  bool color = env.stderr_is_terminal && !env.no_color;
  diag::TextConsumer text(err, sources, color ? diag::ColorMode::Always : diag::ColorMode::Never);
  diag::Diagnostics diags(text, 50);
  auto schema = pipeline::LoadSchema(paths, diags);
  diags.Finish();
  if (diags.errors() > 0) {
    exit_code = kUsageOrIo;
    return nullptr;
  }
  return schema;
}

int Filter(std::span<const std::string> args, std::ostream& out, std::ostream& err,
           const Environment& env) {
  FilterOptions o = ParseFilter(args);
  caldicott_date at = Today();
  if (o.at) {
    auto day = base::ParseDay(*o.at);
    if (!day) throw UsageError{fmt::format("`--at` takes a date YYYY-MM-DD, not `{}`", *o.at)};
    at = *day;
  }

  // Compile, reporting like `check`, or load the artefact.
  runtime::PolicyEngine engine;
  engine.schema_paths = o.schema_paths;
  // One Bundle, then exit: the JIT's quick code, without the optimised
  // code a long-lived host gets a moment later (docs/runtime.md, "Tiers").
  engine.backend = o.engine == "interp" ? CALDICOTT_BACKEND_INTERP : CALDICOTT_BACKEND_JIT_QUICK;
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
    if (!o.schema_paths.empty()) {
      int exit_code = kSuccess;
      auto schema = LoadSchemaWithDiagnostics(o.schema_paths, err, env, exit_code);
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
    auto compilation = CompileWithDiagnostics(o.policies, o.schema_paths, err, env, exit_code);
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

}  // namespace caldicott::driver
