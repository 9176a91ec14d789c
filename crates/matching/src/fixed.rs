//! Exact fixed-point scores: signed 64-bit integers in micro-units (6 decimal places).
//!
//! Every solver works on [`Score`] so that totals are exact: `0.1 + 0.2` is exactly
//! `0.3`, and two solvers that find the same optimum report the same number to the
//! last digit. Parsing accepts what a spreadsheet writes for a number with at most
//! six decimal places (`42`, `-3.5`, `+0.000001`, `.5`, `7.`) and refuses everything
//! that would need rounding or is not a finite number: `NaN`, `inf`, exponent forms
//! such as `1e3`, seven or more decimal places, and values outside the `i64` range
//! of micro-units (about ±9.2 × 10¹² points).
//!
//! Display prints the shortest exact decimal (`1.5`, `-0.000001`, `42`), so a value
//! round-trips through text unchanged.

use std::fmt;
use std::str::FromStr;

/// Micro-units per point: scores carry exactly six decimal places.
pub const SCALE: i64 = 1_000_000;

/// Number of decimal places a [`Score`] carries.
pub const DECIMALS: usize = 6;

/// An exact score in micro-units (one point is [`SCALE`] micro-units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(i64);

impl Score {
    /// Zero points.
    pub const ZERO: Score = Score(0);

    /// A score from a raw count of micro-units.
    pub const fn from_micros(micros: i64) -> Score {
        Score(micros)
    }

    /// The raw count of micro-units.
    pub const fn micros(self) -> i64 {
        self.0
    }

    /// A whole number of points, or `None` when it does not fit in micro-units.
    pub fn from_points(points: i64) -> Option<Score> {
        points.checked_mul(SCALE).map(Score)
    }

    /// Parses a decimal with at most six places; see the module docs for the rules.
    pub fn parse(text: &str) -> Result<Score, ScoreError> {
        parse_micros(text).map(Score)
    }
}

impl FromStr for Score {
    type Err = ScoreError;

    fn from_str(s: &str) -> Result<Score, ScoreError> {
        Score::parse(s)
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_micros(i128::from(self.0)))
    }
}

/// Why a text is not a valid score. Messages say what to write instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    /// The field is empty.
    #[error("a score is required (an integer or a decimal with at most 6 places)")]
    Empty,
    /// `NaN` or an infinity.
    #[error("`{0}` is not a finite number; write an integer or a decimal with at most 6 places")]
    NotFinite(String),
    /// An exponent form such as `1e3`.
    #[error("`{0}` uses an exponent; write the number out in full (at most 6 decimal places)")]
    Exponent(String),
    /// More than six decimal places.
    #[error("`{0}` has more than 6 decimal places; round it to at most 6")]
    TooManyDecimals(String),
    /// Not a number at all.
    #[error("`{0}` is not a number; write an integer or a decimal with at most 6 places")]
    NotANumber(String),
    /// Outside the representable range.
    #[error("`{0}` is too large; scores must lie within ±9223372036854.775807")]
    Overflow(String),
}

/// Parses `text` into micro-units exactly.
fn parse_micros(text: &str) -> Result<i64, ScoreError> {
    let t = text.trim_matches(|c: char| c == ' ' || c == '\t');
    if t.is_empty() {
        return Err(ScoreError::Empty);
    }
    let (negative, body) = match t.as_bytes()[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "nan" | "inf" | "infinity") {
        return Err(ScoreError::NotFinite(t.to_string()));
    }
    let (int_part, frac_part) = match body.split_once('.') {
        Some((a, b)) => (a, b),
        None => (body, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() && frac_part.is_empty()
        || !all_digits(int_part)
        || !all_digits(frac_part)
    {
        if body.contains(['e', 'E']) && body.bytes().any(|b| b.is_ascii_digit()) {
            return Err(ScoreError::Exponent(t.to_string()));
        }
        return Err(ScoreError::NotANumber(t.to_string()));
    }
    if frac_part.len() > DECIMALS {
        return Err(ScoreError::TooManyDecimals(t.to_string()));
    }
    // Accumulate in i128 so that the single overflow check at the end is exact,
    // including i64::MIN, which has no positive counterpart.
    let mut value: i128 = 0;
    for b in int_part.bytes() {
        value = value * 10 + i128::from(b - b'0');
        if value > i128::from(i64::MAX) + 1 {
            return Err(ScoreError::Overflow(t.to_string()));
        }
    }
    let mut frac: i128 = 0;
    for b in frac_part.bytes() {
        frac = frac * 10 + i128::from(b - b'0');
    }
    for _ in frac_part.len()..DECIMALS {
        frac *= 10;
    }
    let mut micros = value * i128::from(SCALE) + frac;
    if negative {
        micros = -micros;
    }
    i64::try_from(micros).map_err(|_| ScoreError::Overflow(t.to_string()))
}

/// Formats a count of micro-units (possibly a total wider than `i64`) as the
/// shortest exact decimal: no trailing zeros after the point, no point for whole
/// numbers.
pub fn format_micros(micros: i128) -> String {
    let scale = i128::from(SCALE);
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    let int = abs / scale as u128;
    let frac = abs % scale as u128;
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let mut digits = format!("{frac:06}");
    while digits.ends_with('0') {
        digits.pop();
    }
    format!("{sign}{int}.{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_integers_and_decimals_exactly() {
        assert_eq!(Score::parse("42").unwrap().micros(), 42_000_000);
        assert_eq!(Score::parse("-3.5").unwrap().micros(), -3_500_000);
        assert_eq!(Score::parse("+0.000001").unwrap().micros(), 1);
        assert_eq!(Score::parse(".5").unwrap().micros(), 500_000);
        assert_eq!(Score::parse("7.").unwrap().micros(), 7_000_000);
        assert_eq!(Score::parse("-0").unwrap().micros(), 0);
        assert_eq!(Score::parse(" 1.25 ").unwrap().micros(), 1_250_000);
        assert_eq!(
            Score::parse("-9223372036854.775808").unwrap().micros(),
            i64::MIN
        );
        assert_eq!(
            Score::parse("9223372036854.775807").unwrap().micros(),
            i64::MAX
        );
    }

    #[test]
    fn refuses_what_would_need_rounding_or_is_not_finite() {
        for bad in ["NaN", "nan", "inf", "-inf", "+Infinity"] {
            assert!(
                matches!(Score::parse(bad), Err(ScoreError::NotFinite(_))),
                "{bad}"
            );
        }
        for bad in ["1e3", "1.5E-2", "2e"] {
            assert!(
                matches!(Score::parse(bad), Err(ScoreError::Exponent(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            Score::parse("0.0000001"),
            Err(ScoreError::TooManyDecimals(_))
        ));
        assert!(matches!(
            Score::parse("9223372036854.775808"),
            Err(ScoreError::Overflow(_))
        ));
        assert!(matches!(
            Score::parse("99999999999999999999999999999"),
            Err(ScoreError::Overflow(_))
        ));
        for bad in ["", "  "] {
            assert_eq!(Score::parse(bad), Err(ScoreError::Empty));
        }
        for bad in ["abc", "1.2.3", "-", ".", "1,5", "--1", "0x10", "1 2"] {
            assert!(
                matches!(Score::parse(bad), Err(ScoreError::NotANumber(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn displays_shortest_exact_decimal() {
        let show = |m| Score::from_micros(m).to_string();
        assert_eq!(show(42_000_000), "42");
        assert_eq!(show(-3_500_000), "-3.5");
        assert_eq!(show(1), "0.000001");
        assert_eq!(show(-1), "-0.000001");
        assert_eq!(show(0), "0");
        assert_eq!(show(i64::MIN), "-9223372036854.775808");
        assert_eq!(
            format_micros(i128::from(i64::MAX) * 4),
            "36893488147419.103228"
        );
    }

    proptest! {
        #[test]
        fn display_round_trips(m in any::<i64>()) {
            let s = Score::from_micros(m);
            prop_assert_eq!(Score::parse(&s.to_string()).unwrap(), s);
        }

        #[test]
        fn parse_agrees_with_integer_arithmetic(int in -1_000_000i64..1_000_000, frac in 0u32..1_000_000) {
            let text = format!("{}{}.{:06}", if int < 0 { "-" } else { "" }, int.abs(), frac);
            let expected = int.abs() * SCALE + i64::from(frac);
            let expected = if int < 0 { -expected } else { expected };
            prop_assert_eq!(Score::parse(&text).unwrap().micros(), expected);
        }
    }
}
