//! A person's requests, one page at a time (issue 20: a bounded number of
//! queries whatever the page holds), and what the one answering a request
//! sees of the person who sent it (issue 18 §6).

use crate::lists::{ListQuery, Page};
use crate::requests::RequestView;
use crate::viewer::{ApiRead, ApiReader};
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::RequestDirection;
use rapport_domain::policy::Actor;
use rapport_domain::{PersonId, RequestId};
use rapport_store::{PersonRecord, RequestListRow, RequestRecord, Tx};
use std::collections::HashMap;

/// What the one answering a request sees of its sender, so a mentor can
/// decide without leaving the page. Sending a request shares these with
/// the person asked, whatever the sender's directory visibility.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SenderCard {
    /// The sender's id (their profile is `/people/{id}`).
    pub id: PersonId,
    /// Their name.
    pub name: String,
    /// Leadership level, as people read it.
    pub level: String,
    /// The level's code.
    pub level_code: String,
    /// Skills they want to grow.
    pub skills_wanted: Vec<String>,
    /// Skills they offer (what a mentor brings to an offer).
    pub skills_offered: Vec<String>,
    /// Goal tags.
    pub goal_tags: Vec<String>,
    /// Goals in their own words.
    pub goals: String,
    /// Their time zone.
    pub time_zone: String,
    /// The time where they are now, zone named.
    pub local_now: String,
}

impl SenderCard {
    fn of(p: &PersonRecord, now: i64) -> Self {
        let pr = &p.profile;
        Self {
            id: p.id,
            name: pr.name.clone(),
            level: pr.level.label().to_string(),
            level_code: pr.level.code().to_string(),
            skills_wanted: pr.skills_wanted.clone(),
            skills_offered: pr.skills_offered.clone(),
            goal_tags: pr.goal_tags.clone(),
            goals: pr.goals.clone(),
            time_zone: pr.time_zone.as_str().to_string(),
            local_now: pr.time_zone.local(now),
        }
    }
}

/// The sender of a request: the mentee of a request, the mentor of an offer.
fn sender(r: &RequestRecord) -> PersonId {
    match r.direction {
        RequestDirection::Request => r.mentee_id,
        RequestDirection::Offer => r.mentor_id,
    }
}

fn is_recipient(r: &RequestRecord, actor: &Actor) -> bool {
    sender(r) != actor.person_id
        && (r.mentee_id == actor.person_id || r.mentor_id == actor.person_id)
}

fn view(row: RequestListRow, actor: &Actor, cards: &HashMap<PersonId, SenderCard>) -> RequestView {
    let incoming = is_recipient(&row.request, actor);
    RequestView {
        incoming,
        sender: if incoming {
            cards.get(&sender(&row.request)).cloned()
        } else {
            None
        },
        mentee_name: row.mentee_name,
        mentor_name: row.mentor_name,
        programme: row.programme,
        programme_slug: row.programme_slug,
        request: row.request,
    }
}

impl App {
    /// One page of the requests the actor sent or received, newest first,
    /// with names, programmes and, on the ones they answer, the sender's
    /// card: two queries whatever the page size.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn my_requests_page(
        &self,
        actor: &Actor,
        query: &ListQuery,
    ) -> AppResult<Page<RequestView>> {
        let mut tx = self.store.read().await?;
        self.my_requests_page_in(&mut tx, actor, query).await
    }

    /// [`App::my_requests_page`] for an API call, its credential checked
    /// in the list's own read transaction ([`App::api_read`]).
    #[tracing::instrument(skip_all)]
    pub async fn my_requests_page_for(
        &self,
        who: ApiReader<'_>,
        query: &ListQuery,
    ) -> AppResult<Page<RequestView>> {
        let ApiRead { mut tx, actor, .. } = self.api_read(who, false).await?;
        self.my_requests_page_in(&mut tx, &actor, query).await
    }

    /// [`App::my_requests_page`] in the caller's transaction.
    pub(crate) async fn my_requests_page_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        query: &ListQuery,
    ) -> AppResult<Page<RequestView>> {
        let (start, limit) = query.window()?;
        let page = tx.requests_page_of(actor.person_id, start, limit).await?;
        let mut senders: Vec<PersonId> = page
            .items
            .iter()
            .filter(|v| is_recipient(&v.request, actor))
            .map(|v| sender(&v.request))
            .collect();
        senders.sort_by_key(|p| p.0);
        senders.dedup();
        let now = self.now();
        let cards: HashMap<PersonId, SenderCard> = if senders.is_empty() {
            HashMap::new()
        } else {
            tx.people_by_ids(&senders)
                .await?
                .into_iter()
                .map(|(id, p)| (id, SenderCard::of(&p, now)))
                .collect()
        };
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|row| view(row, actor, &cards))
                .collect(),
            next: page.next,
            prev: page.prev,
        })
    }

    /// The actor's open requests (pending, or with a question waiting),
    /// newest first, with names and programmes, without the senders' cards:
    /// what the inbox reads, in one statement.
    pub(crate) async fn open_requests_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
    ) -> AppResult<Vec<RequestView>> {
        let rows = tx.open_requests_of(actor.person_id).await?;
        let none = HashMap::new();
        Ok(rows
            .into_iter()
            .map(|row| view(row, actor, &none))
            .collect())
    }

    /// One request as its sender or recipient sees it; the recipient also
    /// gets the sender's card. Anyone else: not found (a request's
    /// existence is the two people's own business).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, request = %id))]
    pub async fn request_detail(&self, actor: &Actor, id: RequestId) -> AppResult<RequestView> {
        let mut tx = self.store.read().await?;
        let not_found =
            || AppError::NotFound("no request has this id; check the id in the path".into());
        let r = tx.request(id).await?.ok_or_else(not_found)?;
        if r.mentee_id != actor.person_id && r.mentor_id != actor.person_id {
            return Err(not_found());
        }
        let people = tx.people_by_ids(&[r.mentee_id, r.mentor_id]).await?;
        let name = |p: PersonId| {
            people
                .get(&p)
                .map(|p| p.profile.name.clone())
                .unwrap_or_default()
        };
        let (programme, programme_slug) = tx
            .programme(r.programme_id)
            .await?
            .map(|p| (p.name, p.slug.to_string()))
            .unwrap_or_default();
        let now = self.now();
        let cards: HashMap<PersonId, SenderCard> = people
            .values()
            .map(|p| (p.id, SenderCard::of(p, now)))
            .collect();
        let row = RequestListRow {
            mentee_name: name(r.mentee_id),
            mentor_name: name(r.mentor_id),
            programme,
            programme_slug,
            request: r,
        };
        Ok(view(row, actor, &cards))
    }
}
