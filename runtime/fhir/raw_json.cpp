#include "runtime/fhir/raw_json.h"

#include <algorithm>
#include <cstdint>

namespace caldicott::fhir::internal {

namespace {

bool IsWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

uint32_t Hex4(std::string_view s, size_t i) {
  uint32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = i + k < s.size() ? HexValue(s[i + k]) : -1;
    v = v * 16 + static_cast<uint32_t>(h < 0 ? 0 : h);
  }
  return v;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

size_t RawJson::SkipWhitespace(size_t i) const {
  while (i < s_.size() && IsWhitespace(s_[i])) ++i;
  return i;
}

size_t RawJson::SkipString(size_t i) const {
  ++i;  // the opening quote
  while (i < s_.size()) {
    char c = s_[i];
    if (c == '\\') {
      i += 2;
    } else if (c == '"') {
      return i + 1;
    } else {
      ++i;
    }
  }
  return s_.size();
}

size_t RawJson::SkipValue(size_t i) const {
  if (i >= s_.size()) return s_.size();
  char c = s_[i];
  if (c == '"') return SkipString(i);
  if (c != '{' && c != '[') {
    while (i < s_.size() && !IsWhitespace(s_[i]) && s_[i] != ',' && s_[i] != '}' && s_[i] != ']') {
      ++i;
    }
    return i;
  }
  size_t depth = 0;
  while (i < s_.size()) {
    c = s_[i];
    if (c == '"') {
      i = SkipString(i);
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
    ++i;
  }
  return s_.size();
}

std::vector<RawJson::Member> RawJson::Members(size_t i, size_t& close) const {
  std::vector<Member> members;
  i = SkipWhitespace(i + 1);  // after '{'
  while (i < s_.size() && s_[i] == '"') {
    Member m;
    m.begin = i;
    size_t key_end = SkipString(i);
    m.key = Unescape(s_.substr(i + 1, key_end - i - 2));
    i = SkipWhitespace(key_end);
    i = SkipWhitespace(i + 1);  // after ':'
    m.value_begin = i;
    m.end = SkipValue(i);
    members.push_back(std::move(m));
    i = SkipWhitespace(members.back().end);
    if (i < s_.size() && s_[i] == ',') i = SkipWhitespace(i + 1);
  }
  close = std::min(i, s_.size());
  return members;
}

std::vector<RawJson::Span> RawJson::Elements(size_t i, size_t& close) const {
  std::vector<Span> elements;
  i = SkipWhitespace(i + 1);  // after '['
  while (i < s_.size() && s_[i] != ']') {
    size_t end = SkipValue(i);
    if (end == i) break;  // not valid JSON: stop rather than loop
    elements.push_back({i, end});
    i = SkipWhitespace(end);
    if (i < s_.size() && s_[i] == ',') i = SkipWhitespace(i + 1);
  }
  close = std::min(i, s_.size());
  return elements;
}

std::string RawJson::StringAt(size_t i) const {
  size_t end = SkipString(i);
  if (end < i + 2) return {};
  return Unescape(s_.substr(i + 1, end - i - 2));
}

std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' || i + 1 >= s.size()) {
      out += c;
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t cp = Hex4(s, i + 1);
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < s.size() && s[i + 1] == '\\' &&
            s[i + 2] == 'u') {
          uint32_t low = Hex4(s, i + 3);
          if (low >= 0xDC00 && low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        AppendUtf8(out, cp);
        break;
      }
      default:
        out += e;
        break;  // '"', '\\', '/'
    }
  }
  return out;
}

void EmitList(std::string& out, std::string_view src, size_t open_end,
              std::span<const ListItem> items, size_t close,
              const std::function<void(std::string&, size_t)>& write) {
  if (items.empty()) {
    out.append(src.substr(open_end, close - open_end));
    return;
  }
  bool first = true;
  for (size_t k = 0; k < items.size(); ++k) {
    const ListItem& item = items[k];
    if (!item.keep) continue;
    if (first) {
      out.append(src.substr(open_end, items[0].begin - open_end));
      first = false;
    } else {
      out.append(src.substr(items[k - 1].end, item.begin - items[k - 1].end));
    }
    if (item.replaced) {
      write(out, k);
    } else {
      out.append(src.substr(item.begin, item.end - item.begin));
    }
  }
  out.append(src.substr(items.back().end, close - items.back().end));
}

void EmitList(std::string& out, std::string_view src, size_t open_end,
              std::span<const ListItem> items, size_t close) {
  EmitList(out, src, open_end, items, close,
           [&](std::string& o, size_t k) { o.append(items[k].replacement); });
}

bool AnyKept(std::span<const ListItem> items) {
  return std::any_of(items.begin(), items.end(), [](const ListItem& i) { return i.keep; });
}

namespace {

using KeepFn = std::function<bool(std::string_view)>;

const RawJson::Member* FindMember(const std::vector<RawJson::Member>& members,
                                  std::string_view key) {
  for (const RawJson::Member& m : members) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

// The result of rewriting a value.
struct Rewritten {
  bool changed = false;
  bool removed = false;  // (a section) nothing worth keeping is left
  std::string text;      // the new bytes when changed and not removed
};

// An object with some members removed or replaced.
std::string EmitObject(const RawJson& j, size_t open, size_t close,
                       const std::vector<RawJson::Member>& members,
                       const std::function<void(const RawJson::Member&, ListItem&)>& edit) {
  std::vector<ListItem> items;
  items.reserve(members.size());
  for (const RawJson::Member& m : members) {
    ListItem item{m.begin, m.end};
    edit(m, item);
    items.push_back(std::move(item));
  }
  std::string out(1, '{');
  EmitList(out, j.text(), open + 1, items, close);
  out += '}';
  return out;
}

Rewritten RewriteSections(const RawJson& j, size_t array_begin, const KeepFn& keep);

Rewritten RewriteSection(const RawJson& j, size_t begin, const KeepFn& keep) {
  size_t close = 0;
  std::vector<RawJson::Member> members = j.Members(begin, close);
  Rewritten r;

  // Its entries (References).
  std::vector<ListItem> entries;
  size_t entries_close = 0;
  const RawJson::Member* entry = FindMember(members, "entry");
  if (entry != nullptr && j.text()[entry->value_begin] == '[') {
    for (RawJson::Span e : j.Elements(entry->value_begin, entries_close)) {
      ListItem item{e.begin, e.end};
      if (j.text()[e.begin] == '{') {
        size_t ref_close = 0;
        std::vector<RawJson::Member> ref = j.Members(e.begin, ref_close);
        const RawJson::Member* reference = FindMember(ref, "reference");
        item.keep = reference != nullptr && j.text()[reference->value_begin] == '"' &&
                    keep(j.StringAt(reference->value_begin));
      } else {
        item.keep = false;
      }
      r.changed |= !item.keep;
      entries.push_back(std::move(item));
    }
  }
  // Its sub-sections.
  Rewritten sub;
  const RawJson::Member* section = FindMember(members, "section");
  if (section != nullptr && j.text()[section->value_begin] == '[') {
    sub = RewriteSections(j, section->value_begin, keep);
    r.changed |= sub.changed;
  }
  if (!r.changed) return r;

  bool entries_left = AnyKept(entries);
  bool sections_left = section != nullptr && !(sub.changed && sub.removed);
  if (!entries_left && !sections_left) {
    r.removed = true;
    return r;
  }
  r.text = EmitObject(j, begin, close, members, [&](const RawJson::Member& m, ListItem& item) {
    if (&m == entry) {
      if (!entries_left) {
        item.keep = false;
      } else {
        item.replaced = true;
        item.replacement = std::string(j.text().substr(m.begin, m.value_begin - m.begin)) + "[";
        EmitList(item.replacement, j.text(), m.value_begin + 1, entries, entries_close);
        item.replacement += ']';
      }
    } else if (&m == section && sub.changed) {
      if (sub.removed) {
        item.keep = false;
      } else {
        item.replaced = true;
        item.replacement =
            std::string(j.text().substr(m.begin, m.value_begin - m.begin)) + sub.text;
      }
    } else if (m.key == "text") {
      item.keep = false;
    }
  });
  return r;
}

// An array of sections: `removed` when none is left.
Rewritten RewriteSections(const RawJson& j, size_t array_begin, const KeepFn& keep) {
  size_t close = 0;
  std::vector<ListItem> items;
  Rewritten r;
  for (RawJson::Span s : j.Elements(array_begin, close)) {
    ListItem item{s.begin, s.end};
    if (j.text()[s.begin] == '{') {
      Rewritten section = RewriteSection(j, s.begin, keep);
      if (section.changed) {
        r.changed = true;
        if (section.removed) {
          item.keep = false;
        } else {
          item.replaced = true;
          item.replacement = std::move(section.text);
        }
      }
    }
    items.push_back(std::move(item));
  }
  if (!r.changed) return r;
  if (!AnyKept(items)) {
    r.removed = true;
    return r;
  }
  r.text.push_back('[');
  EmitList(r.text, j.text(), array_begin + 1, items, close);
  r.text += ']';
  return r;
}

}  // namespace

std::optional<std::string> RewriteComposition(std::string_view entry, const KeepFn& keep) {
  RawJson j(entry);
  size_t begin = j.SkipWhitespace(0);
  if (begin >= entry.size() || entry[begin] != '{') return std::nullopt;
  size_t close = 0;
  std::vector<RawJson::Member> members = j.Members(begin, close);
  const RawJson::Member* resource = FindMember(members, "resource");
  if (resource == nullptr || entry[resource->value_begin] != '{') return std::nullopt;
  size_t resource_close = 0;
  std::vector<RawJson::Member> fields = j.Members(resource->value_begin, resource_close);
  const RawJson::Member* section = FindMember(fields, "section");
  if (section == nullptr || entry[section->value_begin] != '[') return std::nullopt;
  Rewritten sections = RewriteSections(j, section->value_begin, keep);
  if (!sections.changed) return std::nullopt;

  std::string new_resource = EmitObject(
      j, resource->value_begin, resource_close, fields,
      [&](const RawJson::Member& m, ListItem& item) {
        if (&m == section) {
          if (sections.removed) {
            item.keep = false;
          } else {
            item.replaced = true;
            item.replacement =
                std::string(entry.substr(m.begin, m.value_begin - m.begin)) + sections.text;
          }
        } else if (m.key == "text") {
          item.keep = false;
        }
      });
  std::string out(entry.substr(0, begin));
  out += EmitObject(j, begin, close, members, [&](const RawJson::Member& m, ListItem& item) {
    if (&m == resource) {
      item.replaced = true;
      item.replacement = std::string(entry.substr(m.begin, m.value_begin - m.begin)) + new_resource;
    }
  });
  out.append(entry.substr(close + 1));
  return out;
}

}  // namespace caldicott::fhir::internal
