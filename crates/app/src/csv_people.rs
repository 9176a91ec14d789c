//! CSV import and export of a programme's participants.
//!
//! Managers (and admins) bring a spreadsheet of people into a programme:
//! existing accounts get the profile fields of their row, unknown emails
//! become invitations, and everyone is enrolled, approved, in the row's role.
//! The file is checked whole first; any row error means nothing is written,
//! and a dry run never writes. A clean file of any size is then written in
//! batches of [`BATCH`] rows, one transaction each. The export writes the same columns, so an
//! export imported back into the same programme changes nothing.
//!
//! Columns (header names are case-insensitive; spaces and dashes count as
//! underscores): `email`, `name`, `role` (required), `level`, `years`,
//! `skills_offered`, `skills_wanted`, `languages`, `time_zone`, `department`,
//! `manager_email`, `capacity`, then one column per programme question named
//! by its id (`q1`) or its prompt. Lists are separated by `;`.

use crate::enrolment::{approve_enrolment, approved_enrolment, insert_approved, roles_for};
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::person::{AccountStatus, Profile, ProfileInput};
use rapport_domain::policy::Actor;
use rapport_domain::programme::{
    ProgrammeKind, ProgrammeRole, ProgrammeStatus, Question, QuestionKind,
};
use rapport_domain::values::Email;
use rapport_domain::PersonId;
use rapport_store::{AuditRecord, EnrolmentRecord, NewPerson, PersonRecord, ProgrammeRecord, Tx};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The fixed columns, in the order the export writes them.
pub const COLUMNS: [&str; 12] = [
    "email",
    "name",
    "role",
    "level",
    "years",
    "skills_offered",
    "skills_wanted",
    "languages",
    "time_zone",
    "department",
    "manager_email",
    "capacity",
];

/// Columns every file must have.
pub const REQUIRED: [&str; 3] = ["email", "name", "role"];

/// Rows written per transaction. A file of any size is checked whole, then
/// written this many rows at a time, so the database's writer is never held
/// for long and memory for a transaction stays bounded.
pub const BATCH: usize = 1_000;

/// How to import.
#[derive(Clone, Copy, Debug)]
pub struct ImportOptions {
    /// Check the file and count the changes, writing nothing.
    pub dry_run: bool,
    /// Mail each new person an invitation (the default). Without, new
    /// people get an invited account and no email: they get in with
    /// "Forgot your password?", or through single sign-on in front of
    /// Rapport.
    pub invite: bool,
}

/// What an import did, or (for a dry run, or when there are errors) would do.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ImportReport {
    /// Data rows read (blank rows are skipped and not counted).
    pub rows: usize,
    /// Invitations: rows whose email had no account.
    pub created: usize,
    /// Existing accounts whose profile the file changed.
    pub updated: usize,
    /// Enrolments created, approved or changed (capacity, answers), one per
    /// role: a row with role `both` can count two. Enrolments already exactly
    /// so are not counted.
    pub enrolled: usize,
    /// Every problem found, in file order. When there is any, nothing was
    /// written and the counts above are zero.
    pub errors: Vec<RowError>,
    /// Whether this was a dry run (nothing written, whatever the result).
    pub dry_run: bool,
}

impl ImportReport {
    /// Whether the file was clean (and, unless a dry run, imported).
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}

/// One problem in an import file.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RowError {
    /// Line number as a spreadsheet shows it: the header is line 1.
    pub line: usize,
    /// The column at fault, as named in the file (or `row` for the row itself).
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Where an import stands, for progress bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStage {
    /// Checking rows.
    Checking,
    /// Writing rows.
    Writing,
}

/// What a column of the file holds.
#[derive(Clone, Debug, PartialEq)]
enum Column {
    /// One of [`COLUMNS`].
    Fixed(&'static str),
    /// The question with this index in the programme's list.
    Question(usize),
}

/// Who a row's manager will be.
#[derive(Clone, Debug, PartialEq)]
enum ManagerChoice {
    /// The cell was empty: whatever the account has (none for new people).
    Keep,
    /// An existing account.
    Existing(PersonId),
    /// Someone invited by this same file.
    InFile(String),
}

/// A checked data row.
struct Row {
    line: usize,
    email: Email,
    existing: Option<PersonRecord>,
    /// The profile to store, without the manager (see `manager`).
    profile: Profile,
    manager: ManagerChoice,
    roles: Vec<ProgrammeRole>,
    capacity: Option<i32>,
    /// Non-empty answers in this row, by question id.
    answers: BTreeMap<String, Vec<String>>,
}

/// Lower case, trimmed, spaces and dashes as underscores: how headers compare.
fn norm(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .split([' ', '-', '_'])
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

fn fixed_column(h: &str) -> Option<&'static str> {
    let n = norm(h);
    let alias = match n.as_str() {
        "years_experience" | "years_of_experience" => "years",
        "timezone" | "tz" => "time_zone",
        "manager" => "manager_email",
        other => other,
    };
    COLUMNS.iter().copied().find(|c| *c == alias)
}

/// Spreadsheets run cells that start with these as formulas.
fn formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell as the export writes it: formula-like text gets a leading `'` so
/// a spreadsheet shows it as text (the import takes the `'` off again).
fn safe_cell(s: &str) -> String {
    if formula_like(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A cell as the import reads it: trimmed, with the export's `'` guard removed.
fn read_cell(s: &str) -> &str {
    let s = s.trim();
    match s.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => s,
    }
}

/// The column name for a profile field's error.
fn column_of(field: &str) -> &str {
    match field {
        "years_experience" => "years",
        other => other,
    }
}

fn list_cell(raw: &str) -> String {
    raw.replace(';', ",")
}

/// The role cell for a set of roles, as the import reads it back.
fn role_cell(kind: ProgrammeKind, roles: &[ProgrammeRole]) -> String {
    use ProgrammeRole::*;
    let has = |r| roles.contains(&r);
    let mut parts = vec![];
    let pairs = matches!(kind, ProgrammeKind::Peer | ProgrammeKind::Circle);
    if has(Mentee) && has(Mentor) && !pairs {
        parts.push("both");
    } else {
        if has(Mentee) {
            parts.push("mentee");
        }
        if has(Mentor) {
            parts.push("mentor");
        }
    }
    if has(Peer) {
        parts.push("peer");
    }
    if has(Facilitator) {
        parts.push("facilitator");
    }
    parts.join(";")
}

/// The value of an answer cell.
fn answer_cell(q: &Question, answer: &[String]) -> String {
    match q.kind {
        QuestionKind::Text => answer.join(" "),
        _ => answer.join("; "),
    }
}

impl App {
    /// Imports participants into a programme from CSV (see the module
    /// documentation for the columns). Every row error is reported with its
    /// line and column and then nothing is written; a dry run never writes.
    /// Managers of the programme and admins only.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, dry_run = dry_run))]
    pub async fn import_people(
        &self,
        actor: &Actor,
        slug: &str,
        data: &[u8],
        dry_run: bool,
    ) -> AppResult<ImportReport> {
        let options = ImportOptions {
            dry_run,
            invite: true,
        };
        self.import_people_with_progress(actor, slug, data, options, &|_, _, _| {})
            .await
    }

    /// [`App::import_people`] with options (dry run, invitations), telling
    /// `progress` how many of how many rows are done at each stage.
    ///
    /// The whole file is checked first, in a read transaction; any row error
    /// means nothing is written. A clean file is then written in batches of
    /// [`BATCH`] rows, one transaction each, so a file of any size never holds
    /// the database's writer for long: first the new accounts, then the
    /// profiles and enrolments. Should a batch fail (the database goes away,
    /// or someone signs up with one of the file's emails meanwhile), the
    /// batches before it stay written; importing the same file again finishes
    /// the job, since rows already applied count as unchanged. Statistics are
    /// refreshed at the end ([`App::refresh_statistics`]).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, dry_run = options.dry_run, invite = options.invite))]
    pub async fn import_people_with_progress(
        &self,
        actor: &Actor,
        slug: &str,
        data: &[u8],
        options: ImportOptions,
        progress: &(dyn Fn(ImportStage, usize, usize) + Send + Sync),
    ) -> AppResult<ImportReport> {
        let dry_run = options.dry_run;
        let now = self.now();
        let mut report = ImportReport {
            rows: 0,
            created: 0,
            updated: 0,
            enrolled: 0,
            errors: vec![],
            dry_run,
        };
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        if p.status == ProgrammeStatus::Closed {
            return Err(AppError::Conflict {
                field: None,
                message: format!("{} is closed; it takes no more participants", p.name),
            });
        }
        let rows = check_file(&mut tx, &p, data, &mut report, progress).await?;
        if !report.errors.is_empty() {
            report.errors.sort_by_key(|e| e.line);
            return Ok(report);
        }
        let inviter = tx.person(actor.person_id).await?;
        let questions: Vec<Question> = p.questions.clone();
        let mut ids: HashMap<String, PersonId> = rows
            .iter()
            .filter_map(|r| r.existing.as_ref().map(|e| (e.email.to_string(), e.id)))
            .collect();
        if dry_run {
            // Count what would change, in the same read transaction.
            for (n, row) in rows.iter().enumerate() {
                self.apply_row(&mut tx, &p, &questions, row, &ids, true, now, &mut report)
                    .await?;
                progress(ImportStage::Writing, n + 1, rows.len());
            }
            return Ok(report);
        }
        drop(tx);

        // Work: one step per new account, then one per row.
        let new_rows: Vec<&Row> = rows.iter().filter(|r| r.existing.is_none()).collect();
        let total = new_rows.len() + rows.len();
        let mut done = 0;
        for batch in new_rows.chunks(BATCH) {
            let mut tx = self.store.write().await?;
            in_bulk(&mut tx, async |tx| {
                let mut uninvited = vec![];
                for row in batch {
                    let id = if options.invite {
                        let note = format!(
                            "You are taking part in {} as {}.",
                            p.name,
                            row.roles
                                .iter()
                                .map(|r| r.code())
                                .collect::<Vec<_>>()
                                .join(" and ")
                        );
                        self.invite_in(
                            tx,
                            inviter.as_ref(),
                            &row.email,
                            row.profile.clone(),
                            false,
                            Some(&note),
                            now,
                        )
                        .await?
                    } else {
                        let person = uninvited_person(&row.email, row.profile.clone(), now);
                        let id = person.id;
                        uninvited.push(person);
                        id
                    };
                    ids.insert(row.email.as_str().to_string(), id);
                }
                // Written together: one full-text statement for the batch.
                Ok(tx.insert_people(&uninvited).await?)
            })
            .await?;
            tx.commit().await?;
            done += batch.len();
            progress(ImportStage::Writing, done, total);
        }
        for batch in rows.chunks(BATCH) {
            let mut tx = self.store.write().await?;
            in_bulk(&mut tx, async |tx| {
                // The batch's new people are enrolled together, a few
                // statements for the batch; the others row by row, as
                // each may change what is there.
                let mut fresh = vec![];
                for row in batch {
                    if row.existing.is_none() {
                        self.apply_new_row(tx, &p, row, &ids, now, &mut report, &mut fresh)
                            .await?;
                    } else {
                        self.apply_row(tx, &p, &questions, row, &ids, false, now, &mut report)
                            .await?;
                    }
                }
                insert_approved(tx, &fresh, now).await
            })
            .await?;
            tx.commit().await?;
            done += batch.len();
            progress(ImportStage::Writing, done, total);
        }
        let mut tx = self.store.write().await?;
        tx.insert_audit(&AuditRecord {
            id: uuid::Uuid::new_v4(),
            actor_id: inviter.as_ref().map(|a| a.id),
            actor_name: inviter
                .as_ref()
                .map(|a| a.profile.name.clone())
                .unwrap_or_else(|| "Command line (operator)".into()),
            action: "enrolment.import".into(),
            subject: format!("programme:{}", p.slug),
            before_json: None,
            after_json: Some(serde_json::json!({
                "rows": report.rows,
                "invited": report.created,
                "invitations_sent": options.invite,
                "updated": report.updated,
                "enrolled": report.enrolled,
            })),
            created_at: now,
        })
        .await?;
        tx.commit().await?;
        // Issue 20: a bulk import changes row counts enough to mislead the
        // planner until its statistics are refreshed.
        if report.rows >= crate::statistics::AFTER_IMPORT_ROWS {
            if let Err(e) = self.store.compact_fulltext().await {
                let e = AppError::from(e);
                tracing::warn!(error = %crate::error::error_chain(&e), "merging the full-text index failed");
            }
            self.refresh_statistics().await;
        }
        Ok(report)
    }

    /// Applies (or, in a dry run, counts) one checked row: its profile
    /// (with its manager settled) and its enrolments. New people must be in
    /// `ids` already, unless this is a dry run.
    #[allow(clippy::too_many_arguments)]
    async fn apply_row(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        questions: &[Question],
        row: &Row,
        ids: &HashMap<String, PersonId>,
        dry_run: bool,
        now: i64,
        report: &mut ImportReport,
    ) -> AppResult<()> {
        let mut profile = row.profile.clone();
        profile.manager_id = match &row.manager {
            ManagerChoice::Keep => row.existing.as_ref().and_then(|e| e.profile.manager_id),
            ManagerChoice::Existing(id) => Some(*id),
            ManagerChoice::InFile(email) => ids.get(email).copied(),
        };
        match &row.existing {
            None => {
                report.created += 1;
                if !dry_run && profile.manager_id.is_some() {
                    let id = ids[row.email.as_str()];
                    tx.update_profile(id, row.email.as_str(), &profile, now)
                        .await?;
                }
            }
            Some(old) => {
                // In a dry run a manager invited by this file has no id
                // yet, but a new manager is always a change.
                let new_manager =
                    matches!(&row.manager, ManagerChoice::InFile(e) if !ids.contains_key(e));
                if profile != old.profile || new_manager {
                    report.updated += 1;
                    if !dry_run {
                        tx.update_profile(old.id, &old.email, &profile, now).await?;
                    }
                }
            }
        }
        let person = ids.get(row.email.as_str()).copied();
        // One count per enrolment: a row with role `both` makes two.
        for role in &row.roles {
            if self
                .enrol_row(tx, p, questions, person, *role, row, dry_run, now)
                .await?
            {
                report.enrolled += 1;
            }
        }
        Ok(())
    }

    /// Writes one checked row of someone this import created: their
    /// manager, when the file names one, and their approved enrolments
    /// (with capacity and answers), which go to `fresh` for the batch to
    /// insert together. What [`App::apply_row`] does for such a row, in
    /// fewer statements.
    #[allow(clippy::too_many_arguments)]
    async fn apply_new_row(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        row: &Row,
        ids: &HashMap<String, PersonId>,
        now: i64,
        report: &mut ImportReport,
        fresh: &mut Vec<EnrolmentRecord>,
    ) -> AppResult<()> {
        let person = *ids
            .get(row.email.as_str())
            .ok_or_else(|| AppError::internal_msg("imported row lost its person"))?;
        report.created += 1;
        let manager = match &row.manager {
            ManagerChoice::Keep => None,
            ManagerChoice::Existing(id) => Some(*id),
            ManagerChoice::InFile(email) => ids.get(email).copied(),
        };
        if let Some(m) = manager {
            let mut profile = row.profile.clone();
            profile.manager_id = Some(m);
            tx.update_profile(person, row.email.as_str(), &profile, now)
                .await?;
        }
        let answers: BTreeMap<String, Vec<String>> = p
            .questions
            .iter()
            .filter_map(|q| row.answers.get(&q.id).map(|a| (q.id.clone(), a.clone())))
            .collect();
        for role in &row.roles {
            // The capacity counts only for roles that take people
            // (`approved_enrolment` settles it).
            let mut e = approved_enrolment(p, person, *role, row.capacity, now);
            e.answers = answers.clone();
            fresh.push(e);
            report.enrolled += 1;
        }
        Ok(())
    }

    /// Enrols (or counts, in a dry run) one row in one role: approved, with
    /// its capacity and answers. Returns whether anything changes.
    #[allow(clippy::too_many_arguments)]
    async fn enrol_row(
        &self,
        tx: &mut Tx,
        p: &ProgrammeRecord,
        questions: &[Question],
        person: Option<PersonId>,
        role: ProgrammeRole,
        row: &Row,
        dry_run: bool,
        now: i64,
    ) -> AppResult<bool> {
        let takes = matches!(role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator);
        let capacity = row.capacity.filter(|_| takes);
        // Someone new to the site (created by this import) has no
        // enrolment to look up: one statement fewer a row (issue 20: a
        // 100,000-row import on PostgreSQL pays for every round trip).
        let old = match (person, &row.existing) {
            (Some(id), Some(_)) => tx.enrolment(p.id, id, role).await?,
            _ => None,
        };
        let mut answers: BTreeMap<String, Vec<String>> =
            old.as_ref().map(|e| e.answers.clone()).unwrap_or_default();
        let before = answers.clone();
        for q in questions {
            if let Some(a) = row.answers.get(&q.id) {
                answers.insert(q.id.clone(), a.clone());
            }
        }
        let approve = match &old {
            None => true,
            Some(e) => {
                e.status != EnrolmentStatus::Approved || capacity.is_some_and(|c| c != e.capacity)
            }
        };
        let new_answers = answers != before;
        if dry_run || !(approve || new_answers) {
            return Ok(approve || new_answers);
        }
        let person =
            person.ok_or_else(|| AppError::internal_msg("imported row lost its person"))?;
        if approve {
            approve_enrolment(tx, p, old, person, role, capacity, now).await?;
        }
        if new_answers {
            let mut e = tx
                .enrolment(p.id, person, role)
                .await?
                .ok_or_else(|| AppError::internal_msg("enrolment vanished during import"))?;
            e.answers = answers;
            crate::enrolment::save_enrolment(tx, &e, now).await?;
        }
        Ok(true)
    }

    /// The programme's approved participants as CSV, with the columns the
    /// import reads (see the module documentation), one row per person.
    /// Managers of the programme and admins only.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn export_people(&self, actor: &Actor, slug: &str) -> AppResult<String> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let questions: Vec<Question> = p.questions.clone();
        let mut people: HashMap<PersonId, Vec<rapport_store::EnrolmentRecord>> = HashMap::new();
        for v in tx.enrolments_in(p.id).await? {
            if v.enrolment.status == EnrolmentStatus::Approved {
                people
                    .entry(v.enrolment.person_id)
                    .or_default()
                    .push(v.enrolment);
            }
        }
        let mut records = vec![];
        let mut emails: HashMap<PersonId, Option<String>> = HashMap::new();
        for (id, enrolments) in people {
            let Some(person) = tx.person(id).await? else {
                continue;
            };
            let manager = match person.profile.manager_id {
                None => None,
                Some(m) => match emails.get(&m) {
                    Some(e) => e.clone(),
                    None => {
                        let e = tx.person(m).await?.map(|r| r.email.to_string());
                        emails.insert(m, e.clone());
                        e
                    }
                },
            };
            records.push((person, manager, enrolments));
        }
        records.sort_by(|a, b| {
            (a.0.profile.name.to_lowercase(), &a.0.email)
                .cmp(&(b.0.profile.name.to_lowercase(), &b.0.email))
        });
        let headers = question_headers(&questions);
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(vec![]);
        let csv_err = |e: csv::Error| AppError::internal("cannot write CSV", e);
        let mut header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        header.extend(headers);
        w.write_record(&header).map_err(csv_err)?;
        for (person, manager, enrolments) in records {
            let pr = &person.profile;
            let roles: Vec<ProgrammeRole> = enrolments.iter().map(|e| e.role).collect();
            let capacity = enrolments
                .iter()
                .filter(|e| matches!(e.role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator))
                .map(|e| e.capacity)
                .max()
                .map(|c| c.to_string())
                .unwrap_or_default();
            let mut answers: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for e in &enrolments {
                for (k, v) in e.answers.clone() {
                    if !v.is_empty() {
                        answers.entry(k).or_insert(v);
                    }
                }
            }
            let mut cells = vec![
                person.email.to_string(),
                pr.name.clone(),
                role_cell(p.kind, &roles),
                pr.level.code().to_string(),
                pr.years_experience.to_string(),
                pr.skills_offered.join("; "),
                pr.skills_wanted.join("; "),
                pr.languages.join("; "),
                pr.time_zone.to_string(),
                pr.department.clone(),
                manager.unwrap_or_default(),
                capacity,
            ];
            for q in &questions {
                cells.push(
                    answers
                        .get(&q.id)
                        .map(|a| answer_cell(q, a))
                        .unwrap_or_default(),
                );
            }
            let cells: Vec<String> = cells.iter().map(|c| safe_cell(c)).collect();
            w.write_record(&cells).map_err(csv_err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| AppError::internal("cannot write CSV", e))?;
        String::from_utf8(bytes).map_err(|e| AppError::internal("the CSV is not UTF-8", e))
    }
}

/// The header of each question's column: its prompt, or its id when the
/// prompt would be ambiguous (the same as another column once normalised).
fn question_headers(questions: &[Question]) -> Vec<String> {
    questions
        .iter()
        .map(|q| {
            let n = norm(&q.prompt);
            let clash = fixed_column(&q.prompt).is_some()
                || questions
                    .iter()
                    .any(|o| o.id != q.id && (norm(&o.prompt) == n || norm(&o.id) == n));
            if clash || n.is_empty() {
                q.id.clone()
            } else {
                q.prompt.clone()
            }
        })
        .collect()
}

/// Reads and checks the whole file, recording every error in `report`.
///
/// The checks come in three stages, so that a later change can stream a
/// large file in batches: the header is parsed once ([`HeaderMap`]), each
/// data row is checked on its own ([`check_row`]), and what needs the whole
/// file (an email given twice, managers named by another row, loops in
/// reporting lines) is gathered row by row in [`CrossRowChecks`] and settled
/// by [`CrossRowChecks::finish`].
async fn check_file(
    tx: &mut Tx,
    p: &ProgrammeRecord,
    data: &[u8],
    report: &mut ImportReport,
    progress: &(dyn Fn(ImportStage, usize, usize) + Send + Sync),
) -> AppResult<Vec<Row>> {
    let questions: Vec<Question> = p.questions.clone();
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    // Read every record first, so progress knows the total.
    let (records, bad_bytes) = read_records(data, &mut report.errors);
    let Some((_, header)) = records.first() else {
        report.errors.push(problem(
            1,
            "email",
            "the file is empty; its first line must name the columns, starting with email, name, role",
        ));
        return Ok(vec![]);
    };
    let header = HeaderMap::parse(header, &questions, &mut report.errors);
    for &(line, i) in &bad_bytes {
        report.errors.push(header.not_utf8(line, i));
    }
    if !report.errors.is_empty() {
        report.rows = records.len() - 1;
        return Ok(vec![]);
    }
    let data_rows = &records[1..];
    report.rows = data_rows.len();

    let mut cross = CrossRowChecks::default();
    let mut n = 0;
    for chunk in data_rows.chunks(BATCH) {
        // The chunk's accounts in a few statements, not one a row.
        let emails: Vec<Email> = chunk
            .iter()
            .filter_map(|(_, cells)| header.email_of(cells))
            .collect();
        let emails: Vec<&str> = emails.iter().map(Email::as_str).collect();
        let known: HashMap<String, PersonRecord> = tx
            .people_by_emails(&emails)
            .await?
            .into_iter()
            .map(|p| (p.email.to_string(), p))
            .collect();
        for (line, cells) in chunk {
            progress(ImportStage::Checking, n, data_rows.len());
            n += 1;
            let checked = check_row(p.kind, &header, &cross, &known, *line, cells);
            cross.add(checked, &mut report.errors);
        }
    }
    progress(ImportStage::Checking, data_rows.len(), data_rows.len());
    cross.finish(tx, &mut report.errors).await
}

/// Runs `write` in `tx` with the connection's page cache raised for a bulk
/// write ([`Tx::bulk_cache`]), and restores it whatever happened, so the
/// pool never keeps the larger cache.
async fn in_bulk(tx: &mut Tx, write: impl AsyncFnOnce(&mut Tx) -> AppResult<()>) -> AppResult<()> {
    tx.bulk_cache(true).await?;
    let written = write(tx).await;
    tx.bulk_cache(false).await?;
    written
}

/// The account of a new person who is not invited (no link, no email):
/// `--no-invite`. The import's own audit event records it.
fn uninvited_person(email: &Email, profile: Profile, now: i64) -> NewPerson {
    NewPerson {
        id: PersonId::new(),
        email: email.as_str().into(),
        status: AccountStatus::Invited,
        is_admin: false,
        password_hash: None,
        email_verified_at: None,
        profile,
        now,
    }
}

/// One problem on `line`, in `field` (a column, or `row` for the whole row).
fn problem(line: usize, field: &str, message: impl Into<String>) -> RowError {
    RowError {
        line,
        field: field.to_string(),
        message: message.into(),
    }
}

/// A record of the file: its line as a spreadsheet shows it, and its cells.
type Record = (usize, Vec<String>);

/// Reads every record of the file, skipping blank lines after the header,
/// with the (line, column) of every cell that is not UTF-8 (read lossily,
/// so the header can still name its column). A record that is not readable
/// CSV is an error, and reading stops there.
fn read_records(data: &[u8], errors: &mut Vec<RowError>) -> (Vec<Record>, Vec<(usize, usize)>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut lines = Lines {
        data,
        at: 0,
        line: 1,
    };
    let mut records: Vec<Record> = vec![];
    let mut bad_bytes = vec![];
    for rec in reader.byte_records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| lines.at(p.byte())).unwrap_or(1);
                errors.push(problem(
                    line,
                    "row",
                    format!("this is not readable CSV: {e}"),
                ));
                break;
            }
        };
        let line = rec.position().map(|p| lines.at(p.byte())).unwrap_or(1);
        let mut cells = vec![];
        for (i, cell) in rec.iter().enumerate() {
            match std::str::from_utf8(cell) {
                Ok(s) => cells.push(s.to_string()),
                Err(_) => {
                    bad_bytes.push((line, i));
                    cells.push(String::from_utf8_lossy(cell).into_owned());
                }
            }
        }
        if line > 1 && cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        records.push((line, cells));
    }
    (records, bad_bytes)
}

/// The file's header, parsed once: what each column holds.
struct HeaderMap<'q> {
    /// The header's cells, trimmed: how errors name a column.
    names: Vec<String>,
    /// What each column holds; `None` for a column the header check refused.
    columns: Vec<Option<Column>>,
    /// The programme's questions, which [`Column::Question`] indexes.
    questions: &'q [Question],
}

impl<'q> HeaderMap<'q> {
    /// A data row's email, when its cell holds one: what [`check_row`]
    /// reads, for looking the rows' accounts up before they are checked.
    fn email_of(&self, cells: &[String]) -> Option<Email> {
        let i = self
            .columns
            .iter()
            .position(|c| matches!(c, Some(Column::Fixed("email"))))?;
        Email::parse("email", read_cell(cells.get(i).map(String::as_str)?)).ok()
    }

    /// Parses the header: known columns, each once, with the required ones
    /// present. Every problem goes to `errors` (on line 1).
    fn parse(header: &[String], questions: &'q [Question], errors: &mut Vec<RowError>) -> Self {
        let mut columns: Vec<Option<Column>> = vec![];
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, h) in header.iter().enumerate() {
            let name = h.trim().trim_start_matches('\u{feff}');
            let col = fixed_column(name).map(Column::Fixed).or_else(|| {
                questions
                    .iter()
                    .position(|q| norm(&q.id) == norm(name) || norm(&q.prompt) == norm(name))
                    .map(Column::Question)
            });
            match &col {
                None if name.is_empty() => errors.push(problem(
                    1,
                    &format!("column {}", i + 1),
                    "this column has no name; name it or delete it",
                )),
                None => {
                    let mut known: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
                    known.extend(questions.iter().map(|q| q.id.clone()));
                    errors.push(problem(
                        1,
                        name,
                        format!(
                            "unknown column; the columns are {}{}",
                            known.join(", "),
                            if questions.is_empty() {
                                ""
                            } else {
                                " (a question's prompt works too)"
                            }
                        ),
                    ))
                }
                Some(c) => {
                    let key = format!("{c:?}");
                    if let Some(first) = seen.insert(key, i) {
                        errors.push(problem(
                            1,
                            name,
                            format!(
                                "this column appears twice (also column {}); keep one",
                                first + 1
                            ),
                        ));
                    }
                }
            }
            columns.push(col);
        }
        for req in REQUIRED {
            if !columns.contains(&Some(Column::Fixed(req))) {
                errors.push(problem(
                    1,
                    req,
                    format!("the required column {req} is missing"),
                ));
            }
        }
        Self {
            names: header.iter().map(|h| h.trim().to_string()).collect(),
            columns,
            questions,
        }
    }

    /// The problem with a cell that is not UTF-8, named by its column.
    fn not_utf8(&self, line: usize, column: usize) -> RowError {
        problem(
            line,
            self.names.get(column).map(String::as_str).unwrap_or(""),
            "this cell is not UTF-8 text; save the file as \"CSV UTF-8\"",
        )
    }
}

/// What checking one data row found.
struct CheckedRow {
    line: usize,
    /// The row's email when it parses, even when the row has other errors:
    /// a later row with the same email is a duplicate either way.
    email: Option<String>,
    /// The row ready to import, with its manager cell (settled across rows
    /// by [`CrossRowChecks::finish`]); `None` when the row has errors.
    row: Option<(Row, Option<String>)>,
    /// The row's problems, in the order they were found.
    errors: Vec<RowError>,
}

/// Checks one data row on its own: its cells against the header, then its
/// email, role, profile, capacity and manager cell. `earlier` holds what the
/// rows before it claimed, for the one row check that needs them: an email
/// given twice. `known` holds the accounts of the rows' emails, looked up
/// together ([`HeaderMap::email_of`]).
fn check_row(
    kind: ProgrammeKind,
    header: &HeaderMap<'_>,
    earlier: &CrossRowChecks,
    known: &HashMap<String, PersonRecord>,
    line: usize,
    cells: &[String],
) -> CheckedRow {
    let mut errors = vec![];
    let columns = &header.columns;
    if cells.len() > columns.len() && cells[columns.len()..].iter().any(|c| !c.trim().is_empty()) {
        errors.push(problem(
            line,
            "row",
            format!(
                "this row has {} cells but the header names {} columns",
                cells.len(),
                columns.len()
            ),
        ));
    }
    let mut fixed: HashMap<&'static str, String> = HashMap::new();
    let mut answers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, col) in columns.iter().enumerate() {
        let raw = cells.get(i).map(String::as_str).unwrap_or("");
        let value = read_cell(raw);
        match col {
            Some(Column::Fixed(f)) => {
                fixed.insert(f, value.to_string());
            }
            Some(Column::Question(qi)) if !value.is_empty() => {
                let q = &header.questions[*qi];
                let given: Vec<String> = match q.kind {
                    QuestionKind::Text => vec![value.to_string()],
                    _ => value
                        .split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|g| {
                            q.options
                                .iter()
                                .find(|o| o.eq_ignore_ascii_case(g))
                                .cloned()
                                .unwrap_or_else(|| g.to_string())
                        })
                        .collect(),
                };
                match q.check_answer("answer", &given) {
                    Ok(a) if !a.is_empty() => {
                        answers.insert(q.id.clone(), a);
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(problem(line, &header.names[i], e.message)),
                }
            }
            _ => {}
        }
    }
    let cell = |f: &str| fixed.get(f).map(String::as_str).unwrap_or("");

    let email = match Email::parse("email", cell("email")) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.push(problem(line, "email", e.message));
            None
        }
    };
    if let Some(e) = &email {
        if let Some(other) = earlier.first_line_of(e.as_str()) {
            errors.push(problem(
                line,
                "email",
                format!(
                    "{} is also on line {}; give each person one row (role both, or roles separated by ;)",
                    e.as_str(),
                    other
                ),
            ));
        }
    }
    let existing = email.as_ref().and_then(|e| known.get(e.as_str()).cloned());

    let mut roles: Vec<ProgrammeRole> = vec![];
    if cell("role").is_empty() {
        errors.push(problem(line, "role", role_hint(kind)));
    }
    for choice in cell("role")
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match roles_for(kind, &choice.to_lowercase()) {
            Ok(rs) => {
                for r in rs {
                    if !roles.contains(&r) {
                        roles.push(r);
                    }
                }
            }
            Err(e) => errors.push(problem(line, "role", format!("“{choice}”: {}", e.message))),
        }
    }

    // The profile: the account's own, with the row's non-empty cells over it.
    let mut input = match &existing {
        Some(rec) => ProfileInput::from_profile(&rec.profile, None),
        None => ProfileInput {
            level: "professional_contributor".into(),
            ..Default::default()
        },
    };
    let set = |target: &mut String, value: &str| {
        if !value.is_empty() {
            *target = value.to_string();
        }
    };
    if existing.is_none() && cell("name").is_empty() {
        errors.push(problem(
            line,
            "name",
            "enter a name: this email has no account yet, so it becomes an invitation",
        ));
    }
    set(&mut input.name, cell("name"));
    let level = norm(cell("level"));
    set(&mut input.level, &level);
    set(&mut input.years_experience, cell("years"));
    set(
        &mut input.skills_offered,
        &list_cell(cell("skills_offered")),
    );
    set(&mut input.skills_wanted, &list_cell(cell("skills_wanted")));
    set(&mut input.languages, &list_cell(cell("languages")));
    set(&mut input.time_zone, cell("time_zone"));
    set(&mut input.department, cell("department"));
    let profile = match input.parse(None) {
        Ok(p) => Some(p),
        Err(list) => {
            for e in list {
                // A missing name on a new row is reported above already.
                if e.field == "name" && existing.is_none() && cell("name").is_empty() {
                    continue;
                }
                errors.push(problem(line, column_of(e.field), e.message));
            }
            None
        }
    };

    let takes = roles
        .iter()
        .any(|r| matches!(r, ProgrammeRole::Mentor | ProgrammeRole::Facilitator));
    let capacity = match cell("capacity") {
        "" => None,
        raw if !takes => {
            if !roles.is_empty() {
                errors.push(problem(
                    line,
                    "capacity",
                    format!(
                        "only mentors and facilitators take a capacity; leave it empty (got {raw})"
                    ),
                ));
            }
            None
        }
        raw => match raw.parse::<i32>().ok().filter(|n| (1..=50).contains(n)) {
            Some(n) => Some(n),
            None => {
                errors.push(problem(
                    line,
                    "capacity",
                    format!("“{raw}” is not a capacity: enter how many mentees, from 1 to 50"),
                ));
                None
            }
        },
    };

    let manager_email = match cell("manager_email") {
        "" => None,
        raw => match Email::parse("manager_email", raw) {
            Ok(m) if email.as_ref().is_some_and(|e| e == &m) => {
                errors.push(problem(
                    line,
                    "manager_email",
                    "a person cannot be their own manager",
                ));
                None
            }
            Ok(m) => Some(m.as_str().to_string()),
            Err(e) => {
                errors.push(problem(line, "manager_email", e.message));
                None
            }
        },
    };

    let key = email.as_ref().map(|e| e.as_str().to_string());
    let row = match (email, profile) {
        (Some(email), Some(profile)) if errors.is_empty() => Some((
            Row {
                line,
                email,
                existing,
                profile,
                manager: ManagerChoice::Keep,
                roles,
                capacity,
                answers,
            },
            manager_email,
        )),
        _ => None,
    };
    CheckedRow {
        line,
        email: key,
        row,
        errors,
    }
}

/// The checks that need the whole file, gathered row by row: an email given
/// twice, managers named by another row of the file or by an existing
/// account, and reporting lines that must not loop once the file is applied.
/// Feed it every [`CheckedRow`] in file order, then call
/// [`finish`](Self::finish).
#[derive(Default)]
struct CrossRowChecks {
    /// Rows without errors, in file order.
    rows: Vec<Row>,
    /// Each of `rows`' manager email, when its cell is filled.
    manager_cells: Vec<Option<String>>,
    /// Rows without errors by email (index into `rows`).
    by_email: HashMap<String, usize>,
    /// The first line of every email seen, with errors or not.
    first_line: HashMap<String, usize>,
}

impl CrossRowChecks {
    /// The line an earlier row gave this email on, if any.
    fn first_line_of(&self, email: &str) -> Option<usize> {
        self.first_line.get(email).copied()
    }

    /// Takes one checked row: its errors go to `errors`, and a row without
    /// errors is kept for import.
    fn add(&mut self, checked: CheckedRow, errors: &mut Vec<RowError>) {
        errors.extend(checked.errors);
        if let Some(e) = checked.email {
            self.first_line.entry(e).or_insert(checked.line);
        }
        if let Some((row, manager)) = checked.row {
            self.by_email
                .entry(row.email.as_str().to_string())
                .or_insert(self.rows.len());
            self.manager_cells.push(manager);
            self.rows.push(row);
        }
    }

    /// Settles each row's manager and checks reporting lines for loops,
    /// with their problems going to `errors`; the rows to import.
    async fn finish(self, tx: &mut Tx, errors: &mut Vec<RowError>) -> AppResult<Vec<Row>> {
        let Self {
            mut rows,
            manager_cells,
            by_email,
            first_line,
        } = self;
        // Managers: another row of the file, or an existing account.
        for (i, m) in manager_cells.iter().enumerate() {
            let Some(m) = m else { continue };
            let line = rows[i].line;
            rows[i].manager = match by_email.get(m) {
                Some(&j) => match &rows[j].existing {
                    Some(rec) => ManagerChoice::Existing(rec.id),
                    None => ManagerChoice::InFile(m.clone()),
                },
                // That row has errors of its own, reported on its line.
                None if first_line.contains_key(m) => ManagerChoice::Keep,
                None => match tx.person_by_email(m).await? {
                    Some(rec) => ManagerChoice::Existing(rec.id),
                    None => {
                        errors.push(problem(
                            line,
                            "manager_email",
                            format!("nobody uses {m} here and it is not in this file; add a row for them or check the address"),
                        ));
                        ManagerChoice::Keep
                    }
                },
            };
        }
        // Reporting lines must not loop once the file is applied.
        let mut boss_of: HashMap<String, Option<String>> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            let boss = match &manager_cells[i] {
                Some(m) => Some(m.clone()),
                None => match row.existing.as_ref().and_then(|e| e.profile.manager_id) {
                    Some(id) => tx.person(id).await?.map(|r| r.email.to_string()),
                    None => None,
                },
            };
            boss_of.insert(row.email.as_str().to_string(), boss);
        }
        for (i, row) in rows.iter().enumerate() {
            if manager_cells[i].is_none() {
                continue;
            }
            let me = row.email.as_str().to_string();
            let mut chain = vec![me.clone()];
            let mut current = me.clone();
            for _ in 0..(rows.len() + 64) {
                let next = match boss_of.get(&current) {
                    Some(b) => b.clone(),
                    None => {
                        let b = match tx.person_by_email(&current).await? {
                            Some(rec) => match rec.profile.manager_id {
                                Some(id) => tx.person(id).await?.map(|r| r.email.to_string()),
                                None => None,
                            },
                            None => None,
                        };
                        boss_of.insert(current.clone(), b.clone());
                        b
                    }
                };
                let Some(next) = next else { break };
                chain.push(next.clone());
                if next == me {
                    errors.push(problem(
                        row.line,
                        "manager_email",
                        format!(
                            "this makes a loop in reporting lines: {}",
                            chain.join(" → ")
                        ),
                    ));
                    break;
                }
                current = next;
            }
        }
        Ok(rows)
    }
}

/// Line numbers as a spreadsheet shows them, from records' byte offsets
/// (counted here because the csv crate's own line count lags by one after a
/// CRLF line end). Offsets must come in increasing order.
struct Lines<'a> {
    data: &'a [u8],
    at: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, byte: u64) -> usize {
        let len = self.data.len();
        let mut b = usize::try_from(byte).unwrap_or(len).min(len);
        // A record's offset may point at the end of the line before it.
        while b < len && matches!(self.data[b], b'\r' | b'\n') {
            b += 1;
        }
        if b >= self.at {
            self.line += self.data[self.at..b]
                .iter()
                .filter(|&&c| c == b'\n')
                .count();
            self.at = b;
        }
        self.line
    }
}

fn role_hint(kind: ProgrammeKind) -> String {
    format!("enter the role: {}", kind.enrolment_choice_list())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_count_crlf_and_blank_lines() {
        let data = b"a,b\r\n1,2\r\n\r\n\"x\ny\",3\r\n4,5";
        let mut lines = Lines {
            data,
            at: 0,
            line: 1,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&data[..]);
        let got: Vec<usize> = reader
            .byte_records()
            .map(|r| lines.at(r.unwrap().position().unwrap().byte()))
            .collect();
        assert_eq!(got, [1, 2, 4, 6]);
    }

    #[test]
    fn headers_compare_loosely() {
        assert_eq!(fixed_column("Skills Offered"), Some("skills_offered"));
        assert_eq!(fixed_column("\u{feff}EMAIL"), Some("email"));
        assert_eq!(fixed_column("time-zone"), Some("time_zone"));
        assert_eq!(fixed_column("Manager"), Some("manager_email"));
        assert_eq!(fixed_column("favourite colour"), None);
    }

    #[test]
    fn formula_guard_round_trips() {
        assert_eq!(safe_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(read_cell(&safe_cell("=SUM(A1)")), "=SUM(A1)");
        assert_eq!(read_cell("'quoted"), "'quoted");
        assert_eq!(safe_cell("Ana"), "Ana");
    }

    #[test]
    fn roles_are_written_as_the_import_reads_them() {
        use ProgrammeRole::*;
        assert_eq!(
            role_cell(ProgrammeKind::OneToOne, &[Mentor, Mentee]),
            "both"
        );
        assert_eq!(
            role_cell(ProgrammeKind::Circle, &[Facilitator, Peer]),
            "peer;facilitator"
        );
        assert_eq!(role_cell(ProgrammeKind::Group, &[Mentee]), "mentee");
    }

    #[test]
    fn ambiguous_prompts_fall_back_to_ids() {
        let qs = Question::parse_lines(
            "questions",
            "single: Format? | A | B\ntext: Email\ntext: format?",
        )
        .unwrap();
        assert_eq!(question_headers(&qs), ["q1", "q2", "q3"]);
        let qs = Question::parse_lines("questions", "single: Format? | A | B").unwrap();
        assert_eq!(question_headers(&qs), ["Format?"]);
    }
}
