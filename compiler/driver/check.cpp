// `caldicott check`: parse and check agreements, report diagnostics, and
// dump what the compiler made of them (docs/cli.md).
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "compiler/ast/dump.h"
#include "compiler/check/check.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/driver/commands.h"
#include "compiler/ir/ir.h"
#include "compiler/parse/parse.h"
#include "compiler/pipeline/pipeline.h"
#include "compiler/source/source.h"

namespace caldicott::driver {

namespace {

struct CheckOptions {
  std::vector<std::string> files;
  CompileOptions compile;
  bool parse_only = false;
  enum class Dump { None, Ast, Tokens, Groups, Ir } dump = Dump::None;
};

void DeclareCheck(Subcommand& cmd, CheckOptions& o) {
  cmd.Sources(o.files);
  cmd.Flag("--parse-only", o.parse_only,
           "stop after parsing and resolving imports: no checks of names, codes or agreements, "
           "and no schema is loaded");
  using Dump = CheckOptions::Dump;
  cmd.Choice(
      "--dump", o.dump, "dump",
      {{"ast", Dump::Ast}, {"tokens", Dump::Tokens}, {"groups", Dump::Groups}, {"ir", Dump::Ir}},
      "print the syntax tree (`ast`) or the tokens (`tokens`) of each file named, every "
      "code group expanded to its codes (`groups`), or the policy IR: agreements, rules, "
      "conditions (`ir`)");
  cmd.Compiles(o.compile);
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
  pipeline::Options options = PipelineOptions(o.compile);
  options.parse_only = o.parse_only;
  pipeline::Compilation compilation(options);
  source::SourceManager& sources = compilation.sources();
  Reporter reporter(o.compile.diagnostics, sources, err, env);
  diag::Diagnostics& diags = reporter.diags();

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

const Command kCheck = {"check", "parse and check agreements; report diagnostics",
                        Declared<CheckOptions, DeclareCheck, Check>};

}  // namespace caldicott::driver
