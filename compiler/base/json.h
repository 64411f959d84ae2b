// JSON text: string literals written the one way every JSON writer of
// Caldicott writes them (diagnostics, explanations, manifests, tools).
#ifndef CALDICOTT_COMPILER_BASE_JSON_H_
#define CALDICOTT_COMPILER_BASE_JSON_H_

#include <string>
#include <string_view>

namespace caldicott::base {

// Appends `text` escaped for a string literal, without the quotes: `"` and
// `\` escaped, newline, return and tab as \n \r \t, every other control
// character and DEL (0x7f) as `control` formats it (a fmt format string
// taking the byte; JSON's is "\\u{:04x}"). Other bytes, UTF-8 included,
// pass through.
void AppendEscaped(std::string& out, std::string_view text, std::string_view control);

// `text` escaped for a JSON string, without the quotes.
std::string JsonEscape(std::string_view text);
// Appends `text` as a JSON string, quotes included.
void AppendJsonString(std::string& out, std::string_view text);
// `text` as a JSON string, quotes included.
std::string JsonString(std::string_view text);

}  // namespace caldicott::base

#endif  // CALDICOTT_COMPILER_BASE_JSON_H_
