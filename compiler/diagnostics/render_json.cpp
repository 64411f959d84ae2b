// The machine rendering of diagnostics, for build pipelines.
#include <fmt/format.h>

#include "compiler/base/json.h"
#include "compiler/diagnostics/diagnostics.h"

namespace caldicott::diag {

using base::JsonEscape;

namespace {

std::string Place(const source::SourceManager& sources, source::SourceRange range,
                  const std::string& path, uint32_t path_line = 0) {
  if (!range.valid()) {
    if (path.empty()) return "\"file\":null";
    if (path_line > 0)
      return fmt::format("\"file\":\"{}\",\"line\":{}", JsonEscape(path), path_line);
    return fmt::format("\"file\":\"{}\"", JsonEscape(path));
  }
  const source::SourceFile& file = sources.Get(range.file);
  source::LineCol b = file.Position(range.begin);
  source::LineCol e = file.Position(std::max(range.end, range.begin));
  return fmt::format("\"file\":\"{}\",\"line\":{},\"column\":{},\"end_line\":{},\"end_column\":{}",
                     JsonEscape(file.display_name()), b.line, b.column, e.line, e.column);
}

}  // namespace

void JsonConsumer::Consume(const Diagnostic& d) {
  const DiagKindInfo& info = Info(d.kind);
  std::string notes;
  for (const Note& n : d.notes) {
    if (!notes.empty()) notes += ',';
    notes += fmt::format("{{\"message\":\"{}\",{}}}", JsonEscape(n.message),
                         Place(sources_, n.range, {}));
  }
  rendered_.push_back(fmt::format(
      "{{\"severity\":\"{}\",\"code\":\"{}\",\"message\":\"{}\",{},\"help\":{},\"notes\":[{}]}}",
      info.severity == Severity::Error ? "error" : "warning", info.code, JsonEscape(d.message),
      Place(sources_, d.range, d.path, d.path_line),
      d.help.empty() ? std::string("null") : "\"" + JsonEscape(d.help) + "\"", notes));
}

void JsonConsumer::Finish(int errors, int warnings, bool truncated) {
  out_ << "{\"diagnostics\":[";
  for (size_t i = 0; i < rendered_.size(); ++i) {
    out_ << (i ? ",\n  " : "\n  ") << rendered_[i];
  }
  out_ << (rendered_.empty() ? "" : "\n") << "],\"errors\":" << errors
       << ",\"warnings\":" << warnings << ",\"truncated\":" << (truncated ? "true" : "false")
       << "}\n";
  out_.flush();
}

}  // namespace caldicott::diag
