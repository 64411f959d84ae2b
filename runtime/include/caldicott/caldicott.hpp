// A thin C++ layer over the C API (caldicott.h): an owning Engine handle
// whose failures throw caldicott::Error. Header-only.
#ifndef CALDICOTT_CALDICOTT_HPP_
#define CALDICOTT_CALDICOTT_HPP_

#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "caldicott/caldicott.h"

namespace caldicott {

class Error : public std::runtime_error {
 public:
  Error(caldicott_status status, const std::string& what)
      : std::runtime_error(what), status_(status) {}
  caldicott_status status() const { return status_; }

 private:
  caldicott_status status_;
};

inline void Check(caldicott_status s) {
  if (s != CALDICOTT_OK) throw Error(s, caldicott_last_error());
}

inline caldicott_request Request(std::string_view role, caldicott_date date,
                                 std::string_view practice = {}) {
  return {role.data(), role.size(), date, practice.empty() ? nullptr : practice.data(),
          practice.size()};
}

class Engine {
 public:
  Engine() {
    caldicott_engine* e = nullptr;
    Check(caldicott_engine_create(&e));
    engine_.reset(e);
  }
  void AddSchema(std::string_view path) {
    Check(caldicott_engine_add_schema(engine_.get(), path.data(), path.size()));
  }
  void SetBackend(caldicott_backend backend) {
    Check(caldicott_engine_set_backend(engine_.get(), backend));
  }
  void WaitOptimised() const { Check(caldicott_engine_wait_optimised(engine_.get())); }
  void LoadArtifact(std::string_view path) {
    Check(caldicott_engine_load_artifact(engine_.get(), path.data(), path.size()));
  }
  void LoadArtifactMemory(std::string_view bytes) {
    Check(caldicott_engine_load_artifact_memory(engine_.get(), bytes.data(), bytes.size()));
  }
  void CompileFiles(const std::vector<std::string>& paths) {
    std::vector<const char*> p;
    std::vector<size_t> n;
    for (const std::string& s : paths) p.push_back(s.data()), n.push_back(s.size());
    Check(caldicott_engine_compile_files(engine_.get(), p.data(), n.data(), p.size()));
  }
  void CompileSource(std::string_view name, std::string_view text) {
    Check(caldicott_engine_compile_source(engine_.get(), name.data(), name.size(), text.data(),
                                          text.size()));
  }
  uint32_t Agreement(std::string_view name) const {
    uint32_t id = 0;
    Check(caldicott_engine_find_agreement(engine_.get(), name.data(), name.size(), &id));
    return id;
  }
  bool Applies(uint32_t agreement, const caldicott_request& request) const {
    int applies = 0;
    Check(caldicott_applies(engine_.get(), agreement, &request, &applies));
    return applies != 0;
  }
  void Decide(uint32_t agreement, const caldicott_request& request,
              std::span<const caldicott_entry> entries, std::span<caldicott_decision> out) const {
    if (out.size() < entries.size()) throw Error(CALDICOTT_ERROR_ARGUMENT, "output too small");
    Check(caldicott_decide(engine_.get(), agreement, &request, entries.data(), entries.size(),
                           out.data()));
  }
  std::string FilterBundle(uint32_t agreement, const caldicott_request& request,
                           std::string_view json) const {
    char* out = nullptr;
    size_t len = 0;
    Check(caldicott_filter_bundle(engine_.get(), agreement, &request, json.data(), json.size(),
                                  &out, &len));
    std::string result(out, len);
    caldicott_free(out);
    return result;
  }
  std::string RuleDescription(uint32_t rule) const {
    const char* d = caldicott_rule_description(engine_.get(), rule);
    return d == nullptr ? std::string() : std::string(d);
  }
  caldicott_engine* get() const { return engine_.get(); }

 private:
  struct Free {
    void operator()(caldicott_engine* e) const { caldicott_engine_free(e); }
  };
  std::unique_ptr<caldicott_engine, Free> engine_;
};

}  // namespace caldicott

#endif  // CALDICOTT_CALDICOTT_HPP_
