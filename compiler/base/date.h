// Calendar dates as days since 1970-01-01 (proleptic Gregorian), the form
// of caldicott_date. One implementation for the compiler, the runtime and
// the tools.
#ifndef CALDICOTT_COMPILER_BASE_DATE_H_
#define CALDICOTT_COMPILER_BASE_DATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace caldicott::base {

bool IsLeapYear(int year);
// The days of `month` (1-12) in `year`.
int DaysInMonth(int year, int month);

// Days since 1970-01-01 of a calendar date, and back (Howard Hinnant's
// days_from_civil / civil_from_days). The date is not checked: callers
// that take dates from outside check them first (ParseDay does).
struct CivilDate {
  int year, month, day;
};
int32_t DaysFromCivil(int year, int month, int day);
CivilDate CivilFromDays(int32_t days);

// YYYY-MM-DD; "(no date)" for CALDICOTT_NO_DATE (INT32_MIN).
std::string DateText(int32_t days);

// A date written exactly YYYY-MM-DD that exists (year 1 to 9999), as days;
// nullopt for anything else.
std::optional<int32_t> ParseDay(std::string_view text);

}  // namespace caldicott::base

#endif  // CALDICOTT_COMPILER_BASE_DATE_H_
