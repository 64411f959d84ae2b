// Placeholder while the RF2 importer is written (replaced in the same series of commits).
#include "compiler/schema/import.h"
namespace caldicott::schema {
bool ReadRf2Directory(const std::string& dir, Rf2Release&, std::vector<ImportError>& errors) {
  errors.push_back({dir, 0, "RF2 import is not available yet"});
  return false;
}
std::unique_ptr<CodeSystem> ImportRf2(const Rf2Release&, std::vector<ImportError>& errors,
                                      std::string, std::string) {
  errors.push_back({"", 0, "RF2 import is not available yet"});
  return nullptr;
}
}  // namespace caldicott::schema
