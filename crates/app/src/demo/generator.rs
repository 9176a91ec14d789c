//! Turning the catalogues into people, their words, and programmes.
//! Pure and deterministic: everything comes from one seeded generator.

use super::catalogues::Gender::{Feminine as F, Masculine as M, Unisex as U};
use super::catalogues::*;
use super::{DemoData, DemoPerson, DemoProgramme, DEMO_ADMIN_EMAIL, DEMO_ADMIN_NAME, DEMO_DOMAIN};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rapport_domain::person::{AvailabilityWindow, LeadershipLevel, Profile, Visibility};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::TimeZoneName;
use rapport_domain::{PersonId, ProgrammeId};
use std::collections::HashSet;
use uuid::Uuid;

/// A zone from the catalogues, which hold only IANA names: every generated
/// profile goes through the store and back in the demo tests, so a bad entry
/// fails there rather than here.
fn zone(name: &str) -> TimeZoneName {
    TimeZoneName::parse("time_zone", name)
        .unwrap_or_else(|e| panic!("demo catalogue zone {name}: {e}"))
}

/// Generates the demo organisation for `seed`. Pure and deterministic.
pub fn demo_data(seed: u64) -> DemoData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut people: Vec<DemoPerson> = vec![admin(&mut rng)];
    // Department of each person, parallel to `people`.
    let mut dept_of: Vec<usize> = vec![people_department()];
    let mut names: HashSet<String> = HashSet::from([DEMO_ADMIN_NAME.to_string()]);
    let mut emails: HashSet<String> = HashSet::from([DEMO_ADMIN_EMAIL.to_string()]);

    // Managers first: Leaders of Leaders, then Team Leaders, then Professional
    // Contributors, so every manager is inserted before their reports.
    for level in LeadershipLevel::ALL.into_iter().rev() {
        let li = level_index(level);
        for (di, dept) in DEPARTMENTS.iter().enumerate() {
            let bosses: Vec<PersonId> = match level_above(level) {
                None => vec![],
                Some(up) => people
                    .iter()
                    .zip(&dept_of)
                    .filter(|(p, d)| **d == di && p.profile.level == up)
                    .map(|(p, _)| p.id)
                    .collect(),
            };
            let already = people
                .iter()
                .zip(&dept_of)
                .filter(|(p, d)| **d == di && p.profile.level == level)
                .count();
            for n in already..dept.counts[li] {
                let manager = (!bosses.is_empty()).then(|| bosses[n % bosses.len()]);
                let person = person(&mut rng, dept, level, manager, &mut names, &mut emails);
                people.push(person);
                dept_of.push(di);
            }
        }
    }

    // Words last: a Team Leader's goals mention the size of their team.
    for i in 1..people.len() {
        let reports = people
            .iter()
            .filter(|p| p.profile.manager_id == Some(people[i].id))
            .count();
        let dept = &DEPARTMENTS[dept_of[i]];
        let p = &mut people[i];
        p.profile.goals = goals(&mut rng, p, dept, reports);
        p.profile.bio = bio(&mut rng, p, dept);
    }

    let mut programmes = programmes(&mut rng, &people);
    // Its own generator, so adding it changed no other id or word.
    let past = past_cohort(
        &mut ChaCha8Rng::seed_from_u64(seed ^ PAST_COHORT_SALT),
        &people,
        &programmes,
    );
    programmes.push(past);
    // Their own generator too, for the same reason.
    let groups = group_and_circle(
        &mut ChaCha8Rng::seed_from_u64(seed ^ GROUPS_SALT),
        &people,
        &programmes,
    );
    programmes.extend(groups);
    DemoData {
        skills: skill_catalogue(),
        people,
        programmes,
    }
}

fn level_index(level: LeadershipLevel) -> usize {
    match level {
        LeadershipLevel::ProfessionalContributor => 0,
        LeadershipLevel::TeamLeader => 1,
        LeadershipLevel::LeaderOfLeaders => 2,
    }
}

pub(super) fn level_above(level: LeadershipLevel) -> Option<LeadershipLevel> {
    match level {
        LeadershipLevel::ProfessionalContributor => Some(LeadershipLevel::TeamLeader),
        LeadershipLevel::TeamLeader => Some(LeadershipLevel::LeaderOfLeaders),
        LeadershipLevel::LeaderOfLeaders => None,
    }
}

fn people_department() -> usize {
    DEPARTMENTS
        .iter()
        .position(|d| d.name == "People")
        .unwrap_or_default()
}

/// A deterministic random (version 4) UUID from the generator.
fn uuid_from(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random::<[u8; 16]>()).into_uuid()
}

fn window(weekday: u8, start: u16, minutes: u16) -> AvailabilityWindow {
    AvailabilityWindow {
        weekday,
        start_minute: start,
        end_minute: start + minutes,
    }
}

/// The site admin: Head of People Operations, who runs Rapport.
fn admin(rng: &mut ChaCha8Rng) -> DemoPerson {
    let id = PersonId(uuid_from(rng));
    let profile = Profile {
        name: DEMO_ADMIN_NAME.into(),
        pronouns: "they/them".into(),
        gender: String::new(),
        bio: "I'm head of people operations, based in London, and I look after Rapport for \
              our organisation. I've spent 18 years in people and HR, most of them helping new \
              managers find their feet. If something on the platform looks wrong, or you would \
              like to start a programme, tell me."
            .into(),
        level: LeadershipLevel::LeaderOfLeaders,
        years_experience: 18,
        skills_offered: vec![
            "Coaching".into(),
            "Organisational design".into(),
            "Change management".into(),
            "Building inclusive teams".into(),
        ],
        skills_wanted: vec!["Generative AI".into(), "Data analysis".into()],
        interests: vec!["Hiking".into(), "Cooking".into(), "Podcasts".into()],
        goal_tags: vec!["succession planning".into(), "AI fluency".into()],
        goals: "Make sure every team leader here has a mentor within a year, and learn enough \
                about data and AI to ask our analysts better questions."
            .into(),
        languages: vec!["English".into(), "Spanish".into()],
        time_zone: zone("Europe/London"),
        availability: vec![
            window(0, 10 * 60, 60),
            window(2, 14 * 60, 90),
            window(3, 9 * 60, 60),
        ],
        department: "People".into(),
        manager_id: None,
        visibility: Visibility::Members,
    };
    DemoPerson {
        id,
        email: DEMO_ADMIN_EMAIL.into(),
        is_admin: true,
        title: "head of people operations".into(),
        city: "London".into(),
        profile,
        joined_days_ago: 420,
        last_active_minutes_ago: Some(12),
    }
}

/// Lower-case ASCII for an email local part: accents folded, apostrophes and
/// spaces dropped.
pub(super) fn ascii_fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        let folded = match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' | 'ą' => "a",
            'ç' | 'ć' => "c",
            'é' | 'è' | 'ê' | 'ë' | 'ę' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ñ' | 'ń' => "n",
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
            'ú' | 'ù' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            'ł' => "l",
            'ś' => "s",
            'ź' | 'ż' => "z",
            c if c.is_ascii_alphanumeric() || c == '-' => {
                out.push(c);
                continue;
            }
            _ => continue,
        };
        out.push_str(folded);
    }
    out
}

fn pick_culture(rng: &mut ChaCha8Rng) -> &'static Culture {
    let total: u32 = CULTURES.iter().map(|c| c.weight).sum();
    let mut roll = rng.random_range(0..total);
    for c in CULTURES {
        if roll < c.weight {
            return c;
        }
        roll -= c.weight;
    }
    &CULTURES[0]
}

/// Between `count.start()` and `count.end()` distinct entries of `pool` that
/// are not in `exclude` (fewer if the pool runs out).
fn pick(
    rng: &mut ChaCha8Rng,
    pool: &[&'static str],
    count: std::ops::RangeInclusive<usize>,
    exclude: &[String],
) -> Vec<String> {
    let n = rng.random_range(count);
    let open: Vec<&'static str> = pool
        .iter()
        .copied()
        .filter(|s| !exclude.iter().any(|e| e == s))
        .collect();
    open.sample(rng, n.min(open.len()))
        .map(|s| (*s).to_string())
        .collect()
}

fn pronouns_and_gender(rng: &mut ChaCha8Rng, g: Gender) -> (String, String) {
    let g = match g {
        Gender::Unisex => *[F, M, U].choose(rng).unwrap_or(&U),
        g => g,
    };
    let roll = rng.random_range(0..100);
    let (pronouns, gender) = match g {
        F if roll < 90 => ("she/her", "woman"),
        F if roll < 95 => ("she/they", "woman"),
        M if roll < 90 => ("he/him", "man"),
        M if roll < 95 => ("he/they", "man"),
        _ => ("they/them", "non-binary"),
    };
    // Some people leave pronouns blank; most leave the optional gender blank.
    let pronouns = if rng.random_bool(0.08) { "" } else { pronouns };
    let gender = if rng.random_bool(0.35) { gender } else { "" };
    (pronouns.to_string(), gender.to_string())
}

fn availability(rng: &mut ChaCha8Rng) -> Vec<AvailabilityWindow> {
    let count = match rng.random_range(0..100) {
        0..15 => 1,
        15..45 => 2,
        45..75 => 3,
        75..90 => 4,
        _ => 5,
    };
    let mut days: Vec<u8> = (0..5).collect();
    days.shuffle(rng);
    days.truncate(count);
    if rng.random_bool(0.08) {
        days[0] = 5; // a Saturday morning
    }
    days.sort_unstable();
    days.into_iter()
        .map(|day| {
            let hour: u16 = if day == 5 {
                rng.random_range(9..=11)
            } else {
                rng.random_range(7..=17)
            };
            let start = hour * 60 + if rng.random_bool(0.3) { 30 } else { 0 };
            let minutes = *[30u16, 45, 60, 60, 60, 90, 120].choose(rng).unwrap_or(&60);
            window(day, start, minutes)
        })
        .collect()
}

fn person(
    rng: &mut ChaCha8Rng,
    dept: &Department,
    level: LeadershipLevel,
    manager_id: Option<PersonId>,
    names: &mut HashSet<String>,
    emails: &mut HashSet<String>,
) -> DemoPerson {
    let id = PersonId(uuid_from(rng));
    let culture = pick_culture(rng);

    let (mut given, mut family) = (("Sam", U), "Smith");
    for _ in 0..50 {
        given = *culture.given.choose(rng).unwrap_or(&("Sam", U));
        family = culture.family.choose(rng).copied().unwrap_or("Smith");
        if given.0 != family && !names.contains(&format!("{} {family}", given.0)) {
            break;
        }
    }
    let name = format!("{} {family}", given.0);
    names.insert(name.clone());
    let base = format!("{}.{}", ascii_fold(given.0), ascii_fold(family));
    let mut email = format!("{base}@{DEMO_DOMAIN}");
    let mut n = 2;
    while emails.contains(&email) {
        email = format!("{base}{n}@{DEMO_DOMAIN}");
        n += 1;
    }
    emails.insert(email.clone());

    let (pronouns, gender) = pronouns_and_gender(rng, given.1);

    let (time_zone, city) = if rng.random_bool(0.18) {
        *HUBS.choose(rng).unwrap_or(&HUBS[0])
    } else {
        *culture.places.choose(rng).unwrap_or(&HUBS[0])
    };

    let mut languages: Vec<String> = Vec::new();
    if let Some(native) = culture.native.choose(rng) {
        languages.push((*native).to_string());
    }
    // English is the working language; a few people from outside the
    // English-speaking world have not learned it yet.
    let no_english = level == LeadershipLevel::ProfessionalContributor && rng.random_bool(0.08);
    if languages.is_empty() || !no_english {
        languages.push("English".into());
    }
    if rng.random_bool(0.25) {
        languages.extend(pick(rng, culture.extra, 1..=1, &languages));
    }

    let years: u8 = match level {
        LeadershipLevel::ProfessionalContributor => rng.random_range(1..=12),
        LeadershipLevel::TeamLeader => rng.random_range(6..=20),
        LeadershipLevel::LeaderOfLeaders => rng.random_range(13..=32),
    };

    let (skills_offered, skills_wanted) = skills(rng, dept, level);

    let interests = pick(rng, INTERESTS, 2..=5, &[]);
    let tag_pool = match level {
        LeadershipLevel::ProfessionalContributor => PC_GOAL_TAGS,
        LeadershipLevel::TeamLeader => TL_GOAL_TAGS,
        LeadershipLevel::LeaderOfLeaders => LOL_GOAL_TAGS,
    };
    let goal_tags = pick(rng, tag_pool, 1..=3, &[]);

    let titles = dept.titles[level_index(level)];
    let mut title = titles.choose(rng).copied().unwrap_or("specialist");
    if level == LeadershipLevel::ProfessionalContributor && years < 4 {
        // Nobody is "senior" after three years.
        if let Some(plain) = title.strip_prefix("senior ") {
            title = titles
                .iter()
                .copied()
                .find(|t| *t == plain)
                .unwrap_or(plain);
        }
    }

    let visibility = if rng.random_bool(0.06) {
        Visibility::Private
    } else {
        Visibility::Members
    };

    let profile = Profile {
        name,
        pronouns,
        gender,
        bio: String::new(),
        level,
        years_experience: years,
        skills_offered,
        skills_wanted,
        interests,
        goal_tags,
        goals: String::new(),
        languages,
        time_zone: zone(time_zone),
        availability: availability(rng),
        department: dept.name.to_string(),
        manager_id,
        visibility,
    };
    let last_active_minutes_ago = if rng.random_bool(0.9) {
        // Mostly within the last fortnight, a few up to two months ago.
        Some(if rng.random_bool(0.85) {
            rng.random_range(3..=14 * 24 * 60)
        } else {
            rng.random_range(14 * 24 * 60..=60 * 24 * 60)
        })
    } else {
        None
    };
    DemoPerson {
        id,
        email,
        is_admin: false,
        title: title.to_string(),
        city: city.to_string(),
        profile,
        joined_days_ago: rng.random_range(7..=900),
        last_active_minutes_ago,
    }
}

/// Skills offered and wanted, by level: contributors teach their craft and want
/// to learn to lead; leaders of leaders teach leadership and want data and AI.
fn skills(
    rng: &mut ChaCha8Rng,
    dept: &Department,
    level: LeadershipLevel,
) -> (Vec<String>, Vec<String>) {
    let mut offered: Vec<String>;
    let mut wanted: Vec<String>;
    match level {
        LeadershipLevel::ProfessionalContributor => {
            offered = pick(rng, dept.skills, 2..=4, &[]);
            wanted = pick(rng, LEAD_SKILLS, 2..=3, &offered);
            if rng.random_bool(0.3) {
                let mut seen = offered.clone();
                seen.extend(wanted.iter().cloned());
                wanted.extend(pick(rng, dept.skills, 1..=1, &seen));
            }
        }
        LeadershipLevel::TeamLeader => {
            offered = pick(rng, dept.skills, 1..=2, &[]);
            let lead = pick(rng, LEAD_SKILLS, 1..=3, &offered);
            offered.extend(lead);
            wanted = pick(rng, SENIOR_SKILLS, 2..=3, &offered);
            if rng.random_bool(0.3) {
                let mut seen = offered.clone();
                seen.extend(wanted.iter().cloned());
                wanted.extend(pick(rng, &["Generative AI", "Data analysis"], 1..=1, &seen));
            }
        }
        LeadershipLevel::LeaderOfLeaders => {
            offered = pick(rng, SENIOR_SKILLS, 2..=4, &[]);
            if rng.random_bool(0.6) {
                let more = pick(rng, &["Coaching", "Career development"], 1..=1, &offered);
                offered.extend(more);
            }
            wanted = pick(rng, AI_SKILLS, 1..=2, &offered);
            let mut seen = offered.clone();
            seen.extend(wanted.iter().cloned());
            wanted.extend(pick(rng, SENIOR_SKILLS, 1..=1, &seen));
        }
    }
    (offered, wanted)
}

/// A skill or interest inside a sentence: "giving feedback", but "SQL", "Rust".
pub(super) fn phrase(s: &str) -> String {
    let first = s.split_whitespace().next().unwrap_or_default();
    let keep =
        first.chars().skip(1).any(|c| c.is_uppercase()) || ["Rust", "Python"].contains(&first);
    if keep {
        return s.to_string();
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn and_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| phrase(s)).collect();
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

fn years_phrase(y: u8) -> String {
    if y == 1 {
        "a year".into()
    } else {
        format!("{y} years")
    }
}

/// "a" or "an" before a title.
pub(super) fn article(word: &str) -> &'static str {
    let vowel = word
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    // "UX …" is read "you-ex", "FP&A" is read "eff-pee".
    if word.starts_with("UX") || (vowel && !word.starts_with("VP")) || word.starts_with("FP") {
        if word.starts_with("UX") {
            "a"
        } else {
            "an"
        }
    } else {
        "a"
    }
}

fn bio(rng: &mut ChaCha8Rng, p: &DemoPerson, dept: &Department) -> String {
    let pr = &p.profile;
    let t = &p.title;
    let a = article(t);
    let city = &p.city;
    let years = years_phrase(pr.years_experience);
    let field = dept.field;
    let d = dept.name;
    let mut s: Vec<String> = Vec::new();
    s.push(match rng.random_range(0..4) {
        0 => format!("I'm {a} {t} in {d}, based in {city}."),
        1 => format!("I've spent {years} in {field} and I'm now {a} {t}, working from {city}."),
        2 => format!("Based in {city}, I work as {a} {t} in our {d} team."),
        _ => format!(
            "{} {t} in {d}, {years} into a career in {field}, living in {city}.",
            capitalise(a)
        ),
    });
    if rng.random_bool(0.6) {
        let prev = PREVIOUSLY.choose(rng).copied().unwrap_or("elsewhere");
        s.push(match rng.random_range(0..3) {
            0 => format!("Before joining I worked {prev}."),
            1 => format!("I started my career {prev}."),
            _ => format!("I came here after a few years {prev}."),
        });
    }
    let offered = &pr.skills_offered;
    let o0 = phrase(&offered[0]);
    let o1 = offered
        .get(1)
        .map(|o| phrase(o))
        .unwrap_or_else(|| o0.clone());
    s.push(match rng.random_range(0..4) {
        0 => format!("Ask me about {o0} or {o1}."),
        1 => format!("Happy to help with {}.", and_list(offered)),
        2 => format!("Colleagues often come to me for {o0}."),
        _ => format!("I can share what I've learned about {o0} and {o1}."),
    });
    if rng.random_bool(0.7) {
        let w0 = phrase(&pr.skills_wanted[0]);
        s.push(match rng.random_range(0..3) {
            0 => format!("Right now I'm working on {w0}."),
            1 => format!("Currently learning: {}.", and_list(&pr.skills_wanted)),
            _ => format!("I'm looking for someone to help me get better at {w0}."),
        });
    }
    if pr.level == LeadershipLevel::LeaderOfLeaders && rng.random_bool(0.4) {
        s.push("I mentor because someone once did it for me.".into());
    }
    if rng.random_bool(0.6) {
        let i0 = phrase(&pr.interests[0]);
        s.push(match rng.random_range(0..3) {
            0 => format!("Outside work: {}.", and_list(&pr.interests)),
            1 => format!("Away from the screen I enjoy {}.", and_list(&pr.interests)),
            _ => format!("Weekends are for {i0}."),
        });
    }
    s.join(" ")
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn goals(rng: &mut ChaCha8Rng, p: &DemoPerson, dept: &Department, reports: usize) -> String {
    let pr = &p.profile;
    let w0 = phrase(&pr.skills_wanted[0]);
    let w1 = pr
        .skills_wanted
        .get(1)
        .map(|w| phrase(w))
        .unwrap_or_else(|| w0.clone());
    let field = dept.field;
    match pr.level {
        // Only someone new to their field says so.
        LeadershipLevel::ProfessionalContributor => match rng.random_range(0..5) {
            4 if pr.years_experience > 3 => format!("I want to grow my influence beyond my own work: {w0} first, then {w1}."),
            0 => format!(
                "I'd like to lead a small team within the next {} months. I want to get better at {w0} and learn how experienced leads handle {w1}.",
                [12, 18, 24].choose(rng).copied().unwrap_or(12)
            ),
            1 => format!("I'm not sure yet whether management is for me. I'd like to talk to someone who has made the move, and to practise {w0} somewhere safe."),
            2 => format!("I want to grow my influence beyond my own work: {w0} first, then {w1}."),
            3 => format!("Getting ready for my next promotion. I'd like help with {w0} and a sounding board for career decisions."),
            _ => format!("I moved into {field} recently. I'd like a mentor to help me find my feet and get better at {w0}."),
        },
        LeadershipLevel::TeamLeader => {
            let team = reports + rng.random_range(3..=7);
            match rng.random_range(0..4) {
                0 => format!("I lead a team of {team} and want to get better at {w0}. In a year I'd like to be ready to lead other leaders."),
                1 => format!("My team has grown to {team} people this year. I need to get much better at {w0} and {w1} without burning out."),
                2 => format!("I'd like a mentor who has managed managers, to think through {w0} with me."),
                _ => format!("I want to improve at {w0}, and I'd love to mentor someone who is thinking about leading for the first time."),
            }
        }
        LeadershipLevel::LeaderOfLeaders => match rng.random_range(0..3) {
            0 => format!("I want to grow the next generation of leaders in {}, and keep learning myself, especially {w0}.", dept.name),
            1 => format!("Succession: I want two people on my team ready to step up within a year. Personally, I'm working on {w0}."),
            _ => format!("I'd like a reverse mentor to help me understand {w0} better, and I'm happy to mentor team leaders in return."),
        },
    }
}

// ---------------------------------------------------------------------------
// Programmes
// ---------------------------------------------------------------------------

const FOUNDATIONS_MENTEES: usize = 60;
const FOUNDATIONS_MENTORS: usize = 25;

fn programmes(rng: &mut ChaCha8Rng, people: &[DemoPerson]) -> Vec<DemoProgramme> {
    use LeadershipLevel::{
        LeaderOfLeaders as LoL, ProfessionalContributor as PC, TeamLeader as TL,
    };
    use ProgrammeRole::{Facilitator, Manager, Mentee, Mentor, Peer};

    let admin = people[0].id;
    // Indices of people matching `keep`, shuffled.
    let mut shuffled = |keep: &dyn Fn(&DemoPerson) -> bool| -> Vec<PersonId> {
        let mut ids: Vec<PersonId> = people.iter().filter(|p| keep(p)).map(|p| p.id).collect();
        ids.shuffle(rng);
        ids
    };
    let in_dept = |p: &DemoPerson, d: &str| p.profile.department == d;
    let wants_ai = |p: &DemoPerson| {
        p.profile
            .skills_wanted
            .iter()
            .any(|s| AI_SKILLS.contains(&s.as_str()))
    };
    let offers_ai = |p: &DemoPerson| {
        p.profile
            .skills_offered
            .iter()
            .any(|s| AI_SKILLS.contains(&s.as_str()))
    };

    // Leadership Foundations: Team Leaders (8+ years) and Leaders of Leaders
    // mentor Professional Contributors.
    let eng_director = shuffled(&|p| p.profile.level == LoL && in_dept(p, "Engineering"))[0];
    let f_managers = [admin, eng_director];
    let f_mentors: Vec<PersonId> = shuffled(&|p| {
        !f_managers.contains(&p.id)
            && (p.profile.level == LoL
                || (p.profile.level == TL && p.profile.years_experience >= 8))
    })
    .into_iter()
    .take(FOUNDATIONS_MENTORS)
    .collect();
    let f_mentees: Vec<PersonId> = shuffled(&|p| p.profile.level == PC)
        .into_iter()
        .take(FOUNDATIONS_MENTEES)
        .collect();

    // Peer Circles: Team Leaders as peers, two Leaders of Leaders facilitate.
    let ops_director = shuffled(&|p| p.profile.level == LoL && in_dept(p, "Operations"))[0];
    let cs_lead = shuffled(&|p| p.profile.level == TL && in_dept(p, "Customer Success"))[0];
    let p_managers = [ops_director, cs_lead];
    let p_facilitators: Vec<PersonId> =
        shuffled(&|p| p.profile.level == LoL && !p_managers.contains(&p.id) && p.id != admin)
            .into_iter()
            .take(2)
            .collect();
    let p_peers: Vec<PersonId> =
        shuffled(&|p| p.profile.level == TL && !p_managers.contains(&p.id))
            .into_iter()
            .take(24)
            .collect();

    // Reverse mentoring: contributors who work with data and AI mentor senior
    // people who want to learn it. Prefer people who already hold the opposite
    // role in Leadership Foundations, so some people are a mentee in one
    // programme and a mentor in another.
    let product_head = shuffled(&|p| p.profile.level == LoL && in_dept(p, "Product"))[0];
    let eng_lead = shuffled(&|p| p.profile.level == TL && in_dept(p, "Engineering"))[0];
    let r_managers = [product_head, eng_lead];
    let mut r_mentors = shuffled(&|p| p.profile.level == PC && offers_ai(p));
    r_mentors.sort_by_key(|id| !f_mentees.contains(id));
    r_mentors.truncate(12);
    let mut r_mentees =
        shuffled(&|p| p.profile.level != PC && wants_ai(p) && !r_managers.contains(&p.id));
    r_mentees.sort_by_key(|id| !f_mentors.contains(id));
    r_mentees.truncate(10);

    // New Managers Cohort: in preparation, with its managers and mentors lined up.
    let people_lead = shuffled(&|p| p.profile.level == TL && in_dept(p, "People"))[0];
    let g_managers = [admin, people_lead];
    let g_mentors: Vec<PersonId> = shuffled(&|p| p.profile.level == LoL && p.id != admin)
        .into_iter()
        .take(3)
        .collect();

    let roles = |groups: &[(&[PersonId], ProgrammeRole)]| -> Vec<(PersonId, ProgrammeRole)> {
        groups
            .iter()
            .flat_map(|(ids, role)| ids.iter().map(move |id| (*id, *role)))
            .collect()
    };
    let mut out = vec![
        DemoProgramme {
            id: ProgrammeId::default(),
            slug: "leadership-foundations-2027",
            name: "Leadership Foundations 2027",
            description: "Six months of one-to-one mentoring for Professional Contributors who are curious about leading people. Each mentee is matched with an experienced Team Leader or Leader of Leaders, ideally from another department. Pairs meet every two weeks for an hour, agree two or three goals in their first session, and close in June with a shared reflection. Enrolment is open until the end of January; the first matching round runs in February.",
            kind: ProgrammeKind::OneToOne,
            status: ProgrammeStatus::Open,
            created_days_ago: 21,
            roles: roles(&[(&f_managers, Manager), (&f_mentors, Mentor), (&f_mentees, Mentee)]),
        },
        DemoProgramme {
            id: ProgrammeId::default(),
            slug: "peer-circles",
            name: "Peer Circles",
            description: "Team Leaders meet in pairs and small circles of peers at a similar stage to trade practical advice: hard conversations, hiring, prioritising, and staying well while leading. Pairs meet monthly and two experienced leaders facilitate the circles. The programme runs on a rolling basis, so new Team Leaders can join at any time.",
            kind: ProgrammeKind::Peer,
            status: ProgrammeStatus::Running,
            created_days_ago: 160,
            roles: roles(&[(&p_managers, Manager), (&p_facilitators, Facilitator), (&p_peers, Peer)]),
        },
        DemoProgramme {
            id: ProgrammeId::default(),
            slug: "reverse-mentoring-ai-data",
            name: "Reverse Mentoring: AI & Data",
            description: "Senior leaders are mentored by colleagues who work hands-on with data and AI tools every day. Mentors show how they use analytics, machine learning and generative AI in practice; mentees bring the strategic questions and open doors in return. Six sessions over three months, ending with a short write-up of what each pair learned.",
            kind: ProgrammeKind::Reverse,
            status: ProgrammeStatus::Open,
            created_days_ago: 10,
            roles: roles(&[(&r_managers, Manager), (&r_mentors, Mentor), (&r_mentees, Mentee)]),
        },
        DemoProgramme {
            id: ProgrammeId::default(),
            slug: "new-managers-cohort",
            name: "New Managers Cohort",
            description: "A twelve-week group programme for people who became managers in the last six months. Cohorts of eight meet every other week with experienced leaders to work through feedback, delegation, one-to-ones and performance conversations. In preparation: enrolment opens in the spring.",
            kind: ProgrammeKind::Group,
            status: ProgrammeStatus::Draft,
            created_days_ago: 3,
            roles: roles(&[(&g_managers, Manager), (&g_mentors, Mentor)]),
        },
    ];
    for p in &mut out {
        p.id = ProgrammeId(uuid_from(rng));
    }
    out
}

/// Mixed into the seed for the past cohort's own generator.
const PAST_COHORT_SALT: u64 = 0x2026_0001;
/// Mentees of the past cohort: one more than its mentors' seats, so one
/// waits for a seat that a completed room frees (see `demo::rooms`).
pub(super) const PAST_MENTEES: usize = 11;
/// Mentors of the past cohort; their seats (1–3 each by position) add up to 10.
pub(super) const PAST_MENTORS: usize = 5;

/// Leadership Foundations 2026: the cohort running since the summer, whose
/// rooms `demo::rooms` fills with three months of history. Its mentees are
/// Professional Contributors who are not in the 2027 cohort; its mentors are
/// experienced leaders, some of whom mentor in 2027 too.
fn past_cohort(
    rng: &mut ChaCha8Rng,
    people: &[DemoPerson],
    programmes: &[DemoProgramme],
) -> DemoProgramme {
    use LeadershipLevel::{
        LeaderOfLeaders as LoL, ProfessionalContributor as PC, TeamLeader as TL,
    };
    use ProgrammeRole::{Manager, Mentee, Mentor};
    let admin = people[0].id;
    let in_2027 = |id: PersonId| {
        programmes
            .iter()
            .filter(|p| p.slug == "leadership-foundations-2027")
            .any(|p| p.roles.iter().any(|(x, r)| *x == id && *r == Mentee))
    };
    let mut shuffled = |keep: &dyn Fn(&DemoPerson) -> bool| -> Vec<PersonId> {
        let mut ids: Vec<PersonId> = people.iter().filter(|p| keep(p)).map(|p| p.id).collect();
        ids.shuffle(rng);
        ids
    };
    let people_partner =
        shuffled(&|p| p.profile.level == TL && p.profile.department == "People" && p.id != admin)
            [0];
    let managers = [admin, people_partner];
    let mentors: Vec<PersonId> = shuffled(&|p| {
        !managers.contains(&p.id)
            && (p.profile.level == LoL
                || (p.profile.level == TL && p.profile.years_experience >= 9))
    })
    .into_iter()
    .take(PAST_MENTORS)
    .collect();
    let mentees: Vec<PersonId> =
        shuffled(&|p| p.profile.level == PC && p.profile.years_experience >= 3 && !in_2027(p.id))
            .into_iter()
            .take(PAST_MENTEES)
            .collect();
    let mut roles: Vec<(PersonId, ProgrammeRole)> =
        managers.iter().map(|id| (*id, Manager)).collect();
    roles.extend(mentors.iter().map(|id| (*id, Mentor)));
    roles.extend(mentees.iter().map(|id| (*id, Mentee)));
    DemoProgramme {
        id: ProgrammeId(uuid_from(rng)),
        slug: "leadership-foundations-2026",
        name: "Leadership Foundations 2026",
        description: "This year's cohort of one-to-one mentoring for Professional Contributors who are curious about leading people, running since the summer. Pairs agreed their goals and cadence in their first weeks and meet every two weeks; a few chose a shorter, three-month mentorship and have already closed. New mentees join on a rolling basis as mentors' seats free up. The 2027 cohort opens for enrolment alongside it.",
        kind: ProgrammeKind::OneToOne,
        status: ProgrammeStatus::Running,
        created_days_ago: 130,
        roles,
    }
}

/// Mixed into the seed for the group and circle programmes' generator.
const GROUPS_SALT: u64 = 0x2026_0002;
/// The running group programme `demo::rooms` plays a room in.
pub const GROUP_PROGRAMME: &str = "leading-through-change";
/// The running circle programme `demo::rooms` plays a circle in.
pub const CIRCLE_PROGRAMME: &str = "engineering-leads-circle";

/// Two running programmes whose rooms have more than two members, so the
/// demo shows that a group is a room with more members: Leading Through
/// Change (two experienced leaders, each mentoring a group of three new
/// Team Leaders) and the Engineering Leads Circle (eight senior
/// contributors in circles of four, with a facilitator). People in them
/// hold no role in the other running programmes' rooms, so the story's
/// seats and sessions never collide.
fn group_and_circle(
    rng: &mut ChaCha8Rng,
    people: &[DemoPerson],
    programmes: &[DemoProgramme],
) -> Vec<DemoProgramme> {
    use LeadershipLevel::{
        LeaderOfLeaders as LoL, ProfessionalContributor as PC, TeamLeader as TL,
    };
    use ProgrammeRole::{Facilitator, Manager, Mentee, Mentor, Peer};
    let admin = people[0].id;
    let busy: HashSet<PersonId> = programmes
        .iter()
        .filter(|p| p.status == ProgrammeStatus::Running)
        .flat_map(|p| {
            p.roles
                .iter()
                .filter(|(_, r)| *r != Manager)
                .map(|(id, _)| *id)
        })
        .collect();
    let mut taken: HashSet<PersonId> = busy;
    taken.insert(admin);
    let mut pick = |keep: &dyn Fn(&DemoPerson) -> bool, n: usize| -> Vec<PersonId> {
        let mut ids: Vec<PersonId> = people
            .iter()
            .filter(|p| !taken.contains(&p.id) && keep(p))
            .map(|p| p.id)
            .collect();
        ids.shuffle(rng);
        ids.truncate(n);
        taken.extend(ids.iter().copied());
        ids
    };
    let people_partner = pick(
        &|p| p.profile.level == TL && p.profile.department == "People",
        1,
    );
    let mentors = pick(&|p| p.profile.level == LoL, 2);
    let mentees = pick(&|p| p.profile.level == TL, 6);
    let facilitator = pick(
        &|p| p.profile.level == TL && p.profile.years_experience >= 8,
        1,
    );
    let eng_lead = pick(
        &|p| p.profile.level == LoL && p.profile.department == "Engineering",
        1,
    );
    let peers = pick(
        &|p| {
            p.profile.level == PC
                && p.profile.years_experience >= 5
                && matches!(
                    p.profile.department.as_str(),
                    "Engineering" | "Data" | "Product"
                )
        },
        8,
    );
    // Seats follow the position in the list (1 + k % 3, as `seed` grants
    // them): each mentor goes where they take three.
    let mut group = vec![(admin, Manager)];
    group.extend(people_partner.iter().map(|id| (*id, Manager)));
    let mut queue = mentees.iter();
    for m in &mentors {
        while group.len() % 3 != 2 {
            match queue.next() {
                Some(id) => group.push((*id, Mentee)),
                None => break,
            }
        }
        group.push((*m, Mentor));
    }
    group.extend(queue.map(|id| (*id, Mentee)));
    let mut circle = vec![(admin, Manager)];
    circle.extend(eng_lead.iter().map(|id| (*id, Manager)));
    circle.extend(facilitator.iter().map(|id| (*id, Facilitator)));
    circle.extend(peers.iter().map(|id| (*id, Peer)));
    let mut out = vec![
        DemoProgramme {
            id: ProgrammeId::default(),
            slug: GROUP_PROGRAMME,
            name: "Leading Through Change",
            description: "Group mentoring for Team Leaders steering their teams through a reorganisation. An experienced leader mentors a group of three; groups meet every two weeks for ninety minutes, bring one live situation each, and leave with one thing to try. The autumn groups started three months ago.",
            kind: ProgrammeKind::Group,
            status: ProgrammeStatus::Running,
            created_days_ago: 120,
            roles: group,
        },
        DemoProgramme {
            id: ProgrammeId::default(),
            slug: CIRCLE_PROGRAMME,
            name: "Engineering Leads Circle",
            description: "Senior engineers, analysts and product people who lead without managing meet monthly in circles of four: influence without authority, technical direction, mentoring juniors, and when to say no. A Team Leader facilitates and keeps time; the circle sets its own agenda.",
            kind: ProgrammeKind::Circle,
            status: ProgrammeStatus::Running,
            created_days_ago: 118,
            roles: circle,
        },
    ];
    for p in &mut out {
        p.id = ProgrammeId(uuid_from(rng));
    }
    out
}
