//! Date values in JQL: absolute dates, relative periods and the date functions.
//!
//! Everything is computed in UTC (the simulated site has no time-zone database): `"2024-01-31"`
//! is midnight UTC, `startOfDay()` is today's midnight UTC. Relative periods (`-7d`, `"-1w 2d"`)
//! are offsets from `now`; a leading sign applies to the whole period, as in Jira.
//! `startOfWeek()` starts on Sunday for `en_US` viewers and on Monday otherwise.

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveTime, TimeDelta};

use super::error::JqlError;
use crate::sim::model::Ts;

/// Parses a date operand: `yyyy-MM-dd`, `yyyy/MM/dd`, either with ` HH:mm`, or a period such as
/// `-7d`, `4w 2d`, `-4h`, `30m` relative to `now`.
pub(crate) fn parse_date_value(text: &str, now: Ts) -> Option<Ts> {
    let text = text.trim();
    parse_absolute(text).or_else(|| parse_period(text).and_then(|d| now.checked_add_signed(d)))
}

/// `yyyy-MM-dd[ HH:mm]` or `yyyy/MM/dd[ HH:mm]`, as UTC.
pub(crate) fn parse_absolute(text: &str) -> Option<Ts> {
    let mut parts = text.split_whitespace();
    let date = parts.next()?;
    let time = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let sep = if date.contains('-') { '-' } else { '/' };
    let mut fields = date.split(sep);
    let year: i32 = number(fields.next()?, 4)?;
    let month: u32 = number(fields.next()?, 2)?;
    let day: u32 = number(fields.next()?, 2)?;
    if fields.next().is_some() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = match time {
        None => NaiveTime::MIN,
        Some(time) => {
            let (h, m) = time.split_once(':')?;
            NaiveTime::from_hms_opt(number(h, 2)?, number(m, 2)?, 0)?
        }
    };
    Some(date.and_time(time).and_utc())
}

/// A string of 1..=`max_digits` ASCII digits.
fn number<T: std::str::FromStr>(text: &str, max_digits: usize) -> Option<T> {
    if text.is_empty() || text.len() > max_digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `-1w 2d`, `4h`, `+30m`: weeks, days, hours and minutes; the sign covers the whole period.
pub(crate) fn parse_period(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    let mut total = Duration::zero();
    let mut digits = String::new();
    let mut groups = 0;
    for c in rest.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if c == ' ' && digits.is_empty() {
            continue;
        }
        let amount: i64 = number(&digits, 9)?;
        let part = match c.to_ascii_lowercase() {
            'w' => Duration::try_weeks(amount)?,
            'd' => Duration::try_days(amount)?,
            'h' => Duration::try_hours(amount)?,
            'm' => Duration::try_minutes(amount)?,
            _ => return None,
        };
        total = total.checked_add(&part)?;
        digits.clear();
        groups += 1;
    }
    if groups == 0 || !digits.is_empty() {
        return None;
    }
    Some(if negative { -total } else { total })
}

/// The period a start/end function rounds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Day,
    Week,
    Month,
    Year,
}

/// A unit of a function increment such as `-1M`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
}

/// The names of the date functions (for autocomplete and field type checks), in Jira's casing.
pub(crate) const DATE_FUNCTIONS: &[&str] = &[
    "now",
    "startOfDay",
    "endOfDay",
    "startOfWeek",
    "endOfWeek",
    "startOfMonth",
    "endOfMonth",
    "startOfYear",
    "endOfYear",
];

/// Whether `name` (any case) is one of the date functions.
pub(crate) fn is_date_function(name: &str) -> bool {
    DATE_FUNCTIONS.iter().any(|f| f.eq_ignore_ascii_case(name))
}

/// Evaluates `now()`, `startOfDay(-1d)` and friends. `week_starts_sunday` follows the viewer's
/// locale. Callers check [`is_date_function`] first.
pub(crate) fn eval_date_function(
    name: &str,
    args: &[String],
    now: Ts,
    week_starts_sunday: bool,
) -> Result<Ts, JqlError> {
    let lower = name.to_ascii_lowercase();
    if lower == "now" {
        if !args.is_empty() {
            return Err(JqlError::function_arity(name, 0, 0, args.len()));
        }
        return Ok(now);
    }
    let (end, period) = match lower.as_str() {
        "startofday" => (false, Period::Day),
        "endofday" => (true, Period::Day),
        "startofweek" => (false, Period::Week),
        "endofweek" => (true, Period::Week),
        "startofmonth" => (false, Period::Month),
        "endofmonth" => (true, Period::Month),
        "startofyear" => (false, Period::Year),
        "endofyear" => (true, Period::Year),
        _ => return Err(JqlError::unknown_function(name)),
    };
    if args.len() > 1 {
        return Err(JqlError::function_arity(name, 0, 1, args.len()));
    }
    let increment = match args.first() {
        None => None,
        Some(arg) => {
            Some(parse_increment(arg, period).ok_or_else(|| JqlError::function_duration(name))?)
        }
    };
    let overflow = || JqlError::function_duration(name);
    let natural = |unit: Unit| {
        matches!(
            (period, unit),
            (Period::Day, Unit::Day)
                | (Period::Week, Unit::Week)
                | (Period::Month, Unit::Month)
                | (Period::Year, Unit::Year)
        )
    };
    // Shifting by the function's own unit moves to another period (`endOfMonth(+1M)` is the end
    // of next month); any other increment offsets the boundary (`startOfMonth(+14d)`).
    let (base, after) = match increment {
        Some((amount, unit)) if natural(unit) => {
            (shift(now, amount, unit).ok_or_else(overflow)?, None)
        }
        other => (now, other),
    };
    let boundary = boundary(base, period, end, week_starts_sunday).ok_or_else(overflow)?;
    match after {
        Some((amount, unit)) => shift(boundary, amount, unit).ok_or_else(overflow),
        None => Ok(boundary),
    }
}

/// `(+/-)n(yMwdhm)`; without a unit the function's own period is used.
fn parse_increment(text: &str, period: Period) -> Option<(i64, Unit)> {
    let text = text.trim();
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    let split = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (digits, unit) = rest.split_at(split);
    let amount: i64 = number(digits, 9)?;
    let unit = match unit {
        "" => match period {
            Period::Day => Unit::Day,
            Period::Week => Unit::Week,
            Period::Month => Unit::Month,
            Period::Year => Unit::Year,
        },
        "y" => Unit::Year,
        "M" => Unit::Month,
        "w" => Unit::Week,
        "d" => Unit::Day,
        "h" => Unit::Hour,
        "m" => Unit::Minute,
        _ => return None,
    };
    Some((if negative { -amount } else { amount }, unit))
}

fn shift(at: Ts, amount: i64, unit: Unit) -> Option<Ts> {
    let months = |n: i64| -> Option<Ts> {
        let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
        if n < 0 {
            at.checked_sub_months(m)
        } else {
            at.checked_add_months(m)
        }
    };
    match unit {
        Unit::Year => months(amount.checked_mul(12)?),
        Unit::Month => months(amount),
        Unit::Week => at.checked_add_signed(TimeDelta::try_weeks(amount)?),
        Unit::Day => at.checked_add_signed(TimeDelta::try_days(amount)?),
        Unit::Hour => at.checked_add_signed(TimeDelta::try_hours(amount)?),
        Unit::Minute => at.checked_add_signed(TimeDelta::try_minutes(amount)?),
    }
}

/// The first instant of the period containing `at`, or its last millisecond when `end`.
fn boundary(at: Ts, period: Period, end: bool, week_starts_sunday: bool) -> Option<Ts> {
    let date = at.date_naive();
    let start = match period {
        Period::Day => date,
        Period::Week => {
            let offset = if week_starts_sunday {
                date.weekday().num_days_from_sunday()
            } else {
                date.weekday().num_days_from_monday()
            };
            date.checked_sub_days(chrono::Days::new(u64::from(offset)))?
        }
        Period::Month => date.with_day(1)?,
        Period::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1)?,
    };
    let start = start.and_time(NaiveTime::MIN).and_utc();
    if !end {
        return Some(start);
    }
    let next = match period {
        Period::Day => start.checked_add_signed(TimeDelta::try_days(1)?)?,
        Period::Week => start.checked_add_signed(TimeDelta::try_weeks(1)?)?,
        Period::Month => start.checked_add_months(Months::new(1))?,
        Period::Year => start.checked_add_months(Months::new(12))?,
    };
    next.checked_sub_signed(TimeDelta::try_milliseconds(1)?)
}

/// Whether the viewer's locale starts weeks on Sunday (`en_US`, `en-US`).
pub(crate) fn week_starts_sunday(locale: &str) -> bool {
    let normalized = locale.replace('-', "_");
    normalized.eq_ignore_ascii_case("en_US") || normalized.eq_ignore_ascii_case("en_CA")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Ts {
        chrono::Utc
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid date")
    }

    /// Wednesday 2024-01-31 15:45 UTC.
    fn now() -> Ts {
        ts(2024, 1, 31, 15, 45)
    }

    fn eval(name: &str, args: &[&str]) -> Result<Ts, JqlError> {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        eval_date_function(name, &args, now(), false)
    }

    fn ms(t: Ts) -> Ts {
        t - Duration::milliseconds(1)
    }

    #[test]
    fn absolute_dates_accept_dashes_slashes_and_times() {
        assert_eq!(parse_absolute("2024-01-31"), Some(ts(2024, 1, 31, 0, 0)));
        assert_eq!(parse_absolute("2024/1/5"), Some(ts(2024, 1, 5, 0, 0)));
        assert_eq!(
            parse_absolute("2024-01-31 10:00"),
            Some(ts(2024, 1, 31, 10, 0))
        );
        assert_eq!(
            parse_absolute("2024/01/31 23:59"),
            Some(ts(2024, 1, 31, 23, 59))
        );
        for bad in [
            "2024-02-30",
            "2024-13-01",
            "24:00",
            "2024-01-31 25:00",
            "2024-01",
            "yesterday",
            "",
            "2024-01-31 10:00 x",
        ] {
            assert_eq!(parse_absolute(bad), None, "{bad}");
        }
    }

    #[test]
    fn periods_are_weeks_days_hours_and_minutes() {
        assert_eq!(parse_period("-7d"), Some(Duration::days(-7)));
        assert_eq!(parse_period("-2w"), Some(Duration::weeks(-2)));
        assert_eq!(parse_period("1d"), Some(Duration::days(1)));
        assert_eq!(parse_period("-4h"), Some(Duration::hours(-4)));
        assert_eq!(parse_period("-30m"), Some(Duration::minutes(-30)));
        assert_eq!(parse_period("-1w 2d"), Some(Duration::days(-9)));
        assert_eq!(parse_period("4w2d"), Some(Duration::days(30)));
        for bad in [
            "",
            "-",
            "7",
            "d",
            "-7x",
            "1d 2",
            "99999999999999999999d",
            "--1d",
        ] {
            assert_eq!(parse_period(bad), None, "{bad}");
        }
    }

    #[test]
    fn date_values_resolve_relative_to_now() {
        assert_eq!(
            parse_date_value("-1d", now()),
            Some(ts(2024, 1, 30, 15, 45))
        );
        assert_eq!(
            parse_date_value(" 2024-01-01 ", now()),
            Some(ts(2024, 1, 1, 0, 0))
        );
    }

    #[test]
    fn start_and_end_functions_round_to_their_period() {
        assert_eq!(eval("now", &[]).ok(), Some(now()));
        assert_eq!(eval("startOfDay", &[]).ok(), Some(ts(2024, 1, 31, 0, 0)));
        assert_eq!(eval("endOfDay", &[]).ok(), Some(ms(ts(2024, 2, 1, 0, 0))));
        assert_eq!(eval("startOfWeek", &[]).ok(), Some(ts(2024, 1, 29, 0, 0)));
        assert_eq!(eval("endOfWeek", &[]).ok(), Some(ms(ts(2024, 2, 5, 0, 0))));
        assert_eq!(eval("STARTOFMONTH", &[]).ok(), Some(ts(2024, 1, 1, 0, 0)));
        assert_eq!(eval("endOfMonth", &[]).ok(), Some(ms(ts(2024, 2, 1, 0, 0))));
        assert_eq!(eval("startOfYear", &[]).ok(), Some(ts(2024, 1, 1, 0, 0)));
        assert_eq!(eval("endOfYear", &[]).ok(), Some(ms(ts(2025, 1, 1, 0, 0))));
        let sunday = eval_date_function("startOfWeek", &[], now(), true).ok();
        assert_eq!(sunday, Some(ts(2024, 1, 28, 0, 0)));
    }

    #[test]
    fn increments_move_to_other_periods_or_offset_the_boundary() {
        assert_eq!(
            eval("startOfDay", &["-1d"]).ok(),
            Some(ts(2024, 1, 30, 0, 0))
        );
        assert_eq!(eval("startOfDay", &["+1"]).ok(), Some(ts(2024, 2, 1, 0, 0)));
        assert_eq!(
            eval("endOfMonth", &["+1M"]).ok(),
            Some(ms(ts(2024, 3, 1, 0, 0)))
        );
        assert_eq!(
            eval("startOfMonth", &["-1M"]).ok(),
            Some(ts(2023, 12, 1, 0, 0))
        );
        assert_eq!(
            eval("startOfMonth", &["14d"]).ok(),
            Some(ts(2024, 1, 15, 0, 0))
        );
        assert_eq!(
            eval("startOfYear", &["-1"]).ok(),
            Some(ts(2023, 1, 1, 0, 0))
        );
        assert_eq!(
            eval("startOfDay", &["2h"]).ok(),
            Some(ts(2024, 1, 31, 2, 0))
        );
    }

    #[test]
    fn bad_arguments_get_jiras_messages() {
        assert_eq!(
            eval("startOfDay", &["-6q"]).err().map(|e| e.message().to_owned()),
            Some("Duration for function 'startOfDay' should have the format (+/-)n(yMwdm), e.g -1M for 1 month earlier.".to_owned())
        );
        assert_eq!(
            eval("endOfWeek", &["a", "b"])
                .err()
                .map(|e| e.message().to_owned()),
            Some(
                "Function 'endOfWeek' expected between '0' and '1' arguments but received '2'."
                    .to_owned()
            )
        );
        assert!(eval("now", &["1d"]).is_err());
        assert!(eval("startOfDay", &["-999999999y"]).is_err());
        assert!(eval("startOfDay", &["99999999999999999999"]).is_err());
    }

    #[test]
    fn locales_pick_the_first_day_of_the_week() {
        assert!(week_starts_sunday("en_US"));
        assert!(week_starts_sunday("en-us"));
        assert!(!week_starts_sunday("en_GB"));
        assert!(!week_starts_sunday("th_TH"));
    }
}
