//! Seeded synthetic people for benches and tests.
//!
//! Compiled only for this crate's tests and with the `synthetic` feature (which the
//! benches turn on through the crate's dev-dependency on itself), so the generator
//! and its word lists stay out of the production binary. Nothing in the workspace
//! outside `crates/matching` uses it.

use rand::{RngExt, SeedableRng};

use crate::profile::{
    Answer, DepartmentChoice, Level, Preference, Profile, Skill, Strength, Weekday, Window,
};

/// A seeded, realistic synthetic population:
/// Zipf-like skill and goal popularity, a few languages (some people speak
/// only Portuguese, Spanish or Japanese), a dozen time zones, business-hours
/// availability, levels skewed junior for mentees and senior for mentors,
/// reporting lines, soft and hard preferences, and two programme questions.
/// `slots_per_mentee` sets the mentors' mean capacity.
pub fn population(
    seed: u64,
    n_mentees: usize,
    n_mentors: usize,
    slots_per_mentee: f64,
) -> (Vec<Profile>, Vec<Profile>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    const SKILLS: [&str; 24] = [
        "public speaking",
        "negotiation",
        "people management",
        "strategy",
        "hiring",
        "budgeting",
        "product discovery",
        "data analysis",
        "sql",
        "system design",
        "stakeholder management",
        "coaching",
        "writing",
        "storytelling",
        "delegation",
        "conflict resolution",
        "design thinking",
        "go to market",
        "pricing",
        "security",
        "cloud architecture",
        "machine learning",
        "ux research",
        "career planning",
    ];
    const GOALS: [&str; 16] = [
        "first management role",
        "promotion",
        "visibility",
        "career change",
        "confidence",
        "technical depth",
        "executive presence",
        "work life balance",
        "networking",
        "leading change",
        "building teams",
        "cross functional influence",
        "mentoring others",
        "entrepreneurship",
        "returning to work",
        "international move",
    ];
    const WORDS: [&str; 40] = [
        "presenting",
        "executives",
        "leading",
        "team",
        "remote",
        "growth",
        "feedback",
        "engineers",
        "product",
        "roadmap",
        "hiring",
        "interviews",
        "budget",
        "planning",
        "strategy",
        "customers",
        "sales",
        "confidence",
        "writing",
        "clearly",
        "influence",
        "without",
        "authority",
        "career",
        "switch",
        "data",
        "decisions",
        "conflict",
        "difficult",
        "conversations",
        "managing",
        "managers",
        "scaling",
        "startup",
        "culture",
        "burnout",
        "delegating",
        "priorities",
        "stakeholders",
        "promotion",
    ];
    const INTERESTS: [&str; 20] = [
        "running",
        "chess",
        "cooking",
        "hiking",
        "photography",
        "music",
        "reading",
        "travel",
        "gaming",
        "cycling",
        "yoga",
        "football",
        "gardening",
        "painting",
        "climbing",
        "theatre",
        "volunteering",
        "podcasts",
        "film",
        "sailing",
    ];
    const ZONES: [(&str, u32); 12] = [
        ("Europe/London", 14),
        ("Europe/Berlin", 14),
        ("Europe/Lisbon", 6),
        ("America/New_York", 16),
        ("America/Chicago", 8),
        ("America/Los_Angeles", 10),
        ("America/Sao_Paulo", 8),
        ("Asia/Kolkata", 10),
        ("Asia/Singapore", 5),
        ("Asia/Tokyo", 4),
        ("Australia/Sydney", 3),
        ("Africa/Lagos", 2),
    ];
    const DEPTS: [&str; 10] = [
        "Engineering",
        "Sales",
        "Marketing",
        "Finance",
        "Operations",
        "Product",
        "Legal",
        "People",
        "Support",
        "Research",
    ];
    let zone_total: u32 = ZONES.iter().map(|z| z.1).sum();
    // Zipf-like pick: index k with weight 1/(k+1).
    fn zipf(rng: &mut rand_chacha::ChaCha8Rng, n: usize) -> usize {
        let h: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
        let mut x = rng.random_range(0.0..h);
        for k in 0..n {
            x -= 1.0 / (k + 1) as f64;
            if x <= 0.0 {
                return k;
            }
        }
        n - 1
    }
    let make = |id: String, mentor: bool, rng: &mut rand_chacha::ChaCha8Rng| {
        let r = rng.random_range(0..100u32);
        let level = if mentor {
            match r {
                0..=19 => Level::ProfessionalContributor,
                20..=64 => Level::TeamLeader,
                _ => Level::LeaderOfLeaders,
            }
        } else {
            match r {
                0..=64 => Level::ProfessionalContributor,
                65..=92 => Level::TeamLeader,
                _ => Level::LeaderOfLeaders,
            }
        };
        let mut p = Profile::new(id, level);
        p.years = match level {
            Level::ProfessionalContributor => rng.random_range(0..12),
            Level::TeamLeader => rng.random_range(4..20),
            Level::LeaderOfLeaders => rng.random_range(8..35),
        };
        let n_sk = rng.random_range(2..6);
        let skills: Vec<Skill> = (0..n_sk)
            .map(|_| Skill {
                name: SKILLS[zipf(rng, SKILLS.len())].to_string(),
                priority: rng.random_range(1..6),
            })
            .collect();
        if mentor {
            p.skills_offered = skills;
            let mean = slots_per_mentee * n_mentees as f64 / n_mentors.max(1) as f64;
            let hi = (2.0 * mean).round().max(1.0) as u32;
            p.capacity = rng.random_range(1..=hi.max(1));
        } else {
            p.skills_wanted = skills;
        }
        p.goals = (0..rng.random_range(1..4))
            .map(|_| GOALS[zipf(rng, GOALS.len())].to_string())
            .collect();
        p.goals_text = (0..rng.random_range(6..14))
            .map(|_| WORDS[zipf(rng, WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ");
        p.interests = (0..rng.random_range(1..4))
            .map(|_| INTERESTS[rng.random_range(0..INTERESTS.len())].to_string())
            .collect();
        let lr = rng.random_range(0..100u32);
        p.languages = match lr {
            0..=1 => vec!["Portuguese".into()],
            2..=3 => vec!["Spanish".into()],
            4 => vec!["Japanese".into()],
            5..=14 => vec!["English".into(), "Spanish".into()],
            15..=22 => vec!["English".into(), "German".into()],
            23..=27 => vec!["English".into(), "Portuguese".into()],
            28..=31 => vec!["English".into(), "French".into()],
            _ => vec!["English".into()],
        };
        let mut z = rng.random_range(0..zone_total);
        let mut zone = ZONES[0].0;
        for (name, w) in ZONES {
            if z < w {
                zone = name;
                break;
            }
            z -= w;
        }
        p.time_zone = zone.to_string();
        let days = rng.random_range(1..4);
        for _ in 0..days {
            let day = Weekday::from_index(rng.random_range(0..5)).unwrap_or(Weekday::Mon);
            let start = rng.random_range(16..36u16) * 30;
            let len = rng.random_range(2..7u16) * 30;
            p.availability.push(Window {
                day,
                start_minute: start,
                end_minute: (start + len).min(1440),
            });
        }
        p.department = Some(DEPTS[rng.random_range(0..DEPTS.len())].to_string());
        p.gender = match rng.random_range(0..100u32) {
            0..=47 => Some("woman".into()),
            48..=95 => Some("man".into()),
            96..=97 => Some("non-binary".into()),
            _ => None,
        };
        if !mentor {
            let pr = rng.random_range(0..100u32);
            if pr < 6 {
                p.preferences.gender = Some(Preference {
                    value: "woman".into(),
                    strength: if pr < 1 {
                        Strength::Hard
                    } else {
                        Strength::Soft
                    },
                });
            }
            if rng.random_range(0..100u32) < 5 {
                p.preferences.department = Some(Preference {
                    value: DepartmentChoice::Different,
                    strength: Strength::Soft,
                });
            }
        }
        let formats = ["video", "in person", "chat", "mixed"];
        p.answers.insert(
            "format".into(),
            Answer::Choices(vec![formats[rng.random_range(0..4)].to_string()]),
        );
        p.answers.insert(
            "topics".into(),
            Answer::Choices(
                (0..rng.random_range(1..3))
                    .map(|_| SKILLS[rng.random_range(0..8)].to_string())
                    .collect(),
            ),
        );
        p
    };
    let mut mentors: Vec<Profile> = (0..n_mentors)
        .map(|j| make(format!("mentor{j:06}"), true, &mut rng))
        .collect();
    let mut mentees: Vec<Profile> = (0..n_mentees)
        .map(|i| make(format!("mentee{i:06}"), false, &mut rng))
        .collect();
    // Reporting lines: mentors report to more senior mentors; some mentees
    // report to a mentor.
    let seniors: Vec<usize> = (0..n_mentors)
        .filter(|&j| mentors[j].level == Level::LeaderOfLeaders)
        .collect();
    if !seniors.is_empty() {
        for j in 0..n_mentors {
            if mentors[j].level != Level::LeaderOfLeaders && rng.random_range(0..2u32) == 0 {
                let b = seniors[rng.random_range(0..seniors.len())];
                mentors[j].manager = Some(mentors[b].id.clone());
            }
        }
        for e in mentees.iter_mut() {
            if rng.random_range(0..3u32) == 0 && n_mentors > 0 {
                let b = rng.random_range(0..n_mentors);
                e.manager = Some(mentors[b].id.clone());
            }
        }
    }
    (mentees, mentors)
}
