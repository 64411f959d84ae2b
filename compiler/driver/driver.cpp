#include "compiler/driver/driver.h"

#include "compiler/driver/commands.h"

#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "compiler/ast/dump.h"
#include "compiler/check/check.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/ir/ir.h"
#include "compiler/parse/parse.h"
#include "compiler/pipeline/pipeline.h"
#include "compiler/source/source.h"

namespace caldicott::driver {

namespace {

constexpr std::string_view kUsage = R"(usage: caldicott <command> [options] FILE...

Caldicott compiles data sharing agreements (.dsa) into filters.

commands:
  check FILE...          parse and check agreements; report diagnostics
  compile FILE... -o OUT.cpol
                         compile agreements to native code in an artefact
  filter (--policy FILE.dsa | --artifact OUT.cpol) --agreement NAME --role ROLE
         [BUNDLE.json | -]
                         write the FHIR R4 Bundle that ROLE may see to stdout
  emit-llvm FILE...      print the optimised LLVM IR of the agreements
  inspect OUT.cpol       print the manifest of an artefact

options for check:
  --schema=PATH          load a code system: a FHIR CodeSystem (.json), an RF2
                         Snapshot directory, or a directory of these; repeatable.
                         A system given here replaces the default one.
  --parse-only           stop after parsing and resolving imports: no checks of
                         names, codes or agreements, and no schema is loaded
  --dump=ast             print the syntax tree of each file named
  --dump=tokens          print the tokens of each file named
  --dump=groups          print every code group expanded to its codes
  --dump=ir              print the policy IR: agreements, rules, conditions
  --diagnostics=FORMAT   `text` (default) or `json` (one JSON document on stderr)
  --color=WHEN           `auto` (default), `always` or `never`
  --error-limit=N        stop after N errors (default 50; 0 for no limit)
  --stdlib=DIR           read `std:` modules from DIR instead of the built-in ones

options for compile and emit-llvm:
  -o, --output=OUT.cpol  where compile writes the artefact (atomically)
  --cpu=generic|host     code for any x86-64 machine (default) or tuned for this one
  --schema=PATH          as for check

options for filter:
  --policy=FILE.dsa      the agreements (repeatable; imports are followed)
  --artifact=OUT.cpol    or: a compiled artefact (no schema needed)
  --agreement=NAME       the agreement to apply
  --role=ROLE            the role of the person asking
  --at=YYYY-MM-DD        the date of the request (default: today, UTC)
  --engine=jit|interp    for --policy: native code (default) or the interpreter
  --explain=OUT.jsonl    write one JSON line per entry: what was decided and why
  --schema=PATH          as for check (with --policy)

options for inspect:
  --json                 the manifest as JSON

  -h, --help             show this help
  --version              show the version

exit status: 0 success, 1 errors in the source, 2 usage, I/O or malformed
input (or an artefact that is damaged or not for this machine), 3 the
agreement does not apply to the request (nothing is written).
)";

struct CheckOptions {
  enum class Dump { None, Ast, Tokens, Groups, Ir } dump = Dump::None;
  std::vector<std::string> schema_paths;
  bool parse_only = false;
  bool json = false;
  enum class Color { Auto, Always, Never } color = Color::Auto;
  int error_limit = 50;
  std::optional<std::string> stdlib_dir;
  std::vector<std::string> files;
};

// Splits `--name=value` and `--name value`. Returns the value, consuming the
// next argument when needed.
CheckOptions ParseCheck(std::span<const std::string> args) {
  CheckOptions o;
  bool only_files = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_files || a.empty() || a[0] != '-' || a == "-") {
      if (a == "-") throw UsageError{"`check` reads files, not standard input"};
      o.files.push_back(a);
    } else if (a == "--") {
      only_files = true;
    } else if (Matches(a, "--dump")) {
      std::string v = TakeValue(args, i, "--dump");
      if (v == "ast") {
        o.dump = CheckOptions::Dump::Ast;
      } else if (v == "tokens") {
        o.dump = CheckOptions::Dump::Tokens;
      } else if (v == "groups") {
        o.dump = CheckOptions::Dump::Groups;
      } else if (v == "ir") {
        o.dump = CheckOptions::Dump::Ir;
      } else {
        throw UsageError{
            fmt::format("unknown dump `{}`; expected `ast`, `tokens`, `groups` or `ir`", v)};
      }
    } else if (a == "--parse-only") {
      o.parse_only = true;
    } else if (Matches(a, "--schema")) {
      o.schema_paths.push_back(TakeValue(args, i, "--schema"));
    } else if (Matches(a, "--diagnostics")) {
      std::string v = TakeValue(args, i, "--diagnostics");
      if (v != "text" && v != "json") {
        throw UsageError{
            fmt::format("unknown diagnostics format `{}`; expected `text` or `json`", v)};
      }
      o.json = v == "json";
    } else if (Matches(a, "--color")) {
      std::string v = TakeValue(args, i, "--color");
      if (v == "auto") {
        o.color = CheckOptions::Color::Auto;
      } else if (v == "always") {
        o.color = CheckOptions::Color::Always;
      } else if (v == "never") {
        o.color = CheckOptions::Color::Never;
      } else {
        throw UsageError{
            fmt::format("unknown color mode `{}`; expected `auto`, `always` or `never`", v)};
      }
    } else if (Matches(a, "--error-limit")) {
      std::string v = TakeValue(args, i, "--error-limit");
      int n = -1;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || p != v.data() + v.size() || n < 0) {
        throw UsageError{fmt::format("`--error-limit` needs a whole number, not `{}`", v)};
      }
      o.error_limit = n;
    } else if (Matches(a, "--stdlib")) {
      o.stdlib_dir = TakeValue(args, i, "--stdlib");
    } else {
      throw UsageError{fmt::format("unknown option `{}` for `check`", a)};
    }
  }
  if (o.files.empty()) throw UsageError{"`check` needs at least one FILE"};
  return o;
}

// Control characters in a token's text shown as \xNN.
std::string Escaped(std::string_view text) {
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    out += c < 0x20 || c == 0x7f ? fmt::format("\\x{:02x}", c) : std::string(1, ch);
  }
  return out;
}

void DumpGroups(const check::CheckedProgram& checked, const source::SourceManager& sources,
                std::ostream& out) {
  for (const check::Group& g : checked.groups) {
    source::LineCol lc = sources.Get(g.decl->range.file).Position(g.decl->range.begin);
    out << fmt::format("{} {} ({}:{}): {} code{}\n", ast::Spelling(g.kind), g.name,
                       sources.Get(g.decl->range.file).display_name(), lc.line, g.CodeCount(),
                       g.CodeCount() == 1 ? "" : "s");
    for (const check::CodeSet& set : g.sets) {
      out << "  " << set.system << " " << set.codes.size() << ":";
      for (const std::string& code : set.codes) out << ' ' << code;
      out << '\n';
    }
  }
}

int Check(const CheckOptions& o, std::ostream& out, std::ostream& err, const Environment& env) {
  pipeline::Options options;
  options.schema_paths = o.schema_paths;
  options.stdlib_dir = o.stdlib_dir;
  options.parse_only = o.parse_only;
  options.max_errors_per_file = o.error_limit > 0 ? o.error_limit : 1000;
  pipeline::Compilation compilation(options);
  source::SourceManager& sources = compilation.sources();

  bool color = o.color == CheckOptions::Color::Always ||
               (o.color == CheckOptions::Color::Auto && env.stderr_is_terminal && !env.no_color);
  diag::TextConsumer text(err, sources, color ? diag::ColorMode::Always : diag::ColorMode::Never);
  diag::JsonConsumer json(err, sources);
  diag::Consumer& consumer = o.json ? static_cast<diag::Consumer&>(json) : text;
  diag::SortingConsumer sorted(consumer);
  diag::Diagnostics diags(sorted, o.error_limit);

  compilation.Run(o.files, diags);
  const load::Program& program = compilation.program();
  if (o.dump == CheckOptions::Dump::Groups && compilation.checked() != nullptr) {
    DumpGroups(*compilation.checked(), sources, out);
  }
  if (o.dump == CheckOptions::Dump::Ir && compilation.policy() != nullptr) {
    ir::Dump(*compilation.policy(), out);
  }

  for (size_t root : program.roots) {
    const ast::Module& m = program.modules[root].ast;
    if (o.dump == CheckOptions::Dump::Ast) ast::Dump(m, sources, out);
    if (o.dump == CheckOptions::Dump::Tokens) {
      const source::SourceFile& file = sources.Get(m.file);
      for (const parse::Token& t : parse::Tokenize(file)) {
        source::LineCol lc = file.Position(t.range.begin);
        // Escaped: a token's text may hold control characters.
        out << fmt::format("{}:{}:{} {} `{}`\n", file.display_name(), lc.line, lc.column, t.kind,
                           Escaped(t.text));
      }
    }
  }
  out.flush();
  diags.Finish();
  if (diags.has_io_errors()) return kUsageOrIo;
  return diags.errors() > 0 ? kSourceErrors : kSuccess;
}

}  // namespace

int Run(std::span<const std::string> args, std::ostream& out, std::ostream& err,
        const Environment& env) {
  try {
    if (args.empty()) throw UsageError{"no command given"};
    const std::string& command = args[0];
    if (command == "-h" || command == "--help" || command == "help") {
      out << kUsage;
      return kSuccess;
    }
    if (command == "--version") {
      out << "caldicott " << CALDICOTT_VERSION << '\n';
      return kSuccess;
    }
    using Command =
        int (*)(std::span<const std::string>, std::ostream&, std::ostream&, const Environment&);
    static constexpr std::pair<std::string_view, Command> kCommands[] = {
        {"check", [](std::span<const std::string> a, std::ostream& o, std::ostream& e,
                     const Environment& env) { return Check(ParseCheck(a), o, e, env); }},
        {"filter", Filter},
        {"compile", CompileArtifact},
        {"emit-llvm", EmitLlvm},
        {"inspect", Inspect},
    };
    for (const auto& [name, run] : kCommands) {
      if (command != name) continue;
      std::span<const std::string> rest = args.subspan(1);
      for (const std::string& a : rest) {
        if (a == "-h" || a == "--help") {
          out << kUsage;
          return kSuccess;
        }
      }
      return run(rest, out, err, env);
    }
    throw UsageError{fmt::format("unknown command `{}`", command)};
  } catch (const UsageError& e) {
    err << "caldicott: error: " << e.message << "\n"
        << "try `caldicott --help`\n";
    return kUsageOrIo;
  }
}

}  // namespace caldicott::driver
