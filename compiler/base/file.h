// Files read whole, with one-line errors a command line can print as they
// are.
#ifndef CALDICOTT_COMPILER_BASE_FILE_H_
#define CALDICOTT_COMPILER_BASE_FILE_H_

#include <string>

namespace caldicott::base {

// Reads a whole file (an artefact, say); false with a one-line `error`
// ("cannot read `x`: ...") when it cannot.
bool ReadWholeFile(const std::string& path, std::string& bytes, std::string& error);

}  // namespace caldicott::base

#endif  // CALDICOTT_COMPILER_BASE_FILE_H_
