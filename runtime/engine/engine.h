// The runtime's entry point for C++: the policy engine behind the C API
// (caldicott.h), and what the CLI's `filter` uses, so that both take the
// same path. An engine compiles agreements through the compiler's pipeline
// (to native code with the JIT, or kept for the reference interpreter) or
// loads a .cpol artefact, then decides entries and filters FHIR Bundles.
#ifndef CALDICOTT_RUNTIME_ENGINE_ENGINE_H_
#define CALDICOTT_RUNTIME_ENGINE_ENGINE_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/abi/abi.h"
#include "runtime/artifact/artifact.h"
#include "runtime/fhir/fhir.h"

namespace caldicott::native {
class Code;
}
namespace caldicott::schema {
class Schema;
}

namespace caldicott::runtime {

class PolicyEngine {
 public:
  PolicyEngine();
  ~PolicyEngine();
  PolicyEngine(const PolicyEngine&) = delete;
  PolicyEngine& operator=(const PolicyEngine&) = delete;

  std::vector<std::string> schema_paths;
  // The backend the next Compile/Adopt uses (artefacts are always native).
  // The JIT decides with quick code as soon as it is linked and compiles
  // the optimised code on a background thread, which takes over when ready
  // (docs/runtime.md, "Tiers"); JIT_QUICK keeps the quick code.
  caldicott_backend backend = CALDICOTT_BACKEND_JIT;

  // Compiles files (or one in-memory source named paths[0]). On failure
  // leaves the previous policy in place and puts the diagnostics in `error`.
  caldicott_status Compile(const std::vector<std::string>& paths,
                           const std::optional<std::string>& text, std::string& error);

  // Takes a policy compiled elsewhere (the CLI compiles with its own
  // diagnostics), compiling it to native code when the backend is the JIT.
  // On failure the previous policy stays.
  caldicott_status Adopt(ir::Policy policy, std::string& error);

  // Loads a .cpol artefact (its bytes). On failure the previous policy
  // stays and `error` says why in one line.
  caldicott_status LoadArtifact(std::string_view bytes, std::string& error);

  // Blocks until the optimised code of the last JIT compile decides (at
  // once when nothing is compiling). Thread-safe, also with decisions.
  // CALDICOTT_ERROR_INTERNAL, with `error` set, when it could not be built
  // (the quick code keeps deciding).
  caldicott_status WaitOptimised(std::string& error) const;
  // "quick", "optimised" (JIT), "artefact" or "interpreter": the code that
  // decides at this moment.
  const char* tier() const;

  const ir::Policy* policy() const { return policy_.get(); }
  // The manifest, when the policy came from an artefact.
  const artifact::Manifest* manifest() const { return manifest_ ? &*manifest_ : nullptr; }
  const char* RuleDescription(uint32_t rule) const;

  // Whether agreement `a` applies to the request: the role is granted, the
  // date is inside `effective`, and a named practice is a controller.
  bool Applies(ir::AgreementId a, const caldicott_request& request) const;

  // Decides a batch for a request (DOES_NOT_APPLY for all when the
  // agreement does not apply). Thread-safe; allocates nothing.
  void Decide(ir::AgreementId a, const caldicott_request& request, const caldicott_entry* entries,
              size_t count, caldicott_decision* out) const;

  // Filters a FHIR Bundle for a request. The agreement applies when it
  // applies to the request and, if the request names no practice, to
  // every registered practice the record names (fail closed). `why_not`
  // says why it does not apply.
  fhir::FilterResult FilterBundle(ir::AgreementId a, const caldicott_request& request,
                                  const fhir::PaddedBuffer& bundle, bool explain,
                                  std::string* why_not = nullptr) const;

 private:
  // Decides entries of an agreement that applies.
  void DecideApplying(ir::AgreementId a, caldicott_date date, const caldicott_entry* entries,
                      size_t count, caldicott_decision* out) const;
  void Install(std::unique_ptr<const ir::Policy> policy, std::unique_ptr<native::Code> code,
               std::optional<artifact::Manifest> manifest);
  struct TierUp;
  // Starts compiling the optimised code of the installed policy, with
  // `state` allocated beforehand. Does not throw: without a thread, the
  // quick code decides and `state` says why.
  void StartTierUp(std::unique_ptr<TierUp> state);
  // Waits for the background compile, if any, to stop (asking it to stop
  // early), before the policy it reads goes away.
  void StopTierUp();

  std::unique_ptr<const ir::Policy> policy_;
  std::unique_ptr<native::Code> native_;  // null: the interpreter decides
  // What decides each agreement now: native_'s functions, replaced by the
  // optimised code's when the background compile links it. Read with
  // acquire by deciders, written with release.
  std::unique_ptr<std::atomic<abi::DecideFn>[]> decide_;
  std::unique_ptr<TierUp> tier_up_;  // the background compile of policy_
  std::optional<artifact::Manifest> manifest_;
  std::vector<std::vector<ir::WithinInput>> within_;  // per agreement
  std::vector<std::string> rule_descriptions_;
  // The coding schema of the last successful compile, and the paths it
  // came from: a later compile with the same paths does not load it again.
  std::shared_ptr<const schema::Schema> schema_;
  std::vector<std::string> schema_from_;
};

}  // namespace caldicott::runtime

#endif  // CALDICOTT_RUNTIME_ENGINE_ENGINE_H_
