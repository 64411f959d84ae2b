// Source files and positions in them.
//
// Every phase names places in the source with a SourceRange: a file id and
// a half-open range of byte offsets. Line and column are computed only when
// a diagnostic or a dump needs them. Columns count Unicode code points from
// 1, so that a caret lines up under non-ASCII text in a terminal.
#ifndef CALDICOTT_COMPILER_SOURCE_SOURCE_H_
#define CALDICOTT_COMPILER_SOURCE_SOURCE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace caldicott::source {

// Identifies one file in a SourceManager. Id 0 is never a real file.
struct FileId {
  uint32_t index = 0;
  bool valid() const { return index != 0; }
  friend bool operator==(FileId, FileId) = default;
};

struct SourceRange {
  FileId file;
  uint32_t begin = 0;  // byte offset of the first byte
  uint32_t end = 0;    // byte offset one past the last byte
  bool valid() const { return file.valid(); }
};

struct LineCol {
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in code points
};

// One loaded source file. Its text is immutable once added.
class SourceFile {
 public:
  SourceFile(FileId id, std::string display_name, std::string text);

  FileId id() const { return id_; }
  // The name used in diagnostics: the path as the user wrote it, or
  // `std:NAME` for a standard-library module.
  const std::string& display_name() const { return display_name_; }
  std::string_view text() const { return text_; }

  LineCol Position(uint32_t offset) const;
  // The text of the 1-based line, without its line terminator.
  std::string_view Line(uint32_t line) const;
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }

 private:
  FileId id_;
  std::string display_name_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
  // The code points before each block of kBlock bytes, so that a column is
  // found in constant time however long its line (a one-line file of
  // megabytes, dumped token by token, would otherwise be quadratic).
  static constexpr uint32_t kBlock = 64;
  std::vector<uint32_t> code_points_before_block_;
  uint32_t CodePointsBefore(uint32_t offset) const;
};

// Owns every source file of a compilation.
class SourceManager {
 public:
  // Adds a file. The text must already be valid UTF-8 (see ValidateText).
  const SourceFile& Add(std::string display_name, std::string text);
  const SourceFile& Get(FileId id) const;
  size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// Why a byte buffer is not acceptable as source text.
struct TextProblem {
  uint32_t offset;      // byte offset of the first offending byte
  std::string message;  // e.g. "invalid UTF-8 byte 0xff"
};

// Checks that `text` is UTF-8 without NUL characters. Returns the first
// problem, if any.
std::optional<TextProblem> ValidateText(std::string_view text);

// Replaces every byte that is not part of valid UTF-8 text (and every NUL)
// with `?`, keeping byte offsets, and returns the first problem. Used to
// show a diagnostic about a file that is not text without printing its
// bytes.
std::optional<TextProblem> SanitizeText(std::string& text);

// Number of code points in a valid UTF-8 string.
size_t CodePointCount(std::string_view text);

}  // namespace caldicott::source

#endif  // CALDICOTT_COMPILER_SOURCE_SOURCE_H_
