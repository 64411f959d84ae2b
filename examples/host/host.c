/*
 * A host service in C, using only the Caldicott C API: it compiles the
 * example locality, then asks what a podiatrist may see of a few entries
 * of a patient record.
 *
 *   host AGREEMENT_FILE...
 */
#include <stdio.h>
#include <string.h>

#include "caldicott/caldicott.h"

#define SNOMED "http://snomed.info/sct"
#define CONF "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"

static caldicott_coding coding(const char* system, const char* code) {
  caldicott_coding c = {system, strlen(system), code, strlen(code)};
  return c;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s AGREEMENT_FILE...\n", argv[0]);
    return 2;
  }
  caldicott_engine* engine = NULL;
  if (caldicott_engine_create(&engine) != CALDICOTT_OK) {
    fprintf(stderr, "host: %s\n", caldicott_last_error());
    return 1;
  }
  size_t lens[16];
  int files = argc - 1 < 16 ? argc - 1 : 16;
  for (int i = 0; i < files; ++i) lens[i] = strlen(argv[i + 1]);
  if (caldicott_engine_compile_files(engine, (const char* const*)(argv + 1), lens,
                                     (size_t)files) != CALDICOTT_OK) {
    fprintf(stderr, "host: the agreements do not compile:\n%s", caldicott_last_error());
    caldicott_engine_free(engine);
    return 1;
  }
  uint32_t podiatry = 0;
  if (caldicott_engine_find_agreement(engine, "podiatry", 8, &podiatry) != CALDICOTT_OK) {
    fprintf(stderr, "host: %s\n", caldicott_last_error());
    caldicott_engine_free(engine);
    return 1;
  }

  caldicott_coding t2dm = coding(SNOMED, "44054006");   /* Diabetes mellitus type 2 */
  caldicott_coding syphilis = coding(SNOMED, "76272004");
  caldicott_coding asthma = coding(SNOMED, "195967001");
  caldicott_coding restricted = coding(CONF, "R");
  caldicott_date when = caldicott_date_from_ymd(2025, 3, 1);
  caldicott_entry entries[] = {
      {CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, when, 0, &t2dm, 1, NULL, 0},
      {CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, when, 0, &syphilis, 1, NULL, 0},
      {CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, when, 0, &asthma, 1, NULL, 0},
      {CALDICOTT_KIND_PROBLEM, CALDICOTT_STATUS_ACTIVE, when, 0, &t2dm, 1, &restricted, 1},
      {99, CALDICOTT_STATUS_ACTIVE, when, 0, &t2dm, 1, NULL, 0},
  };
  const char* names[] = {"type 2 diabetes", "syphilis", "asthma", "restricted diabetes",
                         "unknown kind"};
  enum { N = sizeof entries / sizeof entries[0] };
  caldicott_decision decisions[N];
  caldicott_request request = {"podiatrist", 10, caldicott_date_from_ymd(2026, 6, 1), "A81001", 6};
  if (caldicott_decide(engine, podiatry, &request, entries, N, decisions) != CALDICOTT_OK) {
    fprintf(stderr, "host: %s\n", caldicott_last_error());
    caldicott_engine_free(engine);
    return 1;
  }
  static const char* reasons[] = {"shared", "excluded", "no share matched", "does not apply",
                                  "malformed entry", "no engine"};
  for (int i = 0; i < N; ++i) {
    const char* rule = caldicott_rule_description(engine, decisions[i].rule);
    printf("%-20s %-8s %s%s%s\n", names[i],
           decisions[i].verdict == CALDICOTT_SHARE ? "SHARE" : "WITHHOLD",
           reasons[decisions[i].reason], rule ? " by " : "", rule ? rule : "");
  }

  /* A receptionist is not granted the agreement: nothing is shared. */
  caldicott_request other = {"receptionist", 12, caldicott_date_from_ymd(2026, 6, 1), NULL, 0};
  int applies = 1;
  caldicott_applies(engine, podiatry, &other, &applies);
  printf("receptionist: the agreement %s\n", applies ? "applies" : "does not apply");
  caldicott_engine_free(engine);
  return 0;
}
