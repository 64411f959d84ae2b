// The C API of caldicott.h over the policy engine (engine.h). Every entry
// point catches everything: no exception crosses the API.
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "caldicott/caldicott.h"
#include "compiler/base/date.h"
#include "compiler/base/file.h"
#include "runtime/engine/engine.h"

namespace {

thread_local std::string last_error;

caldicott_status Fail(caldicott_status status, std::string message) {
  last_error = std::move(message);
  return status;
}

template <class F>
caldicott_status Guard(F&& f) {
  try {
    last_error.clear();
    return f();
  } catch (const std::bad_alloc&) {
    return Fail(CALDICOTT_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return Fail(CALDICOTT_ERROR_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return Fail(CALDICOTT_ERROR_INTERNAL, "internal error");
  }
}

std::string Str(const char* p, size_t n) {
  return p == nullptr ? std::string() : std::string(p, n);
}

}  // namespace

struct caldicott_engine {
  caldicott::runtime::PolicyEngine engine;
};

extern "C" {

caldicott_status caldicott_engine_create(caldicott_engine** out) {
  return Guard([&] {
    if (out == nullptr) return Fail(CALDICOTT_ERROR_ARGUMENT, "out is NULL");
    *out = new caldicott_engine();
    return CALDICOTT_OK;
  });
}

void caldicott_engine_free(caldicott_engine* engine) {
  delete engine;
}

caldicott_status caldicott_engine_add_schema(caldicott_engine* engine, const char* path,
                                             size_t path_len) {
  return Guard([&] {
    if (engine == nullptr || path == nullptr || path_len == 0) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine or path is NULL or empty");
    }
    engine->engine.schema_paths.push_back(Str(path, path_len));
    return CALDICOTT_OK;
  });
}

caldicott_status caldicott_engine_compile_files(caldicott_engine* engine, const char* const* paths,
                                                const size_t* path_lens, size_t count) {
  return Guard([&] {
    if (engine == nullptr || (count > 0 && (paths == nullptr || path_lens == nullptr)) ||
        count == 0) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine or paths is NULL, or no path given");
    }
    std::vector<std::string> files;
    for (size_t i = 0; i < count; ++i) {
      if (paths[i] == nullptr) return Fail(CALDICOTT_ERROR_ARGUMENT, "a path is NULL");
      files.push_back(Str(paths[i], path_lens[i]));
    }
    std::string error;
    caldicott_status s = engine->engine.Compile(files, std::nullopt, error);
    return s == CALDICOTT_OK ? s : Fail(s, error);
  });
}

caldicott_status caldicott_engine_compile_source(caldicott_engine* engine, const char* name,
                                                 size_t name_len, const char* text,
                                                 size_t text_len) {
  return Guard([&] {
    if (engine == nullptr || name == nullptr || name_len == 0 || (text == nullptr && text_len)) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine, name or text is NULL");
    }
    std::string error;
    caldicott_status s = engine->engine.Compile({Str(name, name_len)}, Str(text, text_len), error);
    return s == CALDICOTT_OK ? s : Fail(s, error);
  });
}

caldicott_status caldicott_engine_set_backend(caldicott_engine* engine, uint32_t backend) {
  return Guard([&] {
    if (engine == nullptr) return Fail(CALDICOTT_ERROR_ARGUMENT, "engine is NULL");
    if (backend != CALDICOTT_BACKEND_JIT && backend != CALDICOTT_BACKEND_INTERP &&
        backend != CALDICOTT_BACKEND_JIT_QUICK) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, fmt::format("unknown backend {}", backend));
    }
    engine->engine.backend = static_cast<caldicott_backend>(backend);
    return CALDICOTT_OK;
  });
}

caldicott_status caldicott_engine_wait_optimised(const caldicott_engine* engine) {
  return Guard([&] {
    if (engine == nullptr) return Fail(CALDICOTT_ERROR_ARGUMENT, "engine is NULL");
    std::string error;
    caldicott_status s = engine->engine.WaitOptimised(error);
    return s == CALDICOTT_OK ? s : Fail(s, error);
  });
}

caldicott_status caldicott_engine_load_artifact_memory(caldicott_engine* engine, const void* data,
                                                       size_t size) {
  return Guard([&] {
    if (engine == nullptr || (data == nullptr && size > 0)) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine or data is NULL");
    }
    std::string error;
    caldicott_status s = engine->engine.LoadArtifact(
        std::string_view(static_cast<const char*>(data), data == nullptr ? 0 : size), error);
    return s == CALDICOTT_OK ? s : Fail(s, error);
  });
}

caldicott_status caldicott_engine_load_artifact(caldicott_engine* engine, const char* path,
                                                size_t path_len) {
  return Guard([&] {
    if (engine == nullptr || path == nullptr || path_len == 0) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine or path is NULL or empty");
    }
    std::string name = Str(path, path_len);
    std::string bytes, error;
    if (!caldicott::base::ReadWholeFile(name, bytes, error)) {
      return Fail(CALDICOTT_ERROR_IO, error);
    }
    caldicott_status s = engine->engine.LoadArtifact(bytes, error);
    return s == CALDICOTT_OK ? s : Fail(s, fmt::format("{}: {}", name, error));
  });
}

caldicott_status caldicott_engine_find_agreement(const caldicott_engine* engine, const char* name,
                                                 size_t name_len, uint32_t* out_agreement) {
  return Guard([&] {
    if (engine == nullptr || name == nullptr || out_agreement == nullptr) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine, name or out is NULL");
    }
    const caldicott::ir::Policy* policy = engine->engine.policy();
    if (policy == nullptr) return Fail(CALDICOTT_ERROR_NOT_COMPILED, "the engine has no policy");
    auto id = policy->Find(std::string_view(name, name_len));
    if (!id) {
      return Fail(CALDICOTT_ERROR_NOT_FOUND,
                  fmt::format("no agreement `{}`", std::string_view(name, name_len)));
    }
    *out_agreement = id->index;
    return CALDICOTT_OK;
  });
}

namespace {
caldicott_status CheckRequest(const caldicott_engine* engine, uint32_t agreement,
                              const caldicott_request* request) {
  if (engine == nullptr || request == nullptr) {
    return Fail(CALDICOTT_ERROR_ARGUMENT, "engine or request is NULL");
  }
  if (request->role == nullptr && request->role_len > 0) {
    return Fail(CALDICOTT_ERROR_ARGUMENT, "request role is NULL");
  }
  const caldicott::ir::Policy* policy = engine->engine.policy();
  if (policy == nullptr) return Fail(CALDICOTT_ERROR_NOT_COMPILED, "the engine has no policy");
  if (agreement >= policy->agreements.size()) {
    return Fail(CALDICOTT_ERROR_NOT_FOUND, "no such agreement");
  }
  return CALDICOTT_OK;
}
}  // namespace

caldicott_status caldicott_applies(const caldicott_engine* engine, uint32_t agreement,
                                   const caldicott_request* request, int* out_applies) {
  return Guard([&] {
    if (out_applies == nullptr) return Fail(CALDICOTT_ERROR_ARGUMENT, "out is NULL");
    *out_applies = 0;
    caldicott_status s = CheckRequest(engine, agreement, request);
    if (s != CALDICOTT_OK) return s;
    *out_applies = engine->engine.Applies(caldicott::ir::AgreementId{agreement}, *request);
    return CALDICOTT_OK;
  });
}

caldicott_status caldicott_decide(const caldicott_engine* engine, uint32_t agreement,
                                  const caldicott_request* request, const caldicott_entry* entries,
                                  size_t count, caldicott_decision* out) {
  return Guard([&] {
    if (count > 0 && (entries == nullptr || out == nullptr)) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "entries or out is NULL");
    }
    caldicott_status s = CheckRequest(engine, agreement, request);
    if (s != CALDICOTT_OK) {
      // Fail closed: whatever went wrong, nothing is shared.
      uint32_t reason = s == CALDICOTT_ERROR_NOT_COMPILED ? CALDICOTT_REASON_NO_ENGINE
                                                          : CALDICOTT_REASON_DOES_NOT_APPLY;
      for (size_t i = 0; out != nullptr && i < count; ++i) {
        out[i] = {CALDICOTT_WITHHOLD, reason, 0};
      }
      return s;
    }
    engine->engine.Decide(caldicott::ir::AgreementId{agreement}, *request, entries, count, out);
    return CALDICOTT_OK;
  });
}

const char* caldicott_rule_description(const caldicott_engine* engine, uint32_t rule) {
  if (engine == nullptr) return nullptr;
  return engine->engine.RuleDescription(rule);
}

caldicott_status caldicott_filter_bundle(const caldicott_engine* engine, uint32_t agreement,
                                         const caldicott_request* request, const char* json,
                                         size_t json_len, char** out, size_t* out_len) {
  return Guard([&] {
    if (out == nullptr || out_len == nullptr || (json == nullptr && json_len > 0)) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "json, out or out_len is NULL");
    }
    *out = nullptr;
    *out_len = 0;
    caldicott_status s = CheckRequest(engine, agreement, request);
    if (s != CALDICOTT_OK) return s;
    caldicott::fhir::PaddedBuffer input(std::string_view(json == nullptr ? "" : json, json_len));
    std::string why;
    caldicott::fhir::FilterResult r = engine->engine.FilterBundle(
        caldicott::ir::AgreementId{agreement}, *request, input, false, &why);
    switch (r.status) {
      case caldicott::fhir::FilterResult::Status::kDoesNotApply:
        return Fail(CALDICOTT_ERROR_DOES_NOT_APPLY, "the agreement does not apply: " + why);
      case caldicott::fhir::FilterResult::Status::kError:
        return Fail(CALDICOTT_ERROR_MALFORMED_INPUT, r.error);
      case caldicott::fhir::FilterResult::Status::kFiltered:
        break;
    }
    auto buffer = std::make_unique<char[]>(r.output.size() + 1);
    std::copy(r.output.begin(), r.output.end(), buffer.get());
    buffer[r.output.size()] = '\0';
    *out_len = r.output.size();
    *out = buffer.release();
    return CALDICOTT_OK;
  });
}

void caldicott_free(char* buffer) {
  delete[] buffer;
}

const char* caldicott_last_error(void) {
  return last_error.c_str();
}

caldicott_date caldicott_date_from_ymd(int year, int month, int day) {
  return caldicott::base::DaysFromCivil(year, month, day);
}

}  // extern "C"
