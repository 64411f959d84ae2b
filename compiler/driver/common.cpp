// What the subcommands share once their options are parsed.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "compiler/driver/commands.h"

namespace caldicott::driver {

namespace {

std::unique_ptr<diag::Consumer> Format(const DiagnosticOptions& o,
                                       const source::SourceManager& sources, std::ostream& err,
                                       const Environment& env) {
  if (o.json) return std::make_unique<diag::JsonConsumer>(err, sources);
  using Color = DiagnosticOptions::Color;
  bool color = o.color == Color::Always ||
               (o.color == Color::Auto && env.stderr_is_terminal && !env.no_color);
  return std::make_unique<diag::TextConsumer>(
      err, sources, color ? diag::ColorMode::Always : diag::ColorMode::Never);
}

}  // namespace

Reporter::Reporter(const DiagnosticOptions& o, const source::SourceManager& sources,
                   std::ostream& err, const Environment& env)
    : format_(Format(o, sources, err, env)), sorted_(*format_), diags_(sorted_, o.error_limit) {}

pipeline::Options PipelineOptions(const CompileOptions& o) {
  pipeline::Options options;
  options.schema_paths = o.schema_paths;
  options.stdlib_dir = o.stdlib_dir;
  int limit = o.diagnostics.error_limit;
  options.max_errors_per_file = limit > 0 ? limit : 1000;
  return options;
}

std::unique_ptr<pipeline::Compilation> CompileWithDiagnostics(const std::vector<std::string>& files,
                                                              const CompileOptions& o,
                                                              std::ostream& err,
                                                              const Environment& env,
                                                              int& exit_code) {
  auto compilation = std::make_unique<pipeline::Compilation>(PipelineOptions(o));
  Reporter reporter(o.diagnostics, compilation->sources(), err, env);
  bool ok = compilation->Run(files, reporter.diags());
  reporter.diags().Finish();
  if (!ok) {
    exit_code = reporter.diags().has_io_errors() ? kUsageOrIo : kSourceErrors;
    return nullptr;
  }
  return compilation;
}

std::shared_ptr<const schema::Schema> LoadSchemaWithDiagnostics(
    const std::vector<std::string>& paths, const DiagnosticOptions& o, std::ostream& err,
    const Environment& env, int& exit_code) {
  source::SourceManager sources;
  Reporter reporter(o, sources, err, env);
  auto schema = pipeline::LoadSchema(paths, reporter.diags());
  reporter.diags().Finish();
  if (reporter.diags().errors() > 0) {
    exit_code = kUsageOrIo;
    return nullptr;
  }
  return schema;
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

}  // namespace caldicott::driver
