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
  CALDICOTT_ERROR_ARGUMENT = 1,       /* a null pointer or an out-of-range value */
  CALDICOTT_ERROR_SOURCE = 2,         /* the agreement source has errors (see caldicott_last_error) */
  CALDICOTT_ERROR_SCHEMA = 3,         /* a coding schema could not be loaded */
  CALDICOTT_ERROR_NOT_FOUND = 4,      /* no agreement of that name */
  CALDICOTT_ERROR_NOT_COMPILED = 5,   /* the engine has no compiled policy */
  CALDICOTT_ERROR_MALFORMED_INPUT = 6,/* a FHIR Bundle that is not valid JSON or not a Bundle */
  CALDICOTT_ERROR_DOES_NOT_APPLY = 7, /* the agreement does not apply to the request */
  CALDICOTT_ERROR_OUT_OF_MEMORY = 8,
  CALDICOTT_ERROR_INTERNAL = 9
} caldicott_status;

/* ---------------------------------------------------------------- entries */

/* Entry kinds (DESIGN.md section 4). */
typedef enum caldicott_kind {
  CALDICOTT_KIND_PROBLEM = 0,
  CALDICOTT_KIND_ALLERGY = 1,
  CALDICOTT_KIND_MEDICATION = 2,
  CALDICOTT_KIND_OBSERVATION = 3,
  CALDICOTT_KIND_PROCEDURE = 4,
  CALDICOTT_KIND_IMMUNISATION = 5,
  CALDICOTT_KIND_ENCOUNTER = 6,
  CALDICOTT_KIND_DOCUMENT = 7,
  CALDICOTT_KIND_REFERRAL = 8,
  CALDICOTT_KIND_FAMILY_HISTORY = 9,
  CALDICOTT_KIND_CARE_PLAN = 10,
  CALDICOTT_KIND_ALERT = 11,
  CALDICOTT_KIND_DEVICE = 12,
  CALDICOTT_KIND_OTHER = 13,
  CALDICOTT_KIND_COUNT = 14
} caldicott_kind;

/* Entry statuses (DESIGN.md section 4). */
typedef enum caldicott_entry_status {
  CALDICOTT_STATUS_ACTIVE = 0,
  CALDICOTT_STATUS_INACTIVE = 1,
  CALDICOTT_STATUS_CURRENT = 2,
  CALDICOTT_STATUS_PAST = 3,
  CALDICOTT_STATUS_UNKNOWN = 4,
  CALDICOTT_STATUS_COUNT = 5
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
  uint32_t flags;  /* reserved: must be 0 */
  const caldicott_coding* codings; /* the codes of the entry's main concept */
  size_t coding_count;
  const caldicott_coding* labels;  /* security labels (FHIR meta.security) */
  size_t label_count;
} caldicott_entry;

/* ---------------------------------------------------------------- decisions */

typedef enum caldicott_verdict {
  CALDICOTT_WITHHOLD = 0,
  CALDICOTT_SHARE = 1
} caldicott_verdict;

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

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CALDICOTT_CALDICOTT_H_ */
