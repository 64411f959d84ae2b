// Diagnostics: what every phase reports, and how it reaches the user.
//
// A phase reports through a Diagnostics engine:
//
//   diags.Emit(DiagKind::ImportNotFound, range, fmt::format("cannot find `{}`", p))
//       .Help("paths are relative to the importing file");
//
// The engine counts and caps, then hands each finished Diagnostic to a
// Consumer, which renders it (text for people, JSON for tools) or keeps it
// (tests).
#ifndef CALDICOTT_COMPILER_DIAGNOSTICS_DIAGNOSTICS_H_
#define CALDICOTT_COMPILER_DIAGNOSTICS_DIAGNOSTICS_H_

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source/source.h"

namespace caldicott::diag {

enum class Severity : uint8_t { Error, Warning };
enum class Category : uint8_t { Io, Source };

enum class DiagKind : uint16_t {
#define CALDICOTT_DIAGNOSTIC(Name, Code, Sev, Cat, Summary) Name,
#include "compiler/diagnostics/diagnostic_kind.def"
};

struct DiagKindInfo {
  std::string_view name;
  std::string_view code;
  Severity severity;
  Category category;
  std::string_view summary;
};

const DiagKindInfo& Info(DiagKind kind);
std::span<const DiagKindInfo> AllKinds();

struct Note {
  source::SourceRange range;  // may be invalid: a note without a place
  std::string message;
};

struct Diagnostic {
  DiagKind kind;
  // Where. When the problem has no place in a source (a file that cannot be
  // read), `range` is invalid and `path` names the file, if any.
  source::SourceRange range;
  std::string path;
  uint32_t path_line = 0;  // with `path`: the line, when known (a schema file)
  std::string message;     // lower-case, no final period, code in backticks
  std::string help;        // optional: how to fix it
  std::vector<Note> notes;

  Severity severity() const { return Info(kind).severity; }
};

class Consumer {
 public:
  virtual ~Consumer() = default;
  virtual void Consume(const Diagnostic& d) = 0;
  // Called once, after the last diagnostic.
  virtual void Finish(int errors, int warnings, bool truncated) = 0;
};

class Diagnostics;

// Collects the parts of one diagnostic; hands it to the engine when it goes
// out of scope.
class Builder {
 public:
  Builder(Diagnostics* engine, Diagnostic d) : engine_(engine), d_(std::move(d)) {}
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;
  ~Builder();

  Builder& Help(std::string text) {
    d_.help = std::move(text);
    return *this;
  }
  Builder& Note(source::SourceRange range, std::string message) {
    d_.notes.push_back({range, std::move(message)});
    return *this;
  }

 private:
  Diagnostics* engine_;
  Diagnostic d_;
};

class Diagnostics {
 public:
  // `error_limit`: after this many errors, further diagnostics are dropped
  // (0 means no limit).
  explicit Diagnostics(Consumer& consumer, int error_limit = 0)
      : consumer_(consumer), error_limit_(error_limit) {}

  Builder Emit(DiagKind kind, source::SourceRange range, std::string message) {
    return Builder(this, Diagnostic{kind, range, {}, 0, std::move(message), {}, {}});
  }
  // A diagnostic about a whole file that has no text to point into.
  Builder EmitForPath(DiagKind kind, std::string path, std::string message, uint32_t line = 0) {
    return Builder(this, Diagnostic{kind, {}, std::move(path), line, std::move(message), {}, {}});
  }

  int errors() const { return errors_; }
  int warnings() const { return warnings_; }
  bool has_io_errors() const { return io_errors_ > 0; }
  // True once the error limit is reached: phases may stop early.
  bool limit_reached() const { return error_limit_ > 0 && errors_ >= error_limit_; }

  // Records that a phase stopped early and left problems unreported.
  void MarkTruncated() { truncated_ = true; }

  // Renders the summary. Call once, at the end.
  void Finish() { consumer_.Finish(errors_, warnings_, truncated_); }

 private:
  friend class Builder;
  void Submit(Diagnostic d);

  Consumer& consumer_;
  int error_limit_;
  int errors_ = 0;
  int warnings_ = 0;
  int io_errors_ = 0;
  bool truncated_ = false;
};

// ---- consumers

enum class ColorMode { Never, Always };

// The human format (docs/diagnostics.md, "How diagnostics look"):
//   path:line:col: error: message [E0203]
//       the source line
//       ^~~~~~~~ under the range
//   help: ...
// then "N errors, M warnings generated." in Finish.
class TextConsumer : public Consumer {
 public:
  TextConsumer(std::ostream& out, const source::SourceManager& sources, ColorMode color)
      : out_(out), sources_(sources), color_(color == ColorMode::Always) {}
  void Consume(const Diagnostic& d) override;
  void Finish(int errors, int warnings, bool truncated) override;

 private:
  void Location(source::SourceRange range, const std::string& path, uint32_t path_line = 0);
  void Snippet(source::SourceRange range);
  std::ostream& out_;
  const source::SourceManager& sources_;
  bool color_;
};

// One JSON document, written in Finish:
//   {"diagnostics": [{"severity", "code", "message", "file", "line",
//     "column", "end_line", "end_column", "help", "notes": [...]}],
//    "errors": N, "warnings": M, "truncated": bool}
class JsonConsumer : public Consumer {
 public:
  JsonConsumer(std::ostream& out, const source::SourceManager& sources)
      : out_(out), sources_(sources) {}
  void Consume(const Diagnostic& d) override;
  void Finish(int errors, int warnings, bool truncated) override;

 private:
  std::ostream& out_;
  const source::SourceManager& sources_;
  std::vector<std::string> rendered_;
};

// Buffers diagnostics and hands them on in source order (by file, then by
// position; diagnostics without a place first) when finished. The phases
// report in their own order; people read a file from the top.
class SortingConsumer : public Consumer {
 public:
  explicit SortingConsumer(Consumer& next) : next_(next) {}
  void Consume(const Diagnostic& d) override { buffered_.push_back(d); }
  void Finish(int errors, int warnings, bool truncated) override;

 private:
  Consumer& next_;
  std::vector<Diagnostic> buffered_;
};

// Keeps diagnostics for tests and for callers that render them later.
class CollectingConsumer : public Consumer {
 public:
  void Consume(const Diagnostic& d) override { diagnostics.push_back(d); }
  void Finish(int, int, bool) override {}
  std::vector<Diagnostic> diagnostics;
};

// ---- suggestions

// The candidate closest to `word` by edit distance, if it is close enough to
// be a plausible typo; empty otherwise.
std::string_view ClosestMatch(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace caldicott::diag

#endif  // CALDICOTT_COMPILER_DIAGNOSTICS_DIAGNOSTICS_H_
