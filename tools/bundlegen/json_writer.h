// Internal to bundlegen: how it writes its output. Short texts (dates,
// numbers, references) are built in place; the JSON is pretty-printed (two-
// space indents) into a buffer that goes to the sink in chunks.
#ifndef CALDICOTT_TOOLS_BUNDLEGEN_JSON_WRITER_H_
#define CALDICOTT_TOOLS_BUNDLEGEN_JSON_WRITER_H_

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tools/bundlegen/bundlegen.h"
#include "tools/bundlegen/dates.h"
#include "tools/bundlegen/random.h"

namespace caldicott::bundlegen::internal {

// A short text built in place: dates, numbers, references.
class Text {
 public:
  Text& operator<<(std::string_view s) {
    std::memcpy(buf_ + n_, s.data(), s.size());
    n_ += s.size();
    return *this;
  }
  Text& operator<<(char c) {
    buf_[n_++] = c;
    return *this;
  }
  Text& Num(uint64_t v, int width = 0) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    for (int pad = width - static_cast<int>(r.ptr - tmp); pad > 0; --pad) buf_[n_++] = '0';
    return *this << std::string_view(tmp, static_cast<size_t>(r.ptr - tmp));
  }
  // A value given in tenths: 123 -> "12.3".
  Text& Tenths(int v) {
    Num(static_cast<uint64_t>(v / 10));
    return *this << '.' << static_cast<char>('0' + v % 10);
  }
  Text& Date(int64_t days) {
    base::CivilDate c = Civil(days);
    Num(static_cast<uint64_t>(c.year), 4) << '-';
    Num(static_cast<uint64_t>(c.month), 2) << '-';
    return Num(static_cast<uint64_t>(c.day), 2);
  }
  // A date and time of day in UK local time (BST from April to October,
  // near enough for synthetic data).
  Text& DateTime(int64_t days, int minute) {
    Date(days) << 'T';
    Num(static_cast<uint64_t>(minute / 60), 2) << ':';
    Num(static_cast<uint64_t>(minute % 60), 2) << ":00";
    int m = Civil(days).month;
    return *this << (m >= 4 && m <= 10 ? "+01:00" : "+00:00");
  }
  std::string_view view() const { return {buf_, n_}; }
  void clear() { n_ = 0; }

 private:
  char buf_[256];
  size_t n_ = 0;
};

// The output buffer: flushed to the sink in chunks, or only counted.
class Out {
 public:
  static constexpr size_t kChunk = 1u << 20;

  explicit Out(const Sink* sink) : sink_(sink) { buf_.reserve(kChunk + (64u << 10)); }
  std::string& buf() { return buf_; }
  uint64_t bytes() const { return flushed_ + buf_.size(); }
  bool ok() const { return ok_; }
  void MaybeFlush() {
    if (buf_.size() >= kChunk) Flush();
  }
  void Flush() {
    if (sink_ != nullptr && ok_ && !buf_.empty()) ok_ = (*sink_)(buf_);
    flushed_ += buf_.size();
    buf_.clear();
  }

 private:
  const Sink* sink_;
  std::string buf_;
  uint64_t flushed_ = 0;
  bool ok_ = true;
};

// A pretty-printing JSON writer (two-space indents, `"key": value`).
class Json {
 public:
  explicit Json(std::string& buf) : b_(buf) {}

  void Open(char bracket) {
    Value();
    b_ += bracket;
    stack_.push_back({bracket == '[', true});
  }
  void Close() {
    Level l = stack_.back();
    stack_.pop_back();
    if (!l.empty) {
      b_ += '\n';
      Indent();
    }
    b_ += l.array ? ']' : '}';
  }
  void Key(std::string_view key) {
    Level& l = stack_.back();
    b_ += l.empty ? "\n" : ",\n";
    l.empty = false;
    Indent();
    b_ += '"';
    b_ += key;
    b_ += "\": ";
    after_key_ = true;
  }
  void Str(std::string_view s) {
    Value();
    b_ += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') {
        b_ += '\\';
        b_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        b_ += "\\u00";
        b_ += kHex[(c >> 4) & 0xF];
        b_ += kHex[c & 0xF];
      } else {
        b_ += c;
      }
    }
    b_ += '"';
  }
  void Raw(std::string_view literal) {
    Value();
    b_ += literal;
  }

  // Shorthands.
  void Field(std::string_view key, std::string_view value) {
    Key(key);
    Str(value);
  }
  void RawField(std::string_view key, std::string_view literal) {
    Key(key);
    Raw(literal);
  }
  void Object(std::string_view key) {
    Key(key);
    Open('{');
  }
  void Array(std::string_view key) {
    Key(key);
    Open('[');
  }
  // {"reference": "<type>/<id>"} as the value of `key` (or in an array).
  void Reference(std::string_view key, std::string_view type, const Id& id) {
    if (!key.empty()) Key(key);
    Open('{');
    Text t;
    t << type << '/' << id.view();
    Field("reference", t.view());
    Close();
  }

 private:
  struct Level {
    bool array;
    bool empty;
  };
  void Value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (stack_.empty()) return;
    Level& l = stack_.back();
    b_ += l.empty ? "\n" : ",\n";
    l.empty = false;
    Indent();
  }
  void Indent() { b_.append(2 * stack_.size(), ' '); }

  std::string& b_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace caldicott::bundlegen::internal

#endif  // CALDICOTT_TOOLS_BUNDLEGEN_JSON_WRITER_H_
