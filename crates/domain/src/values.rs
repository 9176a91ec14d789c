//! Validated newtypes. Each `parse` is the only way in, so an invalid value
//! cannot exist past the edge of the system.

use crate::Invalid;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A normalised (trimmed, lower-cased) email address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses an address from `field`. Accepts one `@`, a dotted domain and no spaces.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(Invalid::new(field, "enter an email address"));
        }
        if s.len() > 254 {
            return Err(Invalid::new(field, "email must be at most 254 characters"));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(Invalid::new(
                field,
                "email must contain @, like ana@example.org",
            ));
        };
        let bad = local.is_empty()
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || domain.contains('@')
            || s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',');
        if bad {
            return Err(Invalid::new(
                field,
                "enter a valid email address, like ana@example.org",
            ));
        }
        Ok(Self(s))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

/// Read-only access to the text, so an `Email` goes wherever a `&str` is
/// read; the only way to make one is still [`Email::parse`].
impl std::ops::Deref for Email {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Email {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Email {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Email {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Trims `raw` and checks its length in characters; empty is refused when
/// `min` > 0, and text made only of invisible characters ([`is_invisible`])
/// is always refused, since it reads as empty but is not.
pub fn text(
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
    what: &str,
) -> Result<String, Invalid> {
    let s = raw.trim();
    let n = s.chars().count();
    if n > 0 && s.chars().all(is_invisible) {
        return Err(Invalid::new(
            field,
            format!("enter {what} with visible characters; this one has only invisible ones"),
        ));
    }
    if n < min {
        return Err(if min == 1 {
            Invalid::new(field, format!("enter {what}"))
        } else {
            Invalid::new(field, format!("{what} must be at least {min} characters"))
        });
    }
    if n > max {
        return Err(Invalid::new(
            field,
            format!("{what} must be at most {max} characters"),
        ));
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Invalid::new(
            field,
            format!("{what} contains control characters"),
        ));
    }
    Ok(s.to_string())
}

/// Whether `c` draws nothing: white space, and the format and filler
/// characters (zero-width spaces and joiners, the soft hyphen, direction
/// marks, variation selectors, the BOM, Hangul fillers, tag characters).
/// A required text made only of these looks empty to every reader, so it is
/// refused like an empty one; inside visible text they are legitimate
/// (joiners in emoji and in Indic scripts), so they are kept there.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E007F}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

/// A person's display name: 1 to 100 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    /// Parses a display name.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let s = text(field, raw, 1, 100, "a name")?;
        if s.contains('\n') {
            return Err(Invalid::new(field, "a name must be on one line"));
        }
        Ok(Self(s))
    }
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 10 to 128 characters. Never stored; only its hash is.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Minimum length in characters.
    pub const MIN: usize = 10;

    /// Checks a password chosen by a person.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let n = raw.chars().count();
        if n < Self::MIN {
            return Err(Invalid::new(
                field,
                format!("password must be at least {} characters", Self::MIN),
            ));
        }
        if n > 128 {
            return Err(Invalid::new(
                field,
                "password must be at most 128 characters",
            ));
        }
        if raw.trim().is_empty() {
            return Err(Invalid::new(field, "password cannot be only spaces"));
        }
        Ok(Self(raw.to_string()))
    }
    /// The secret, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// An IANA time zone name such as `Europe/Lisbon`. Written as a plain
/// string; read back through [`TimeZoneName::parse`], so a stored profile
/// with a zone that is not one fails to decode instead of carrying it on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TryFrom<String> for TimeZoneName {
    type Error = Invalid;
    fn try_from(raw: String) -> Result<Self, Invalid> {
        Self::parse("time_zone", &raw)
    }
}

impl From<TimeZoneName> for String {
    fn from(v: TimeZoneName) -> String {
        v.0
    }
}

impl TimeZoneName {
    /// Parses an IANA zone name; the error suggests the expected form.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        match s.parse::<chrono_tz::Tz>() {
            Ok(tz) => Ok(Self(tz.name().to_string())),
            Err(_) => Err(Invalid::new(
                field,
                "time zone must be an IANA name such as Europe/Lisbon or America/New_York",
            )),
        }
    }
    /// UTC, the default for new accounts.
    pub fn utc() -> Self {
        Self("UTC".into())
    }
    /// The zone name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The zone itself, for converting times.
    pub fn tz(&self) -> chrono_tz::Tz {
        // Only `parse` makes one, and it checked the name.
        self.0.parse().unwrap_or(chrono_tz::UTC)
    }

    /// The place a reader knows this zone by: the city of its IANA name
    /// (`Europe/Lisbon` is "Lisbon", `America/Argentina/Buenos_Aires` is
    /// "Buenos Aires"), and "UTC" for UTC and its aliases.
    pub fn city(&self) -> String {
        let name = self.tz().name();
        if matches!(
            name,
            "UTC"
                | "UCT"
                | "Etc/UTC"
                | "Etc/UCT"
                | "Etc/Universal"
                | "Universal"
                | "Etc/Zulu"
                | "Zulu"
                | "GMT"
                | "Etc/GMT"
                | "Etc/GMT0"
                | "Etc/GMT+0"
                | "Etc/GMT-0"
                | "Etc/Greenwich"
                | "GMT0"
                | "GMT+0"
                | "GMT-0"
                | "Greenwich"
        ) {
            return "UTC".into();
        }
        name.rsplit('/').next().unwrap_or(name).replace('_', " ")
    }

    /// `ms` (Unix milliseconds, UTC) as a reader in this zone sees it, the
    /// zone named by its city: `Tue 8 Dec, 14:30 (Lisbon)`. The year is
    /// added only when it is not the year of `now` in this zone
    /// (`Fri 1 Jan 2027, 09:00 (Lisbon)` read on 31 Dec 2026). Every time the
    /// product shows a person goes through here, in pages and in emails;
    /// `now` is the app's clock, so tests and screenshots read the same.
    pub fn local_at(&self, ms: i64, now: i64) -> String {
        let tz = self.tz();
        let Some(t) = chrono::DateTime::from_timestamp_millis(ms) else {
            return String::new();
        };
        let t = t.with_timezone(&tz);
        let this_year = chrono::DateTime::from_timestamp_millis(now)
            .map(|n| n.with_timezone(&tz).year())
            .is_some_and(|y| y == t.year());
        let day = if this_year {
            t.format("%a %-d %b, %H:%M")
        } else {
            t.format("%a %-d %b %Y, %H:%M")
        };
        format!("{day} ({})", self.city())
    }

    /// `ms` as [`TimeZoneName::local_at`] shows it, always with the year:
    /// for the few places that have no clock to say which year is current.
    pub fn local(&self, ms: i64) -> String {
        match chrono::DateTime::from_timestamp_millis(ms) {
            Some(t) => format!(
                "{} ({})",
                t.with_timezone(&self.tz()).format("%a %-d %b %Y, %H:%M"),
                self.city()
            ),
            None => String::new(),
        }
    }

    /// The calendar date of `ms` in this zone: `8 Dec 2026`.
    pub fn local_date(&self, ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.with_timezone(&self.tz()).format("%-d %b %Y").to_string())
            .unwrap_or_default()
    }
}

/// UTC, the zone of anonymous pages and new accounts.
impl Default for TimeZoneName {
    fn default() -> Self {
        Self::utc()
    }
}

/// Read-only access to the text, so a `TimeZoneName` goes wherever a `&str` is
/// read; the only way to make one is still [`TimeZoneName::parse`].
impl std::ops::Deref for TimeZoneName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for TimeZoneName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for TimeZoneName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for TimeZoneName {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a list of short tags (skills, interests, languages, goal tags) from a
/// comma-separated string or from items. Tags are trimmed, de-duplicated
/// case-insensitively, each 1 to 60 characters, at most `max` of them.
pub fn tags<'a>(
    field: &'static str,
    items: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Result<Vec<String>, Invalid> {
    let mut out: Vec<String> = Vec::new();
    for raw in items {
        for part in raw.split(',') {
            let t = part.trim();
            if t.is_empty() {
                continue;
            }
            if t.chars().count() > 60 {
                return Err(Invalid::new(
                    field,
                    format!(
                        "\"{}…\" is too long: each entry must be at most 60 characters",
                        t.chars().take(20).collect::<String>()
                    ),
                ));
            }
            if t.chars().all(is_invisible) {
                return Err(Invalid::new(
                    field,
                    "an entry has only invisible characters; type the entry with visible letters or leave it out",
                ));
            }
            if t.chars().any(char::is_control) {
                return Err(Invalid::new(
                    field,
                    "entries cannot contain control characters",
                ));
            }
            if !out.iter().any(|o| o.eq_ignore_ascii_case(t)) {
                out.push(t.to_string());
            }
        }
    }
    if out.len() > max {
        return Err(Invalid::new(
            field,
            format!("at most {max} entries are allowed"),
        ));
    }
    Ok(out)
}

/// A URL-safe identifier such as a programme slug: 2 to 60 of `a-z0-9-`.
/// Written as a plain string; read back through [`Slug::parse`], so
/// deserialising is not a way around the check.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl TryFrom<String> for Slug {
    type Error = Invalid;
    fn try_from(raw: String) -> Result<Self, Invalid> {
        Self::parse("slug", &raw)
    }
}

impl From<Slug> for String {
    fn from(v: Slug) -> String {
        v.0
    }
}

impl Slug {
    /// Parses a slug.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        let ok = (2..=60).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(Invalid::new(
                field,
                "use 2 to 60 lower-case letters, digits and dashes, like spring-2027",
            ))
        }
    }
    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Read-only access to the text, so a `Slug` goes wherever a `&str` is
/// read; the only way to make one is still [`Slug::parse`].
impl std::ops::Deref for Slug {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Slug {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Slug {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Slug {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_the_viewers_zone() {
        // 2026-03-29 00:30 UTC: Lisbon moves to summer time at 01:00 UTC.
        let before = 1_774_744_200_000;
        let now = before;
        let z = |n: &str| TimeZoneName::parse("time_zone", n).unwrap();
        assert_eq!(z("UTC").local_at(before, now), "Sun 29 Mar, 00:30 (UTC)");
        assert_eq!(
            z("Europe/Lisbon").local_at(before, now),
            "Sun 29 Mar, 00:30 (Lisbon)"
        );
        // An hour later the clocks have gone forward: 01:30 UTC is 02:30.
        assert_eq!(
            z("Europe/Lisbon").local_at(before + 3_600_000, now),
            "Sun 29 Mar, 02:30 (Lisbon)"
        );
        // Half-hour and quarter-hour offsets.
        assert_eq!(
            z("Asia/Kolkata").local_at(before, now),
            "Sun 29 Mar, 06:00 (Kolkata)"
        );
        assert_eq!(
            z("Asia/Kathmandu").local_at(before, now),
            "Sun 29 Mar, 06:15 (Kathmandu)"
        );
        assert_eq!(
            z("America/Argentina/Buenos_Aires").local_at(before, now),
            "Sat 28 Mar, 21:30 (Buenos Aires)"
        );
        assert_eq!(z("Australia/Adelaide").local_date(before), "29 Mar 2026");
        // Without a clock the year is always there.
        assert_eq!(
            z("Europe/Lisbon").local(before),
            "Sun 29 Mar 2026, 00:30 (Lisbon)"
        );
    }

    #[test]
    fn the_year_shows_only_when_it_is_not_the_readers_current_year() {
        let z = |n: &str| TimeZoneName::parse("time_zone", n).unwrap();
        // 2026-12-31 23:00 UTC: still 2026 in Lisbon, already 2027 in Kolkata.
        let new_year_eve = 1_798_758_000_000;
        let next_day = new_year_eve + 86_400_000;
        assert_eq!(
            z("Europe/Lisbon").local_at(next_day, new_year_eve),
            "Fri 1 Jan 2027, 23:00 (Lisbon)"
        );
        assert_eq!(
            z("Asia/Kolkata").local_at(next_day, new_year_eve),
            "Sat 2 Jan, 04:30 (Kolkata)"
        );
        // A past year is named too.
        assert_eq!(
            z("UTC").local_at(new_year_eve - 366 * 86_400_000, new_year_eve),
            "Tue 30 Dec 2025, 23:00 (UTC)"
        );
        // UTC by any of its names reads "UTC".
        assert_eq!(z("Etc/UTC").city(), "UTC");
        assert_eq!(z("GMT").city(), "UTC");
        assert_eq!(z("America/New_York").city(), "New York");
    }

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse("email", "  Ana@Example.ORG ")
                .unwrap()
                .as_str(),
            "ana@example.org"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.org",
            "ana@x",
            "a b@x.org",
            "ana@x..org",
            "a@b@c.org",
        ] {
            let e = Email::parse("email", bad).unwrap_err();
            assert_eq!(e.field, "email", "{bad}");
        }
        assert_eq!(Email::parse("email", "a@x.org").unwrap().domain(), "x.org");
    }

    #[test]
    fn password_length_is_enforced() {
        assert!(NewPassword::parse("password", "short").is_err());
        assert!(NewPassword::parse("password", "          ").is_err());
        assert!(NewPassword::parse("password", "long enough pw").is_ok());
        assert!(NewPassword::parse("password", &"x".repeat(129)).is_err());
    }

    #[test]
    fn time_zone_must_be_iana() {
        assert_eq!(
            TimeZoneName::parse("time_zone", "Europe/Lisbon")
                .unwrap()
                .as_str(),
            "Europe/Lisbon"
        );
        assert!(TimeZoneName::parse("time_zone", "Mars/Olympus").is_err());
    }

    #[test]
    fn typed_values_round_trip_as_plain_strings_and_are_checked_when_read() {
        let tz = TimeZoneName::parse("time_zone", "Europe/Lisbon").unwrap();
        assert_eq!(serde_json::to_string(&tz).unwrap(), "\"Europe/Lisbon\"");
        assert_eq!(
            serde_json::from_str::<TimeZoneName>("\"Europe/Lisbon\"").unwrap(),
            tz
        );
        let e = serde_json::from_str::<TimeZoneName>("\"Mars/Olympus\"").unwrap_err();
        assert!(e.to_string().contains("time_zone"), "{e}");
        let slug = Slug::parse("slug", "spring-2027").unwrap();
        assert_eq!(serde_json::to_string(&slug).unwrap(), "\"spring-2027\"");
        assert_eq!(slug, "spring-2027");
        assert_eq!(format!("{slug}"), "spring-2027");
        let e = serde_json::from_str::<Slug>("\"Spring 2027\"").unwrap_err();
        assert!(e.to_string().contains("slug"), "{e}");
    }

    #[test]
    fn tags_are_deduplicated_and_bounded() {
        let t = tags("skills", ["Rust, rust ,  Go", ""], 5).unwrap();
        assert_eq!(t, vec!["Rust", "Go"]);
        assert!(tags("skills", ["a,b,c"], 2).is_err());
        assert!(tags("skills", [&*"x".repeat(61)], 5).is_err());
    }

    #[test]
    fn names_and_slugs() {
        assert!(PersonName::parse("name", "   ").is_err());
        assert!(PersonName::parse("name", "Ana\nB").is_err());
        assert!(Slug::parse("slug", "spring-2027").is_ok());
        assert!(Slug::parse("slug", "Spring 2027").is_err());
    }

    #[test]
    fn names_of_only_invisible_characters_are_refused() {
        for blank in [
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}",
            " \u{2060} \u{FEFF} ",
            "\u{00AD}\u{00AD}",
            "\u{E0041}\u{FE0F}",
        ] {
            let e = PersonName::parse("name", blank).unwrap_err();
            assert_eq!(e.field, "name", "{blank:?}");
            assert!(e.message.contains("visible"), "{}", e.message);
            let e = text("name", blank, 2, 120, "a name").unwrap_err();
            assert_eq!(e.field, "name", "{blank:?}");
            let e = tags("skills", ["Rust", blank], 5).unwrap_err();
            assert_eq!(e.field, "skills", "{blank:?}");
        }
        // Joiners inside visible text are real text (emoji, Indic scripts).
        assert!(PersonName::parse("name", "Ana\u{200D}Lu").is_ok());
        assert_eq!(
            text("bio", "\u{200B}", 0, 10, "a bio").unwrap_err().field,
            "bio",
            "even optional text cannot be only invisible characters"
        );
    }
}
