#include "compiler/source/source.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

namespace caldicott::source {

SourceFile::SourceFile(FileId id, std::string display_name, std::string text)
    : id_(id), display_name_(std::move(display_name)), text_(std::move(text)) {
  line_starts_.push_back(0);
  uint32_t code_points = 0;
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (i % kBlock == 0) code_points_before_block_.push_back(code_points);
    auto c = static_cast<unsigned char>(text_[i]);
    code_points += (c & 0xC0) != 0x80;
    if (c == '\n') line_starts_.push_back(i + 1);
  }
  code_points_before_block_.push_back(code_points);
}

uint32_t SourceFile::CodePointsBefore(uint32_t offset) const {
  uint32_t block = offset / kBlock;
  uint32_t begin = block * kBlock;
  return code_points_before_block_[block] +
         static_cast<uint32_t>(
             CodePointCount(std::string_view(text_).substr(begin, offset - begin)));
}

LineCol SourceFile::Position(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - line_starts_.begin());
  uint32_t start = line_starts_[line - 1];
  uint32_t column = 1 + CodePointsBefore(offset) - CodePointsBefore(start);
  return {line, column};
}

std::string_view SourceFile::Line(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  uint32_t start = line_starts_[line - 1];
  uint32_t end =
      line < line_starts_.size() ? line_starts_[line] : static_cast<uint32_t>(text_.size());
  std::string_view s = std::string_view(text_).substr(start, end - start);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

const SourceFile& SourceManager::Add(std::string display_name, std::string text) {
  FileId id{static_cast<uint32_t>(files_.size() + 1)};
  files_.push_back(std::make_unique<SourceFile>(id, std::move(display_name), std::move(text)));
  return *files_.back();
}

const SourceFile& SourceManager::Get(FileId id) const {
  assert(id.valid() && id.index <= files_.size());
  return *files_[id.index - 1];
}

namespace {

// Length of the valid UTF-8 sequence (other than NUL) at text[i], or 0.
size_t ValidSequence(const unsigned char* s, size_t n, size_t i) {
  unsigned char c = s[i];
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  size_t len;
  uint32_t min;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, min = 0x80, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, min = 0x800, cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > n) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((s[i + k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i + k] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

TextProblem ProblemAt(const unsigned char* s, size_t i) {
  if (s[i] == 0) return {static_cast<uint32_t>(i), "NUL character"};
  return {static_cast<uint32_t>(i), fmt::format("invalid UTF-8 byte 0x{:02x}", s[i])};
}

}  // namespace

std::optional<TextProblem> ValidateText(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0; i < text.size();) {
    size_t len = ValidSequence(s, text.size(), i);
    if (len == 0) return ProblemAt(s, i);
    i += len;
  }
  return std::nullopt;
}

std::optional<TextProblem> SanitizeText(std::string& text) {
  auto* s = reinterpret_cast<unsigned char*>(text.data());
  std::optional<TextProblem> first;
  for (size_t i = 0; i < text.size();) {
    size_t len = ValidSequence(s, text.size(), i);
    if (len == 0) {
      if (!first) first = ProblemAt(s, i);
      s[i] = '?';
      len = 1;
    }
    i += len;
  }
  return first;
}

size_t CodePointCount(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

}  // namespace caldicott::source
