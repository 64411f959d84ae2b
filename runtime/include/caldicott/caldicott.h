/*
 * Caldicott runtime: the C API that host services embed to decide, entry by
 * entry, what a role may see of a patient record under a data sharing
 * agreement, and to filter FHIR R4 Bundles.
 *
 * Conventions
 *  - Every function returns a caldicott_status; results come back through
 *    out-parameters. No C++ exception ever crosses this API.
 *  - Handles are opaque. An engine is safe to use from many threads at once
 *    for decisions and filtering once it is compiled; compiling and freeing
 *    need exclusive access.
 *  - Strings passed in are (pointer, length) pairs and need not be
 *    NUL-terminated. Strings handed out are NUL-terminated and owned by the
 *    engine (valid until the engine is freed) unless stated otherwise.
 *  - Fail closed: whenever the runtime cannot decide (a malformed entry, an
 *    unknown kind, an unusable engine), the decision is WITHHOLD and the
 *    reason says why. Nothing is ever shared on doubt.
 */
#ifndef CALDICOTT_CALDICOTT_H_
#define CALDICOTT_CALDICOTT_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- status */

typedef enum caldicott_status {
  CALDICOTT_OK = 0,
  CALDICOTT_ERROR_ARGUMENT = 1,     /* a null pointer or an out-of-range value */
  CALDICOTT_ERROR_SOURCE = 2,       /* the agreement source has errors (see caldicott_last_error) */
  CALDICOTT_ERROR_SCHEMA = 3,       /* a coding schema could not be loaded */
  CALDICOTT_ERROR_NOT_FOUND = 4,    /* no agreement of that name */
  CALDICOTT_ERROR_NOT_COMPILED = 5, /* the engine has no compiled policy */
  CALDICOTT_ERROR_MALFORMED_INPUT = 6, /* a FHIR Bundle that is not valid JSON or not a Bundle */
  CALDICOTT_ERROR_DOES_NOT_APPLY = 7,  /* the agreement does not apply to the request */
  CALDICOTT_ERROR_OUT_OF_MEMORY = 8,
  CALDICOTT_ERROR_INTERNAL = 9,
  CALDICOTT_ERROR_ARTIFACT =
      10,                 /* an artefact that is unreadable, damaged or not for this runtime */
  CALDICOTT_ERROR_IO = 11 /* a file could not be read */
} caldicott_status;

/* ---------------------------------------------------------------- entries */

/* Entry kinds (docs/language.md, "Entry kinds"), generated from the one list
 * in caldicott/kinds.def: CALDICOTT_KIND_PROBLEM = 0, CALDICOTT_KIND_ALLERGY,
 * ... CALDICOTT_KIND_OTHER, in the order listed there. */
typedef enum caldicott_kind {
#define CALDICOTT_KIND(ENUM, CamelName, spelling) CALDICOTT_KIND_##ENUM,
#include "caldicott/kinds.def"
#undef CALDICOTT_KIND
  CALDICOTT_KIND_COUNT
} caldicott_kind;

/* Entry statuses (docs/language.md, "Statuses"), generated from the one
 * list in caldicott/statuses.def: CALDICOTT_STATUS_ACTIVE = 0, ...
 * CALDICOTT_STATUS_UNKNOWN, in the order listed there. */
typedef enum caldicott_entry_status {
#define CALDICOTT_STATUS(ENUM, CamelName, spelling) CALDICOTT_STATUS_##ENUM,
#include "caldicott/statuses.def"
#undef CALDICOTT_STATUS
  CALDICOTT_STATUS_COUNT
} caldicott_entry_status;

/* A date as days since 1970-01-01 (proleptic Gregorian). */
typedef int32_t caldicott_date;
/* An entry whose date is not known. */
#define CALDICOTT_NO_DATE INT32_MIN

/* One coding: a system URI and a code, exactly as recorded. */
typedef struct caldicott_coding {
  const char* system;
  size_t system_len;
  const char* code;
  size_t code_len;
} caldicott_coding;

/* One entry of a patient record, as plain data. */
typedef struct caldicott_entry {
  uint32_t kind;   /* a caldicott_kind */
  uint32_t status; /* a caldicott_entry_status */
  caldicott_date date;
  uint32_t flags;                  /* reserved: must be 0 */
  const caldicott_coding* codings; /* the codes of the entry's main concept */
  size_t coding_count;
  const caldicott_coding* labels; /* security labels (FHIR meta.security) */
  size_t label_count;
} caldicott_entry;

/* ---------------------------------------------------------------- decisions */

typedef enum caldicott_verdict { CALDICOTT_WITHHOLD = 0, CALDICOTT_SHARE = 1 } caldicott_verdict;

/* Why a decision came out as it did. */
typedef enum caldicott_reason {
  CALDICOTT_REASON_SHARED = 0,          /* a share matched and no exclude did */
  CALDICOTT_REASON_EXCLUDED = 1,        /* an exclude matched (exclude always wins) */
  CALDICOTT_REASON_NO_SHARE = 2,        /* no share matched */
  CALDICOTT_REASON_DOES_NOT_APPLY = 3,  /* the agreement does not apply to the request */
  CALDICOTT_REASON_MALFORMED_ENTRY = 4, /* unknown kind or status, bad flags, null codings */
  CALDICOTT_REASON_NO_ENGINE = 5        /* no usable compiled policy */
} caldicott_reason;

typedef struct caldicott_decision {
  uint32_t verdict; /* a caldicott_verdict */
  uint32_t reason;  /* a caldicott_reason */
  uint32_t rule;    /* the deciding rule's id, 0 when no rule decided */
} caldicott_decision;

/* A request: who asks, when, and (if known) the patient's registered practice. */
typedef struct caldicott_request {
  const char* role;
  size_t role_len;
  caldicott_date date;
  const char* practice; /* ODS code of the registered practice; NULL when unknown */
  size_t practice_len;
} caldicott_request;

/* ---------------------------------------------------------------- engines */

/* An engine holds a coding schema and a compiled policy (the agreements of
 * one locality). Opaque. */
typedef struct caldicott_engine caldicott_engine;

/* The version of this API; an artefact or host built for another is refused. */
#define CALDICOTT_ABI_VERSION 1u

/* Creates an engine with the default coding schema. Free it with
 * caldicott_engine_free. */
caldicott_status caldicott_engine_create(caldicott_engine** out);

/* Frees an engine and everything it handed out. NULL is ignored. */
void caldicott_engine_free(caldicott_engine* engine);

/* Adds a coding schema path (a FHIR CodeSystem .json file, an RF2 Snapshot
 * directory, or a directory of these), replacing the default for the systems
 * it supplies. Takes effect at the next compile. */
caldicott_status caldicott_engine_add_schema(caldicott_engine* engine, const char* path,
                                             size_t path_len);

/* How an engine decides. */
typedef enum caldicott_backend {
  /* Native code compiled with LLVM when the policy is compiled (the default),
   * or loaded from an artefact. A compile returns as soon as quickly
   * compiled native code decides (a few milliseconds); the optimised code
   * is then compiled on a background thread and takes over, deciding
   * identically and about twice as fast, when it is ready (see
   * caldicott_engine_wait_optimised). */
  CALDICOTT_BACKEND_JIT = 0,
  /* The reference interpreter over the policy IR: slower, and the oracle the
   * native code is tested against. */
  CALDICOTT_BACKEND_INTERP = 1,
  /* The quickly compiled native code alone, for the policy's life: no
   * background thread, no optimised code. For short-lived processes that
   * decide a few thousand entries and exit (the CLI's `filter`). */
  CALDICOTT_BACKEND_JIT_QUICK = 2
} caldicott_backend;

/* Chooses the backend that the next compile uses (a caldicott_backend).
 * Artefacts always hold native code. */
caldicott_status caldicott_engine_set_backend(caldicott_engine* engine, uint32_t backend);

/* Blocks until the optimised native code of the engine's policy decides;
 * returns at once when nothing is being compiled (the interpreter,
 * CALDICOTT_BACKEND_JIT_QUICK, an artefact, or optimised code already in
 * place). For hosts that want the full speed from their first decision,
 * and for benchmarks. Safe to call from many threads, also while others
 * decide, but not while the engine is compiled, loaded or freed (those
 * need exclusive access). CALDICOTT_ERROR_INTERNAL when the optimised code
 * could not be built: the quick code, which decides identically, goes on
 * deciding.
 *
 * The background compile is a thread of the engine's own: free the engine
 * (or wait with this function) before the process exits, and do not use
 * across fork() an engine compiled with CALDICOTT_BACKEND_JIT in the
 * parent (pre-forking servers: compile after the fork, or use
 * CALDICOTT_BACKEND_JIT_QUICK or an artefact). */
caldicott_status caldicott_engine_wait_optimised(const caldicott_engine* engine);

/* Loads a compiled policy artefact (.cpol, written by `caldicott compile`),
 * replacing any earlier policy. Refused with CALDICOTT_ERROR_ARTIFACT and a
 * one-line reason in caldicott_last_error() when the file is truncated or
 * corrupted (checksum), or was built for another ABI version or target; the
 * earlier policy then stays. No coding schema is needed. */
caldicott_status caldicott_engine_load_artifact(caldicott_engine* engine, const char* path,
                                                size_t path_len);

/* The same, from an artefact held in memory (copied; the caller keeps it). */
caldicott_status caldicott_engine_load_artifact_memory(caldicott_engine* engine, const void* data,
                                                       size_t size);

/* Compiles agreement source files (with everything they import) into the
 * engine's policy, replacing any earlier one. On CALDICOTT_ERROR_SOURCE the
 * diagnostics are in caldicott_last_error(). */
caldicott_status caldicott_engine_compile_files(caldicott_engine* engine, const char* const* paths,
                                                const size_t* path_lens, size_t count);

/* Compiles one source held in memory; `name` is shown in diagnostics and
 * imports are resolved relative to it. */
caldicott_status caldicott_engine_compile_source(caldicott_engine* engine, const char* name,
                                                 size_t name_len, const char* text,
                                                 size_t text_len);

/* Finds an agreement of the compiled policy by name. */
caldicott_status caldicott_engine_find_agreement(const caldicott_engine* engine, const char* name,
                                                 size_t name_len, uint32_t* out_agreement);

/* Sets *out_applies to 1 when the agreement applies to the request (the role
 * is granted, the date is inside `effective`, and a named practice is one of
 * the controllers), else 0. */
caldicott_status caldicott_applies(const caldicott_engine* engine, uint32_t agreement,
                                   const caldicott_request* request, int* out_applies);

/* Decides `count` entries for one request, writing one decision per entry to
 * `out` (which must hold `count`). Thread-safe; allocates nothing. When the
 * agreement does not apply every decision is WITHHOLD with reason
 * DOES_NOT_APPLY and the status is CALDICOTT_OK. Malformed entries are
 * withheld with reason MALFORMED_ENTRY; the others are still decided. */
caldicott_status caldicott_decide(const caldicott_engine* engine, uint32_t agreement,
                                  const caldicott_request* request, const caldicott_entry* entries,
                                  size_t count, caldicott_decision* out);

/* Describes rule `rule` (from a decision) as "agreement:statement at
 * file:line: text". The string is owned by the engine. NULL for rule 0 or an
 * unknown rule. */
const char* caldicott_rule_description(const caldicott_engine* engine, uint32_t rule);

/* Filters a FHIR R4 Bundle held in memory (JSON, UTF-8) for one request:
 * writes the Bundle without the entries the agreement withholds into a new
 * buffer (*out, *out_len; free it with caldicott_free). The registered
 * practice comes from the Bundle's Patient when the request names none.
 * Returns CALDICOTT_ERROR_DOES_NOT_APPLY (and no buffer) when the agreement
 * does not apply, CALDICOTT_ERROR_MALFORMED_INPUT for JSON that is not a
 * Bundle. */
caldicott_status caldicott_filter_bundle(const caldicott_engine* engine, uint32_t agreement,
                                         const caldicott_request* request, const char* json,
                                         size_t json_len, char** out, size_t* out_len);

/* Frees a buffer handed out by caldicott_filter_bundle. NULL is ignored. */
void caldicott_free(char* buffer);

/* The message of the last error on the calling thread ("" if none). Valid
 * until the next call on this thread. */
const char* caldicott_last_error(void);

/* The days since 1970-01-01 of a calendar date, for caldicott_entry.date
 * and caldicott_request.date. */
caldicott_date caldicott_date_from_ymd(int year, int month, int day);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CALDICOTT_CALDICOTT_H_ */
