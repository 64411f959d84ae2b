#include "compiler/base/json.h"

#include <fmt/format.h>

namespace caldicott::base {

void AppendEscaped(std::string& out, std::string_view text, std::string_view control) {
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format(fmt::runtime(control), c);
        } else {
          out += ch;
        }
    }
  }
}

std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  AppendEscaped(out, text, "\\u{:04x}");
  return out;
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  AppendEscaped(out, text, "\\u{:04x}");
  out += '"';
}

std::string JsonString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 10);
  AppendJsonString(out, text);
  return out;
}

}  // namespace caldicott::base
