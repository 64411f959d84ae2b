// The human rendering of diagnostics.
#include <algorithm>

#include <fmt/format.h>

#include "compiler/diagnostics/diagnostics.h"

namespace caldicott::diag {

namespace {

constexpr const char* kBold = "\x1b[1m";
constexpr const char* kRed = "\x1b[1;31m";
constexpr const char* kYellow = "\x1b[1;33m";
constexpr const char* kGreen = "\x1b[1;32m";
constexpr const char* kCyan = "\x1b[1;36m";
constexpr const char* kReset = "\x1b[0m";

// Length in bytes of the UTF-8 sequence starting with `c`.
size_t SequenceLength(unsigned char c) {
  if (c < 0x80) return 1;
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  return 2;
}

// Text from a source (a stray character, a name) may hold control
// characters; a terminal must never receive them raw.
std::string Printable(std::string_view text) {
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\n') || c == 0x7f) {
      out += "\xEF\xBF\xBD";
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

void TextConsumer::Location(source::SourceRange range, const std::string& path,
                            uint32_t path_line) {
  if (color_) out_ << kBold;
  if (range.valid()) {
    const source::SourceFile& file = sources_.Get(range.file);
    source::LineCol lc = file.Position(range.begin);
    out_ << file.display_name() << ':' << lc.line << ':' << lc.column << ": ";
  } else if (!path.empty()) {
    out_ << path;
    if (path_line > 0) out_ << ':' << path_line;
    out_ << ": ";
  } else {
    out_ << "caldicott: ";
  }
  if (color_) out_ << kReset;
}

// Prints the first line of `range` and a caret-and-tildes underline under
// it. Control characters are shown as U+FFFD so that a hostile source cannot
// drive the terminal; tabs are kept, and repeated in the underline's indent
// so that the caret stays aligned.
void TextConsumer::Snippet(source::SourceRange range) {
  const source::SourceFile& file = sources_.Get(range.file);
  source::LineCol begin = file.Position(range.begin);
  std::string_view line = file.Line(begin.line);
  uint32_t line_start = static_cast<uint32_t>(line.data() - file.text().data());
  uint32_t col_begin = range.begin - line_start;  // bytes into the line
  uint32_t col_end = std::max(range.end, range.begin) - line_start;
  col_end = std::min<uint32_t>(col_end, static_cast<uint32_t>(line.size()));

  // A very long line (generated or minified source) is shown as a window
  // around the range, marked with `…` where it is cut.
  constexpr uint32_t kContext = 120;
  uint32_t from = 0;
  uint32_t to = static_cast<uint32_t>(line.size());
  if (line.size() > 3 * kContext) {
    auto boundary = [&](uint32_t at) {
      while (at > 0 && at < line.size() && (static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) {
        --at;
      }
      return at;
    };
    from = col_begin > kContext ? boundary(col_begin - kContext) : 0;
    col_end = std::min(col_end, col_begin + 2 * kContext);  // underline at most this much
    to = boundary(std::min<uint32_t>(static_cast<uint32_t>(line.size()),
                                     std::max(col_end, col_begin + 1) + kContext));
  }
  std::string shown = from > 0 ? "\xE2\x80\xA6" : "";
  std::string indent = from > 0 ? " " : "";
  size_t marks = 0;
  for (size_t i = from; i < to;) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    size_t len = std::min(SequenceLength(c), to - i);
    if (c == '\t') {
      shown += '\t';
    } else if (c < 0x20 || c == 0x7f) {
      shown += "\xEF\xBF\xBD";
    } else {
      shown.append(line.substr(i, len));
    }
    if (i < col_begin) {
      indent += c == '\t' ? '\t' : ' ';
    } else if (i < col_end) {
      ++marks;
    }
    i += len;
  }
  if (to < line.size()) shown += "\xE2\x80\xA6";
  if (marks == 0) marks = 1;  // an empty range, or one at the end of the line
  out_ << shown << '\n';
  if (color_) out_ << kGreen;
  out_ << indent << '^' << std::string(marks - 1, '~');
  if (color_) out_ << kReset;
  out_ << '\n';
}

void TextConsumer::Consume(const Diagnostic& d) {
  const DiagKindInfo& info = Info(d.kind);
  Location(d.range, d.path, d.path_line);
  if (info.severity == Severity::Error) {
    out_ << (color_ ? kRed : "") << "error:" << (color_ ? kReset : "");
  } else {
    out_ << (color_ ? kYellow : "") << "warning:" << (color_ ? kReset : "");
  }
  if (color_) out_ << kBold;
  out_ << ' ' << Printable(d.message) << " [" << info.code << ']';
  if (color_) out_ << kReset;
  out_ << '\n';
  if (d.range.valid()) Snippet(d.range);
  if (!d.help.empty()) {
    out_ << (color_ ? kCyan : "") << "help:" << (color_ ? kReset : "") << ' ' << Printable(d.help)
         << '\n';
  }
  for (const Note& note : d.notes) {
    if (note.range.valid()) Location(note.range, {});
    out_ << (color_ ? kBold : "") << "note:" << (color_ ? kReset : "") << ' '
         << Printable(note.message) << '\n';
    if (note.range.valid()) Snippet(note.range);
  }
}

void TextConsumer::Finish(int errors, int warnings, bool truncated) {
  if (truncated) {
    out_ << "caldicott: stopped after " << errors << (errors == 1 ? " error" : " errors")
         << "; further problems were not reported (raise --error-limit to see more)\n";
  }
  if (errors == 0 && warnings == 0) return;
  auto plural = [](int n, std::string_view word) {
    return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
  };
  if (errors > 0 && warnings > 0) {
    out_ << plural(errors, "error") << " and " << plural(warnings, "warning") << " generated.\n";
  } else if (errors > 0) {
    out_ << plural(errors, "error") << " generated.\n";
  } else {
    out_ << plural(warnings, "warning") << " generated.\n";
  }
  out_.flush();
}

}  // namespace caldicott::diag
