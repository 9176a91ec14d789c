//! The demo organisation that `rapport serve --demo` seeds into an empty
//! database: about 200 people across ten departments and all three leadership
//! levels, a skill catalogue, reporting lines, and four programmes with
//! managers, mentors and mentees.
//!
//! Everything is generated from a fixed seed ([`DEMO_SEED`]) by the pure
//! function [`demo_data`], so the demo looks the same on every machine and the
//! generator can be tested without a database. [`seed`] writes it in one
//! transaction, and only into a database that has no people yet.

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rapport_domain::person::{
    AccountStatus, AvailabilityWindow, LeadershipLevel, Profile, SignupMode, Visibility,
};
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::{PersonId, ProgrammeId, SkillId};
use rapport_store::{AuditRecord, NewPerson, ProgrammeRecord, SkillRecord, Store, StoreError};
use std::collections::HashSet;
use uuid::Uuid;

/// The demo admin's email (documented in the README).
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.rapport.example";
/// The demo admin's display name.
pub const DEMO_ADMIN_NAME: &str = "Alex Morgan";
/// The password of every demo account (documented in the README).
pub const DEMO_PASSWORD: &str = "rapport-demo-2026";
/// The email domain of every demo account.
pub const DEMO_DOMAIN: &str = "demo.rapport.example";
/// The seed `serve --demo` uses, so every demo looks the same.
pub const DEMO_SEED: u64 = 2027;

const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;

/// What `serve --demo` seeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSummary {
    /// People created, the admin included.
    pub people: usize,
    /// Programmes created.
    pub programmes: usize,
    /// The admin's email; the password is [`DEMO_PASSWORD`].
    pub admin_email: String,
}

/// One demo person, before it is stored.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoPerson {
    /// Id (derived from the seed).
    pub id: PersonId,
    /// Lower-case ASCII email in [`DEMO_DOMAIN`].
    pub email: String,
    /// Site admin.
    pub is_admin: bool,
    /// Job title, as used in the bio.
    pub title: String,
    /// City, as used in the bio; it lies in the profile's time zone.
    pub city: String,
    /// The profile.
    pub profile: Profile,
    /// Days since the account was created (and the email verified).
    pub joined_days_ago: u16,
    /// Minutes since the person was last active; none if never signed in.
    pub last_active_minutes_ago: Option<u32>,
}

/// One demo programme with the roles granted in it.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoProgramme {
    /// Id (derived from the seed).
    pub id: ProgrammeId,
    /// URL slug.
    pub slug: &'static str,
    /// Name.
    pub name: &'static str,
    /// Description.
    pub description: &'static str,
    /// Kind.
    pub kind: ProgrammeKind,
    /// Status.
    pub status: ProgrammeStatus,
    /// Days since it was created.
    pub created_days_ago: u16,
    /// Roles granted, managers first.
    pub roles: Vec<(PersonId, ProgrammeRole)>,
}

/// The whole demo organisation.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoData {
    /// The skill catalogue.
    pub skills: Vec<&'static str>,
    /// People, every manager before their reports; the admin is first.
    pub people: Vec<DemoPerson>,
    /// Programmes.
    pub programmes: Vec<DemoProgramme>,
}

/// Seeds the demo organisation into an EMPTY database, in one transaction:
/// people (all with `password_hash`, which the caller computes once from
/// [`DEMO_PASSWORD`]), the skill catalogue, programmes and roles, and sign-up
/// mode `open`. Returns `Ok(None)` and changes nothing if any person exists.
pub async fn seed(
    store: &Store,
    password_hash: &str,
    now_ms: i64,
) -> Result<Option<DemoSummary>, StoreError> {
    let data = demo_data(DEMO_SEED);
    let mut tx = store.write().await?;
    if tx.count_people().await? > 0 {
        return Ok(None);
    }

    let existing: HashSet<String> = tx
        .skills()
        .await?
        .into_iter()
        .map(|s| s.name.to_lowercase())
        .collect();
    for name in &data.skills {
        if !existing.contains(&name.to_lowercase()) {
            let skill = SkillRecord {
                id: SkillId::new(),
                name: (*name).to_string(),
            };
            tx.insert_skill(&skill, now_ms).await?;
        }
    }

    for p in &data.people {
        let joined = now_ms - i64::from(p.joined_days_ago) * DAY_MS;
        tx.insert_person(&NewPerson {
            id: p.id,
            email: p.email.clone(),
            status: AccountStatus::Active,
            is_admin: p.is_admin,
            password_hash: Some(password_hash.to_string()),
            email_verified_at: Some(joined),
            profile: p.profile.clone(),
            now: joined,
        })
        .await?;
        if let Some(minutes) = p.last_active_minutes_ago {
            tx.touch_person(p.id, now_ms - i64::from(minutes) * MINUTE_MS)
                .await?;
        }
    }

    for prog in &data.programmes {
        let created = now_ms - i64::from(prog.created_days_ago) * DAY_MS;
        tx.insert_programme(&ProgrammeRecord {
            id: prog.id,
            slug: prog.slug.to_string(),
            name: prog.name.to_string(),
            description: prog.description.to_string(),
            kind: prog.kind,
            status: prog.status,
            created_at: created,
            // A running demo programme takes people on a rolling basis.
            rolling_admission: prog.status == ProgrammeStatus::Running,
            ..ProgrammeRecord::new("", "", ProgrammeKind::OneToOne, ProgrammeStatus::Open, 0)
        })
        .await?;
        for (k, (person, role)) in prog.roles.iter().enumerate() {
            tx.grant_role(prog.id, *person, *role, created).await?;
            if *role != ProgrammeRole::Manager {
                // Participants hold an approved enrolment, as if they applied
                // and a manager approved them; mentors take 1–3 mentees.
                tx.insert_enrolment(&rapport_store::EnrolmentRecord {
                    id: rapport_domain::EnrolmentId::new(),
                    programme_id: prog.id,
                    person_id: *person,
                    role: *role,
                    status: rapport_domain::mentoring::EnrolmentStatus::Approved,
                    capacity: if matches!(role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator)
                    {
                        1 + (k % 3) as i32
                    } else {
                        0
                    },
                    answers: Default::default(),
                    preferences: "{}".into(),
                    consent_sensitive: false,
                    created_at: created,
                    conduct_accepted_at: Some(created),
                    decided_at: Some(created),
                })
                .await?;
            }
        }
    }

    let signup = serde_json::to_string(&SignupMode::Open)?;
    tx.put_setting("signup_mode", &signup).await?;

    let summary = DemoSummary {
        people: data.people.len(),
        programmes: data.programmes.len(),
        admin_email: DEMO_ADMIN_EMAIL.to_string(),
    };
    tx.insert_audit(&AuditRecord {
        id: Uuid::new_v4(),
        actor_id: None,
        actor_name: "rapport serve --demo".into(),
        action: "demo.seed".into(),
        subject: "site".into(),
        before_json: None,
        after_json: Some(
            serde_json::json!({
                "people": summary.people,
                "programmes": summary.programmes,
                "skills": data.skills.len(),
                "signup_mode": SignupMode::Open.code(),
            })
            .to_string(),
        ),
        created_at: now_ms,
    })
    .await?;
    tx.commit().await?;
    Ok(Some(summary))
}

/// The people of the demo organisation for `seed` (see [`demo_data`]).
pub fn demo_people(seed: u64) -> Vec<DemoPerson> {
    demo_data(seed).people
}

// ---------------------------------------------------------------------------
// Catalogues
// ---------------------------------------------------------------------------

/// Leadership skills a Professional Contributor grows and a Team Leader teaches.
const LEAD_SKILLS: &[&str] = &[
    "Giving feedback",
    "Coaching",
    "Delegation",
    "Running effective meetings",
    "Conflict resolution",
    "Hiring",
    "Public speaking",
    "Stakeholder management",
    "Career development",
    "Cross-functional collaboration",
    "Performance reviews",
    "Remote team leadership",
];

/// Skills of leading leaders: what Team Leaders grow and Leaders of Leaders teach.
const SENIOR_SKILLS: &[&str] = &[
    "Managing managers",
    "Strategic planning",
    "Organisational design",
    "Change management",
    "Executive communication",
    "Budgeting",
    "Setting OKRs",
    "Leading through ambiguity",
    "Building inclusive teams",
    "Negotiation",
];

/// Data and AI skills: what senior people learn in reverse mentoring.
const AI_SKILLS: &[&str] = &["Data analysis", "SQL", "Machine learning", "Generative AI"];

/// Functional skills not listed above.
const CRAFT_SKILLS: &[&str] = &[
    "Rust",
    "Python",
    "System design",
    "Cloud architecture",
    "Security",
    "Incident management",
    "Product discovery",
    "Roadmapping",
    "User research",
    "Interaction design",
    "Design systems",
    "Accessibility",
    "Account planning",
    "Sales forecasting",
    "Content strategy",
    "Brand storytelling",
    "Financial modelling",
    "Process improvement",
    "Agile delivery",
    "Customer journey mapping",
    "Contract drafting",
    "Data privacy",
];

/// The skill catalogue the demo admin manages.
pub fn skill_catalogue() -> Vec<&'static str> {
    [LEAD_SKILLS, SENIOR_SKILLS, AI_SKILLS, CRAFT_SKILLS].concat()
}

const INTERESTS: &[&str] = &[
    "Running",
    "Climbing",
    "Cooking",
    "Photography",
    "Board games",
    "Jazz",
    "Gardening",
    "Cycling",
    "Chess",
    "Yoga",
    "Podcasts",
    "Science fiction",
    "Hiking",
    "Volunteering",
    "Painting",
    "Football",
    "Basketball",
    "Baking",
    "Travel",
    "Learning languages",
    "Woodworking",
    "Open source",
    "Poetry",
    "Birdwatching",
    "Film",
    "Swimming",
    "Surfing",
    "Knitting",
    "Music production",
    "Piano",
    "Guitar",
    "Sustainability",
    "Parenting",
    "Mindfulness",
    "Dance",
    "Creative writing",
    "History",
    "Astronomy",
    "Tennis",
    "Video games",
];

const PREVIOUSLY: &[&str] = &[
    "at a fintech start-up",
    "in management consulting",
    "as a secondary-school teacher",
    "at a public hospital",
    "at a logistics company",
    "in the games industry",
    "at a non-profit",
    "in retail banking",
    "as a freelancer",
    "at a large telecom operator",
    "in academic research",
    "in hospitality",
    "at a government agency",
    "at an e-commerce scale-up",
];

struct Department {
    name: &'static str,
    /// What the work is, for "N years in …".
    field: &'static str,
    /// People at each level, lowest first (as `LeadershipLevel::ALL`).
    counts: [usize; 3],
    /// Job titles at each level, lowest first.
    titles: [&'static [&'static str]; 3],
    /// Functional skills of the department.
    skills: &'static [&'static str],
}

const DEPARTMENTS: &[Department] = &[
    Department {
        name: "Engineering",
        field: "software",
        counts: [30, 15, 5],
        titles: [
            &[
                "software engineer",
                "senior software engineer",
                "site reliability engineer",
                "data engineer",
                "machine learning engineer",
                "security engineer",
            ],
            &["engineering manager", "tech lead", "engineering team lead"],
            &[
                "director of engineering",
                "head of platform",
                "VP of engineering",
            ],
        ],
        skills: &[
            "Rust",
            "Python",
            "System design",
            "Cloud architecture",
            "Security",
            "Incident management",
            "SQL",
            "Machine learning",
            "Generative AI",
        ],
    },
    Department {
        name: "Product",
        field: "product management",
        counts: [11, 5, 2],
        titles: [
            &[
                "product manager",
                "senior product manager",
                "product analyst",
            ],
            &["group product manager", "product lead"],
            &["director of product", "head of product"],
        ],
        skills: &[
            "Product discovery",
            "Roadmapping",
            "User research",
            "Data analysis",
            "SQL",
            "Generative AI",
        ],
    },
    Department {
        name: "Design",
        field: "design",
        counts: [9, 4, 1],
        titles: [
            &[
                "product designer",
                "senior product designer",
                "UX researcher",
                "content designer",
            ],
            &["design manager", "design lead"],
            &["head of design"],
        ],
        skills: &[
            "User research",
            "Interaction design",
            "Design systems",
            "Accessibility",
            "Product discovery",
        ],
    },
    Department {
        name: "Sales",
        field: "sales",
        counts: [15, 8, 3],
        titles: [
            &[
                "account executive",
                "senior account executive",
                "sales engineer",
                "solutions consultant",
            ],
            &["sales manager", "regional sales lead"],
            &["regional sales director", "VP of sales"],
        ],
        skills: &[
            "Account planning",
            "Sales forecasting",
            "Negotiation",
            "Public speaking",
            "Data analysis",
        ],
    },
    Department {
        name: "Marketing",
        field: "marketing",
        counts: [9, 5, 2],
        titles: [
            &[
                "marketing specialist",
                "content marketer",
                "marketing analyst",
                "brand designer",
            ],
            &["marketing manager", "content lead"],
            &["director of marketing", "head of brand"],
        ],
        skills: &[
            "Content strategy",
            "Brand storytelling",
            "Data analysis",
            "Generative AI",
            "Public speaking",
        ],
    },
    Department {
        name: "Finance",
        field: "finance",
        counts: [9, 4, 1],
        titles: [
            &["financial analyst", "accountant", "FP&A analyst"],
            &["finance manager", "controller"],
            &["finance director"],
        ],
        skills: &["Financial modelling", "Data analysis", "SQL", "Budgeting"],
    },
    Department {
        name: "People",
        field: "people and HR",
        counts: [9, 4, 1],
        titles: [
            &[
                "people partner",
                "recruiter",
                "learning and development specialist",
                "people operations specialist",
            ],
            &["talent acquisition lead", "people partner lead"],
            &["head of people operations"],
        ],
        skills: &[
            "Coaching",
            "Hiring",
            "Building inclusive teams",
            "Career development",
            "Organisational design",
        ],
    },
    Department {
        name: "Operations",
        field: "operations",
        counts: [11, 5, 2],
        titles: [
            &[
                "operations analyst",
                "project manager",
                "business operations specialist",
            ],
            &["operations manager", "programme lead"],
            &["director of operations", "head of business operations"],
        ],
        skills: &[
            "Process improvement",
            "Agile delivery",
            "Data analysis",
            "SQL",
            "Generative AI",
        ],
    },
    Department {
        name: "Customer Success",
        field: "customer success",
        counts: [12, 6, 2],
        titles: [
            &[
                "customer success manager",
                "support engineer",
                "implementation consultant",
            ],
            &["customer success team lead", "support team lead"],
            &["director of customer success", "head of support"],
        ],
        skills: &[
            "Customer journey mapping",
            "Account planning",
            "Negotiation",
            "Data analysis",
        ],
    },
    Department {
        name: "Legal",
        field: "law",
        counts: [6, 3, 1],
        titles: [
            &["legal counsel", "paralegal", "privacy counsel"],
            &["senior counsel", "commercial legal lead"],
            &["general counsel"],
        ],
        skills: &[
            "Contract drafting",
            "Data privacy",
            "Negotiation",
            "Security",
        ],
    },
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Gender {
    Feminine,
    Masculine,
    Unisex,
}
use Gender::{Feminine as F, Masculine as M, Unisex as U};

/// Names, languages and places that go together.
struct Culture {
    weight: u32,
    given: &'static [(&'static str, Gender)],
    family: &'static [&'static str],
    /// One of these is the person's first language (none: English).
    native: &'static [&'static str],
    /// Sometimes one more.
    extra: &'static [&'static str],
    /// (IANA zone, city in it).
    places: &'static [(&'static str, &'static str)],
}

const CULTURES: &[Culture] = &[
    Culture {
        weight: 26,
        given: &[
            ("Emily", F),
            ("James", M),
            ("Olivia", F),
            ("Michael", M),
            ("Sarah", F),
            ("Daniel", M),
            ("Jessica", F),
            ("Ryan", M),
            ("Grace", F),
            ("Liam", M),
            ("Hannah", F),
            ("Ethan", M),
            ("Megan", F),
            ("Connor", M),
            ("Charlotte", F),
            ("Noah", M),
            ("Zoe", F),
            ("Oliver", M),
            ("Rachel", F),
            ("Patrick", M),
            ("Aoife", F),
            ("Ciaran", M),
            ("Sam", U),
            ("Jordan", U),
            ("Riley", U),
            ("Casey", U),
        ],
        family: &[
            "Smith", "Johnson", "Brown", "Williams", "Taylor", "Anderson", "Thompson", "Walker",
            "O'Brien", "Murphy", "Campbell", "Mitchell", "Clarke", "Harris", "Robinson", "Wright",
            "Kelly", "Bennett", "Hughes", "Foster", "Reid", "Fraser", "Nolan", "Sullivan",
        ],
        native: &[],
        extra: &["Spanish", "French", "German"],
        places: &[
            ("America/New_York", "New York"),
            ("America/New_York", "Boston"),
            ("America/Chicago", "Chicago"),
            ("America/Chicago", "Austin"),
            ("America/Denver", "Denver"),
            ("America/Los_Angeles", "San Francisco"),
            ("America/Los_Angeles", "Seattle"),
            ("America/Toronto", "Toronto"),
            ("Europe/London", "London"),
            ("Europe/London", "Manchester"),
            ("Europe/London", "Edinburgh"),
            ("Europe/Dublin", "Dublin"),
            ("Australia/Sydney", "Sydney"),
            ("Australia/Melbourne", "Melbourne"),
            ("Pacific/Auckland", "Auckland"),
        ],
    },
    Culture {
        weight: 10,
        given: &[
            ("Ana", F),
            ("João", M),
            ("Mariana", F),
            ("Lucas", M),
            ("Beatriz", F),
            ("Rafael", M),
            ("Camila", F),
            ("Thiago", M),
            ("Larissa", F),
            ("Gabriel", M),
            ("Juliana", F),
            ("Pedro", M),
            ("Fernanda", F),
            ("Bruno", M),
            ("Inês", F),
            ("Tiago", M),
        ],
        family: &[
            "Silva",
            "Souza",
            "Oliveira",
            "Costa",
            "Pereira",
            "Almeida",
            "Ferreira",
            "Rodrigues",
            "Carvalho",
            "Lima",
            "Santos",
            "Ribeiro",
            "Gonçalves",
            "Martins",
            "Barbosa",
            "Araújo",
        ],
        native: &["Portuguese"],
        extra: &["Spanish", "French"],
        places: &[
            ("America/Sao_Paulo", "São Paulo"),
            ("America/Sao_Paulo", "Florianópolis"),
            ("America/Sao_Paulo", "Rio de Janeiro"),
            ("Europe/Lisbon", "Lisbon"),
            ("Europe/Lisbon", "Porto"),
        ],
    },
    Culture {
        weight: 11,
        given: &[
            ("Sofía", F),
            ("Mateo", M),
            ("Valentina", F),
            ("Diego", M),
            ("Lucía", F),
            ("Javier", M),
            ("Isabella", F),
            ("Alejandro", M),
            ("Daniela", F),
            ("Carlos", M),
            ("Paula", F),
            ("Andrés", M),
            ("Elena", F),
            ("Santiago", M),
            ("Carmen", F),
            ("Miguel", M),
        ],
        family: &[
            "García",
            "Martínez",
            "Hernández",
            "López",
            "González",
            "Ramírez",
            "Torres",
            "Flores",
            "Morales",
            "Castillo",
            "Vargas",
            "Romero",
            "Navarro",
            "Jiménez",
            "Ruiz",
            "Mendoza",
        ],
        native: &["Spanish"],
        extra: &["Portuguese", "French", "Catalan"],
        places: &[
            ("America/Mexico_City", "Mexico City"),
            ("America/Mexico_City", "Guadalajara"),
            ("America/Bogota", "Bogotá"),
            ("America/Bogota", "Medellín"),
            ("Europe/Madrid", "Madrid"),
            ("Europe/Madrid", "Barcelona"),
            ("America/Argentina/Buenos_Aires", "Buenos Aires"),
            ("America/Santiago", "Santiago"),
            ("America/Lima", "Lima"),
        ],
    },
    Culture {
        weight: 7,
        given: &[
            ("Camille", U),
            ("Léa", F),
            ("Hugo", M),
            ("Chloé", F),
            ("Louis", M),
            ("Manon", F),
            ("Antoine", M),
            ("Julien", M),
            ("Élodie", F),
            ("Mathilde", F),
            ("Théo", M),
            ("Claire", F),
            ("Nicolas", M),
        ],
        family: &[
            "Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Roux", "Fournier",
            "Girard", "Bonnet", "Mercier", "Lambert", "Fontaine", "Rousseau",
        ],
        native: &["French"],
        extra: &["German", "Spanish", "Dutch"],
        places: &[
            ("Europe/Paris", "Paris"),
            ("Europe/Paris", "Lyon"),
            ("Europe/Brussels", "Brussels"),
            ("America/Toronto", "Montréal"),
            ("Europe/Zurich", "Geneva"),
        ],
    },
    Culture {
        weight: 7,
        given: &[
            ("Lena", F),
            ("Jonas", M),
            ("Hannah", F),
            ("Lukas", M),
            ("Anna", F),
            ("Felix", M),
            ("Marie", F),
            ("Maximilian", M),
            ("Katharina", F),
            ("Tobias", M),
            ("Sophie", F),
            ("Niklas", M),
            ("Johanna", F),
            ("Florian", M),
        ],
        family: &[
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Becker",
            "Hoffmann",
            "Wagner",
            "Keller",
            "Schäfer",
            "Koch",
            "Richter",
            "Wolf",
            "Neumann",
        ],
        native: &["German"],
        extra: &["French", "Dutch", "Italian"],
        places: &[
            ("Europe/Berlin", "Berlin"),
            ("Europe/Berlin", "Munich"),
            ("Europe/Berlin", "Hamburg"),
            ("Europe/Zurich", "Zürich"),
            ("Europe/Vienna", "Vienna"),
        ],
    },
    Culture {
        weight: 12,
        given: &[
            ("Priya", F),
            ("Arjun", M),
            ("Ananya", F),
            ("Rohan", M),
            ("Kavya", F),
            ("Vikram", M),
            ("Neha", F),
            ("Aditya", M),
            ("Divya", F),
            ("Rahul", M),
            ("Meera", F),
            ("Sanjay", M),
            ("Aishwarya", F),
            ("Karthik", M),
            ("Pooja", F),
            ("Siddharth", M),
        ],
        family: &[
            "Sharma",
            "Patel",
            "Iyer",
            "Reddy",
            "Nair",
            "Gupta",
            "Kumar",
            "Desai",
            "Menon",
            "Chatterjee",
            "Singh",
            "Rao",
            "Joshi",
            "Krishnan",
            "Mehta",
            "Banerjee",
        ],
        native: &[
            "Hindi", "Hindi", "Hindi", "Tamil", "Telugu", "Kannada", "Marathi", "Bengali",
        ],
        extra: &["Hindi", "Tamil", "Marathi", "Gujarati"],
        places: &[
            ("Asia/Kolkata", "Bengaluru"),
            ("Asia/Kolkata", "Hyderabad"),
            ("Asia/Kolkata", "Pune"),
            ("Asia/Kolkata", "Delhi"),
            ("Asia/Kolkata", "Mumbai"),
            ("Asia/Kolkata", "Chennai"),
        ],
    },
    Culture {
        weight: 5,
        given: &[
            ("Yuki", U),
            ("Haruto", M),
            ("Sakura", F),
            ("Ren", M),
            ("Aoi", F),
            ("Sota", M),
            ("Hana", F),
            ("Daichi", M),
            ("Mei", F),
            ("Kenji", M),
            ("Emi", F),
            ("Takumi", M),
        ],
        family: &[
            "Tanaka",
            "Suzuki",
            "Takahashi",
            "Watanabe",
            "Ito",
            "Yamamoto",
            "Nakamura",
            "Kobayashi",
            "Sato",
            "Kato",
            "Yoshida",
            "Matsumoto",
        ],
        native: &["Japanese"],
        extra: &["Korean", "Mandarin"],
        places: &[("Asia/Tokyo", "Tokyo"), ("Asia/Tokyo", "Osaka")],
    },
    Culture {
        weight: 7,
        given: &[
            ("Wei", M),
            ("Jing", F),
            ("Hao", M),
            ("Xiaoling", F),
            ("Yan", F),
            ("Zhiwei", M),
            ("Lei", M),
            ("Ying", F),
            ("Jun", U),
            ("Mingyu", M),
            ("Xin", U),
            ("Yuting", F),
        ],
        family: &[
            "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Lin",
            "Xu",
        ],
        native: &["Mandarin"],
        extra: &["Cantonese", "Japanese"],
        places: &[
            ("Asia/Shanghai", "Shanghai"),
            ("Asia/Shanghai", "Shenzhen"),
            ("Asia/Shanghai", "Beijing"),
            ("Asia/Singapore", "Singapore"),
            ("Asia/Taipei", "Taipei"),
            ("Asia/Hong_Kong", "Hong Kong"),
        ],
    },
    Culture {
        weight: 6,
        given: &[
            ("Omar", M),
            ("Layla", F),
            ("Youssef", M),
            ("Fatima", F),
            ("Karim", M),
            ("Amira", F),
            ("Hassan", M),
            ("Nour", U),
            ("Tariq", M),
            ("Salma", F),
            ("Rania", F),
            ("Ziad", M),
        ],
        family: &[
            "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Farouk", "Hamdan", "Aziz", "Rahman",
            "El-Amin", "Bakr", "Sabbagh",
        ],
        native: &["Arabic"],
        extra: &["French", "Turkish"],
        places: &[
            ("Asia/Dubai", "Dubai"),
            ("Africa/Cairo", "Cairo"),
            ("Asia/Riyadh", "Riyadh"),
            ("Asia/Amman", "Amman"),
            ("Africa/Casablanca", "Casablanca"),
            ("Asia/Beirut", "Beirut"),
        ],
    },
    Culture {
        weight: 4,
        given: &[
            ("Amani", U),
            ("Baraka", M),
            ("Neema", F),
            ("Juma", M),
            ("Zawadi", F),
            ("Imani", U),
            ("Faraji", M),
            ("Rehema", F),
            ("Jabari", M),
            ("Wanjiku", F),
            ("Kioko", M),
            ("Akinyi", F),
        ],
        family: &[
            "Mwangi", "Otieno", "Njoroge", "Kamau", "Achieng", "Mutua", "Odhiambo", "Kariuki",
            "Nyambura", "Wekesa", "Chege", "Onyango",
        ],
        native: &["Swahili"],
        extra: &["Kikuyu", "Luganda"],
        places: &[
            ("Africa/Nairobi", "Nairobi"),
            ("Africa/Nairobi", "Mombasa"),
            ("Africa/Dar_es_Salaam", "Dar es Salaam"),
            ("Africa/Kampala", "Kampala"),
        ],
    },
    Culture {
        weight: 2,
        given: &[
            ("Oluwaseun", U),
            ("Folake", F),
            ("Tunde", M),
            ("Yetunde", F),
            ("Adebola", F),
            ("Segun", M),
            ("Temitope", U),
            ("Kayode", M),
        ],
        family: &[
            "Adeyemi", "Balogun", "Adebayo", "Afolabi", "Oyelaran", "Ogunleye", "Adewale",
            "Olawale",
        ],
        native: &["Yoruba"],
        extra: &["Hausa", "French"],
        places: &[("Africa/Lagos", "Lagos"), ("Africa/Lagos", "Ibadan")],
    },
    Culture {
        weight: 2,
        given: &[
            ("Chinedu", M),
            ("Adaeze", F),
            ("Emeka", M),
            ("Ngozi", F),
            ("Amara", F),
            ("Kelechi", U),
            ("Ifeanyi", M),
            ("Chiamaka", F),
        ],
        family: &[
            "Okafor", "Okonkwo", "Eze", "Nwosu", "Obi", "Okeke", "Chukwu", "Nnamdi",
        ],
        native: &["Igbo"],
        extra: &["Hausa", "French"],
        places: &[("Africa/Lagos", "Lagos"), ("Africa/Lagos", "Abuja")],
    },
    Culture {
        weight: 3,
        given: &[
            ("Minjun", M),
            ("Seoyeon", F),
            ("Jihoon", M),
            ("Soyeon", F),
            ("Hyunwoo", M),
            ("Yuna", F),
            ("Jiwoo", U),
            ("Dohyun", M),
        ],
        family: &["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Yoon", "Han"],
        native: &["Korean"],
        extra: &["Japanese"],
        places: &[("Asia/Seoul", "Seoul"), ("Asia/Seoul", "Busan")],
    },
    Culture {
        weight: 3,
        given: &[
            ("Zofia", F),
            ("Jakub", M),
            ("Katarzyna", F),
            ("Piotr", M),
            ("Agnieszka", F),
            ("Tomasz", M),
            ("Magdalena", F),
            ("Marek", M),
        ],
        family: &[
            "Nowak",
            "Kaczmarek",
            "Mazur",
            "Krawczyk",
            "Zając",
            "Wójcik",
            "Kowalczyk",
            "Król",
        ],
        native: &["Polish"],
        extra: &["German", "Ukrainian"],
        places: &[
            ("Europe/Warsaw", "Warsaw"),
            ("Europe/Warsaw", "Kraków"),
            ("Europe/Warsaw", "Wrocław"),
        ],
    },
    Culture {
        weight: 3,
        given: &[
            ("Linh", F),
            ("Minh", M),
            ("Thao", F),
            ("Duc", M),
            ("Huong", F),
            ("Quang", M),
            ("Trang", F),
            ("Tuan", M),
        ],
        family: &["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"],
        native: &["Vietnamese"],
        extra: &["French"],
        places: &[
            ("Asia/Ho_Chi_Minh", "Ho Chi Minh City"),
            ("Asia/Ho_Chi_Minh", "Hanoi"),
        ],
    },
];

/// Where people who moved for work tend to live.
const HUBS: &[(&str, &str)] = &[
    ("Europe/London", "London"),
    ("America/New_York", "New York"),
    ("Europe/Berlin", "Berlin"),
    ("Europe/Amsterdam", "Amsterdam"),
    ("Asia/Singapore", "Singapore"),
    ("America/Toronto", "Toronto"),
    ("America/Los_Angeles", "San Francisco"),
    ("Europe/Dublin", "Dublin"),
    ("Europe/Lisbon", "Lisbon"),
    ("Asia/Dubai", "Dubai"),
    ("Europe/Stockholm", "Stockholm"),
];

const PC_GOAL_TAGS: &[&str] = &[
    "first-time manager",
    "promotion readiness",
    "technical depth",
    "confidence",
    "building a network",
    "public speaking",
    "career change",
];
const TL_GOAL_TAGS: &[&str] = &[
    "people leadership",
    "strategic thinking",
    "cross-functional influence",
    "leading leaders",
    "work-life balance",
    "executive presence",
    "coaching skills",
];
const LOL_GOAL_TAGS: &[&str] = &[
    "succession planning",
    "executive presence",
    "AI fluency",
    "giving back",
    "organisational change",
    "inclusive leadership",
];

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

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

    let programmes = programmes(&mut rng, &people);
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

fn level_above(level: LeadershipLevel) -> Option<LeadershipLevel> {
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
        time_zone: "Europe/London".into(),
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
fn ascii_fold(s: &str) -> String {
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
        time_zone: time_zone.to_string(),
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
fn phrase(s: &str) -> String {
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

fn and_list(items: &[String]) -> String {
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
fn article(word: &str) -> &'static str {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_domain::person::ProfileInput;
    use rapport_domain::values::{Email, Slug};
    use rapport_store::testing::{fresh_store, test_database_kinds};
    use std::collections::HashMap;

    const NOW: i64 = 1_795_000_000_000;

    fn by_id(data: &DemoData) -> HashMap<PersonId, &DemoPerson> {
        data.people.iter().map(|p| (p.id, p)).collect()
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(demo_data(DEMO_SEED), demo_data(DEMO_SEED));
        assert_ne!(demo_people(DEMO_SEED), demo_people(DEMO_SEED + 1));
    }

    #[test]
    fn about_two_hundred_people_across_all_levels() {
        for seed in [DEMO_SEED, 1, 42] {
            let people = demo_people(seed);
            assert!((190..=210).contains(&people.len()), "{}", people.len());
            let share = |l: LeadershipLevel| {
                people.iter().filter(|p| p.profile.level == l).count() as f64 / people.len() as f64
            };
            let (pc, tl, lol) = (
                share(LeadershipLevel::ProfessionalContributor),
                share(LeadershipLevel::TeamLeader),
                share(LeadershipLevel::LeaderOfLeaders),
            );
            assert!((0.55..=0.65).contains(&pc), "PC {pc}");
            assert!((0.25..=0.35).contains(&tl), "TL {tl}");
            assert!((0.07..=0.13).contains(&lol), "LoL {lol}");
            for p in &people {
                let y = p.profile.years_experience;
                let ok = match p.profile.level {
                    LeadershipLevel::ProfessionalContributor => (1..=12).contains(&y),
                    LeadershipLevel::TeamLeader => (6..=20).contains(&y),
                    LeadershipLevel::LeaderOfLeaders => (13..=32).contains(&y),
                };
                assert!(ok, "{} has {y} years at {:?}", p.email, p.profile.level);
            }
            let departments: HashSet<&str> = people
                .iter()
                .map(|p| p.profile.department.as_str())
                .collect();
            assert_eq!(departments.len(), 10);
        }
    }

    #[test]
    fn one_admin_with_the_documented_email() {
        let people = demo_people(DEMO_SEED);
        let admins: Vec<_> = people.iter().filter(|p| p.is_admin).collect();
        assert_eq!(admins.len(), 1);
        assert_eq!(admins[0].email, DEMO_ADMIN_EMAIL);
        assert_eq!(people[0].email, DEMO_ADMIN_EMAIL);
        assert_eq!(admins[0].profile.visibility, Visibility::Members);
    }

    #[test]
    fn emails_are_unique_lower_case_ascii_and_valid() {
        for seed in [DEMO_SEED, 7] {
            let people = demo_people(seed);
            let mut seen = HashSet::new();
            for p in &people {
                assert!(seen.insert(p.email.clone()), "duplicate {}", p.email);
                let (local, domain) = p.email.split_once('@').unwrap();
                assert_eq!(domain, DEMO_DOMAIN);
                assert!(
                    local.bytes().all(|b| b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b == b'.'
                        || b == b'-'),
                    "{}",
                    p.email
                );
                assert_eq!(Email::parse("email", &p.email).unwrap().as_str(), p.email);
                if !p.is_admin {
                    assert!(local.contains('.'), "firstname.lastname: {}", p.email);
                }
            }
            let names: HashSet<&str> = people.iter().map(|p| p.profile.name.as_str()).collect();
            assert_eq!(names.len(), people.len(), "names are unique too");
        }
    }

    #[test]
    fn every_time_zone_parses_and_windows_are_sane() {
        let people = demo_people(DEMO_SEED);
        let mut zones = HashSet::new();
        for p in &people {
            let tz: chrono_tz::Tz = p
                .profile
                .time_zone
                .parse()
                .unwrap_or_else(|_| panic!("{}: bad zone {}", p.email, p.profile.time_zone));
            assert_eq!(tz.name(), p.profile.time_zone, "canonical name");
            zones.insert(tz);
            let w = &p.profile.availability;
            assert!(
                (1..=5).contains(&w.len()),
                "{}: {} windows",
                p.email,
                w.len()
            );
            for win in w {
                assert!(win.weekday < 7);
                assert!(win.start_minute < win.end_minute && win.end_minute <= 24 * 60);
            }
            let days: HashSet<u8> = w.iter().map(|x| x.weekday).collect();
            assert_eq!(days.len(), w.len(), "one window a day");
        }
        assert!(zones.len() >= 25, "zones across regions: {}", zones.len());
        for region in ["America/", "Europe/", "Asia/", "Africa/", "Australia/"] {
            assert!(
                zones.iter().any(|z| z.name().starts_with(region)),
                "{region}"
            );
        }
    }

    #[test]
    fn every_manager_exists_earlier_and_is_one_level_up_in_the_same_department() {
        for seed in [DEMO_SEED, 3] {
            let people = demo_people(seed);
            let mut position = HashMap::new();
            for (i, p) in people.iter().enumerate() {
                position.insert(p.id, i);
            }
            assert_eq!(position.len(), people.len(), "ids are unique");
            for (i, p) in people.iter().enumerate() {
                match (p.profile.level, p.profile.manager_id) {
                    (LeadershipLevel::LeaderOfLeaders, None) => {}
                    (LeadershipLevel::LeaderOfLeaders, Some(_)) => {
                        panic!("{} has no level above", p.email)
                    }
                    (_, None) => panic!("{} has no manager", p.email),
                    (level, Some(m)) => {
                        let at = *position.get(&m).expect("manager exists");
                        assert!(at < i, "{}'s manager is inserted first", p.email);
                        let boss = &people[at];
                        assert_eq!(Some(boss.profile.level), level_above(level), "{}", p.email);
                        assert_eq!(boss.profile.department, p.profile.department);
                    }
                }
            }
        }
    }

    #[test]
    fn profiles_pass_the_same_validation_as_the_profile_form() {
        let people = demo_people(DEMO_SEED);
        for p in &people {
            let input = ProfileInput::from_profile(&p.profile, None);
            let parsed = input
                .parse(p.profile.manager_id)
                .unwrap_or_else(|e| panic!("{}: {e:?}", p.email));
            assert_eq!(parsed, p.profile, "{}", p.email);
            assert!(!p.profile.bio.is_empty() && !p.profile.goals.is_empty());
            assert!(!p.profile.interests.is_empty() && !p.profile.goal_tags.is_empty());
            assert!(p.profile.skills_wanted.len() >= 2 && !p.profile.skills_offered.is_empty());
            assert!(
                !p.profile
                    .skills_offered
                    .iter()
                    .any(|s| p.profile.skills_wanted.contains(s)),
                "{} wants what they offer",
                p.email
            );
        }
        let bios: HashSet<&str> = people.iter().map(|p| p.profile.bio.as_str()).collect();
        assert_eq!(bios.len(), people.len(), "bios vary");
        let private = people
            .iter()
            .filter(|p| p.profile.visibility == Visibility::Private)
            .count();
        assert!(
            (1..=25).contains(&private),
            "a few private profiles: {private}"
        );
    }

    #[test]
    fn skills_come_from_the_catalogue() {
        let catalogue = skill_catalogue();
        assert!((40..=50).contains(&catalogue.len()), "{}", catalogue.len());
        let folded: HashSet<String> = catalogue.iter().map(|s| s.to_lowercase()).collect();
        assert_eq!(folded.len(), catalogue.len(), "no duplicates");
        for d in DEPARTMENTS {
            for s in d.skills {
                assert!(catalogue.contains(s), "{} skill {s}", d.name);
            }
        }
        for p in demo_people(DEMO_SEED) {
            for s in p
                .profile
                .skills_offered
                .iter()
                .chain(&p.profile.skills_wanted)
            {
                assert!(catalogue.contains(&s.as_str()), "{}: {s}", p.email);
            }
        }
    }

    #[test]
    fn languages_are_realistic_mixes() {
        let people = demo_people(DEMO_SEED);
        let english = people
            .iter()
            .filter(|p| p.profile.languages.iter().any(|l| l == "English"))
            .count();
        assert!(english * 100 >= people.len() * 90, "most speak English");
        let spoken: HashSet<&str> = people
            .iter()
            .flat_map(|p| p.profile.languages.iter().map(String::as_str))
            .collect();
        for l in [
            "Portuguese",
            "Spanish",
            "French",
            "German",
            "Hindi",
            "Japanese",
            "Mandarin",
            "Arabic",
            "Swahili",
        ] {
            assert!(spoken.contains(l), "{l}");
        }
        assert!(people.iter().any(|p| p.profile.languages.len() >= 3));
    }

    #[test]
    fn programmes_have_managers_mentors_and_mentees() {
        let data = demo_data(DEMO_SEED);
        let people = by_id(&data);
        assert_eq!(data.programmes.len(), 4);
        let slugs: HashSet<&str> = data.programmes.iter().map(|p| p.slug).collect();
        assert_eq!(slugs.len(), 4);
        for prog in &data.programmes {
            Slug::parse("slug", prog.slug).unwrap();
            let count = |r: ProgrammeRole| prog.roles.iter().filter(|(_, x)| *x == r).count();
            assert_eq!(count(ProgrammeRole::Manager), 2, "{}", prog.slug);
            let mut seen = HashSet::new();
            for (id, role) in &prog.roles {
                let p = people.get(id).expect("role holder exists");
                assert!(
                    seen.insert(*id),
                    "{} holds one role in {}",
                    p.email,
                    prog.slug
                );
                if *role == ProgrammeRole::Manager {
                    assert_ne!(p.profile.level, LeadershipLevel::ProfessionalContributor);
                }
            }
        }
        let get = |slug: &str| data.programmes.iter().find(|p| p.slug == slug).unwrap();
        let holders = |slug: &str, role: ProgrammeRole| -> Vec<&DemoPerson> {
            get(slug)
                .roles
                .iter()
                .filter(|(_, r)| *r == role)
                .map(|(id, _)| people[id])
                .collect()
        };

        let f = get("leadership-foundations-2027");
        assert_eq!(
            (f.kind, f.status),
            (ProgrammeKind::OneToOne, ProgrammeStatus::Open)
        );
        let mentees = holders(f.slug, ProgrammeRole::Mentee);
        let mentors = holders(f.slug, ProgrammeRole::Mentor);
        assert_eq!((mentees.len(), mentors.len()), (60, 25));
        assert!(mentees
            .iter()
            .all(|p| p.profile.level == LeadershipLevel::ProfessionalContributor));
        assert!(mentors
            .iter()
            .all(|p| p.profile.level != LeadershipLevel::ProfessionalContributor));

        let peer = get("peer-circles");
        assert_eq!(
            (peer.kind, peer.status),
            (ProgrammeKind::Peer, ProgrammeStatus::Running)
        );
        assert!(holders(peer.slug, ProgrammeRole::Peer).len() >= 20);

        let r = get("reverse-mentoring-ai-data");
        assert_eq!(
            (r.kind, r.status),
            (ProgrammeKind::Reverse, ProgrammeStatus::Open)
        );
        let r_mentors = holders(r.slug, ProgrammeRole::Mentor);
        let r_mentees = holders(r.slug, ProgrammeRole::Mentee);
        assert!(r_mentors.len() >= 8 && r_mentees.len() >= 8);
        assert!(r_mentors
            .iter()
            .all(|p| p.profile.level == LeadershipLevel::ProfessionalContributor));
        assert!(r_mentees
            .iter()
            .all(|p| p.profile.level != LeadershipLevel::ProfessionalContributor));

        let g = get("new-managers-cohort");
        assert_eq!(
            (g.kind, g.status),
            (ProgrammeKind::Group, ProgrammeStatus::Draft)
        );

        // Somebody is a mentor in one programme and a mentee in another, both ways.
        let mentee_then_mentor = mentees
            .iter()
            .any(|m| r_mentors.iter().any(|x| x.id == m.id));
        let mentor_then_mentee = mentors
            .iter()
            .any(|m| r_mentees.iter().any(|x| x.id == m.id));
        assert!(mentee_then_mentor && mentor_then_mentee);
    }

    #[test]
    fn sentences_read_naturally() {
        assert_eq!(phrase("Giving feedback"), "giving feedback");
        assert_eq!(phrase("SQL"), "SQL");
        assert_eq!(phrase("Setting OKRs"), "setting OKRs");
        assert_eq!(phrase("Rust"), "Rust");
        assert_eq!(
            and_list(&["Coaching".into(), "SQL".into(), "Board games".into()]),
            "coaching, SQL and board games"
        );
        assert_eq!(article("engineering manager"), "an");
        assert_eq!(article("UX researcher"), "a");
        assert_eq!(article("VP of sales"), "a");
        assert_eq!(article("FP&A analyst"), "an");
        assert_eq!(ascii_fold("Gonçalves"), "goncalves");
        assert_eq!(ascii_fold("O'Brien"), "obrien");
        assert_eq!(ascii_fold("Müller"), "muller");
        assert_eq!(ascii_fold("El-Amin"), "el-amin");
        assert_eq!(ascii_fold("Zając"), "zajac");
    }

    async fn snapshot(store: &Store) -> String {
        let mut tx = store.read().await.unwrap();
        format!(
            "{:?}",
            (
                tx.count_people().await.unwrap(),
                tx.programmes().await.unwrap(),
                tx.skills().await.unwrap(),
                tx.person_by_email(DEMO_ADMIN_EMAIL).await.unwrap(),
                tx.setting("signup_mode").await.unwrap(),
                tx.audit_events(1000, 0).await.unwrap(),
            )
        )
    }

    #[tokio::test]
    async fn seeds_an_empty_database_once() {
        for kind in test_database_kinds() {
            let (store, _dir) = fresh_store(kind).await.unwrap();
            let hash = "$argon2id$v=19$m=19456,t=2,p=1$demo$demo";
            let summary = seed(&store, hash, NOW)
                .await
                .unwrap()
                .expect("an empty database is seeded");
            let data = demo_data(DEMO_SEED);
            assert_eq!(
                summary,
                DemoSummary {
                    people: data.people.len(),
                    programmes: 4,
                    admin_email: DEMO_ADMIN_EMAIL.into(),
                }
            );

            let mut tx = store.read().await.unwrap();
            assert_eq!(tx.count_people().await.unwrap() as usize, data.people.len());
            assert_eq!(tx.count_admins().await.unwrap(), 1);
            let admin = tx.person_by_email(DEMO_ADMIN_EMAIL).await.unwrap().unwrap();
            assert!(admin.is_admin);
            assert_eq!(admin.status, AccountStatus::Active);
            assert_eq!(admin.password_hash.as_deref(), Some(hash));
            assert!(admin.email_verified_at.is_some());
            assert_eq!(admin.profile, data.people[0].profile);
            assert!(!tx.direct_reports(admin.id).await.unwrap().is_empty());
            let someone = &data.people[data.people.len() - 1];
            let stored = tx.person(someone.id).await.unwrap().unwrap();
            assert_eq!(stored.profile, someone.profile);
            assert_eq!(stored.email, someone.email);

            assert_eq!(tx.skills().await.unwrap().len(), skill_catalogue().len());
            assert_eq!(
                tx.setting("signup_mode").await.unwrap(),
                Some(serde_json::to_string(&SignupMode::Open).unwrap())
            );
            let programmes = tx.programmes().await.unwrap();
            assert_eq!(programmes.len(), 4);
            let f = programmes
                .iter()
                .find(|p| p.slug == "leadership-foundations-2027")
                .unwrap();
            assert_eq!(
                tx.count_role(f.id, ProgrammeRole::Mentee).await.unwrap(),
                60
            );
            assert_eq!(
                tx.count_role(f.id, ProgrammeRole::Mentor).await.unwrap(),
                25
            );
            assert_eq!(
                tx.count_role(f.id, ProgrammeRole::Manager).await.unwrap(),
                2
            );
            let roles = tx.roles_of(admin.id).await.unwrap();
            assert!(roles.contains(&(f.id, ProgrammeRole::Manager)));

            let (found, total) = tx
                .search_people(&rapport_store::DirectoryQuery {
                    text: "engineering".into(),
                    limit: 20,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert!(total >= 20 && found.len() == 20, "directory has engineers");
            drop(tx);

            // A second start leaves the database alone.
            let before = snapshot(&store).await;
            assert_eq!(seed(&store, "another-hash", NOW + 1).await.unwrap(), None);
            assert_eq!(snapshot(&store).await, before);
            store.close().await;
        }
    }

    #[tokio::test]
    async fn a_database_with_anyone_in_it_is_left_alone() {
        for kind in test_database_kinds() {
            let (store, _dir) = fresh_store(kind).await.unwrap();
            let mut tx = store.write().await.unwrap();
            let name = rapport_domain::values::PersonName::parse("name", "Ana Lima").unwrap();
            tx.insert_person(&NewPerson {
                id: PersonId::new(),
                email: "ana@example.org".into(),
                status: AccountStatus::Active,
                is_admin: true,
                password_hash: Some("hash".into()),
                email_verified_at: None,
                profile: Profile::new(name),
                now: NOW,
            })
            .await
            .unwrap();
            tx.commit().await.unwrap();

            let before = snapshot(&store).await;
            assert_eq!(seed(&store, "hash", NOW).await.unwrap(), None);
            assert_eq!(snapshot(&store).await, before);
            let mut tx = store.read().await.unwrap();
            assert_eq!(tx.count_people().await.unwrap(), 1);
            assert!(tx.programmes().await.unwrap().is_empty());
            assert!(tx.skills().await.unwrap().is_empty());
            drop(tx);
            store.close().await;
        }
    }
}
