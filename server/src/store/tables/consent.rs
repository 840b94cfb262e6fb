//! Consents: the `grants` and `impersonations` tables, and the user row's `consent_version`,
//! whose bump is the lock every change to one user's consent takes first.

use super::people;
use crate::db::entities::{grant, impersonation, tenant, user};
use crate::db::to_db_time;
use crate::store::error::{Context, Result, StoreError};
use crate::store::rows::{account_of, duration_ms, grant_of, impersonation_of};
use app::backend::{BackendError, ConsentRecord};
use crate::store::sql_once::{SqlOnce, SqlPerCount};
use app::domain::{Consent, Event, GrantId, Impersonation, Page, Role, Search, Timestamp, UserId};
use sea_orm::sea_query::{Alias, Expr, Func, LikeExpr, Query, SelectStatement, UnionType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, FromQueryResult, IdenStatic,
    Iterable, JoinType, Order, QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait, Set, Value,
};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Takes the lock on one user's consent for the rest of the transaction. This must be the
/// transaction's first statement: it writes, so the lock is held before anything is read (see
/// `store/unit.rs`). `NotFound` when there is no such user.
pub async fn lock(txn: &DatabaseTransaction, subject: UserId) -> Result<()> {
    let locked = user::Entity::update_many()
        .col_expr(user::Column::ConsentVersion, Expr::col(user::Column::ConsentVersion).add(1))
        .filter(user::Column::Id.eq(subject.uuid()))
        .exec(txn)
        .await
        .context("locking a consent")?;
    if locked.rows_affected == 0 {
        return Err(BackendError::NotFound.into());
    }
    Ok(())
}

/// One user's consent as stored, with the names shown next to it; `NotFound` without the user.
pub async fn load(conn: &impl ConnectionTrait, subject: UserId) -> Result<ConsentRecord> {
    let (user, tenant_name) = people::with_tenant_name(conn, subject).await?.ok_or(StoreError::Answer(BackendError::NotFound))?;
    let grant = current_grant(conn, subject).await?;
    let current = match &grant {
        Some(grant) => under_grant(conn, grant.id).await?,
        None => Vec::new(),
    };
    let (impersonations, names) = Named::split(current);
    assemble(user, grant.as_ref(), &impersonations, &names, tenant_name)
}

/// The grant a user's consent stands on: the latest, ended or not (the rules tell "over" from
/// "disallowed" by it). Any earlier grant is over: a unique index allows one grant not recorded
/// as ended, and allowing settles the last. So: the one not recorded as ended, else the latest
/// given.
fn latest(grants: &[grant::Model]) -> Option<&grant::Model> {
    grants.iter().max_by_key(|g| (g.ended_at.is_none(), g.allowed_at))
}

/// The grant a user's consent stands on ([`latest`]), read as at most two rows, each found
/// through an index: the one not recorded as ended, and the latest given. Never the user's other
/// grants, which every allow adds to: a consent's every change reads this.
async fn current_grant(conn: &impl ConnectionTrait, subject: UserId) -> Result<Option<grant::Model>> {
    let statement = current_grant_statement(conn.get_database_backend(), subject);
    let grants = grant::Entity::find().from_raw_sql(statement).all(conn).await.context("reading a user's grant")?;
    Ok(latest(&grants).cloned())
}

fn current_grant_statement(backend: DbBackend, subject: UserId) -> sea_orm::Statement {
    static SQL: SqlOnce = SqlOnce::new();
    // The ids and the limit written here stand in for the values `SqlOnce` binds, in this order.
    // Two selects, one after the other (UNION ALL): an `id IN (…) OR id IN (…)` filter built a
    // temporary table for each list on every run, which cost the profile page 9 % of its
    // instructions on SQLite (make bench).
    let query = || {
        let of_user = || grant::Entity::find().filter(grant::Column::UserId.eq(Uuid::nil()));
        let newest = of_user().order_by_desc(grant::Column::AllowedAt).limit(1).into_query();
        let mut open = of_user().filter(grant::Column::EndedAt.is_null()).into_query();
        open.union(UnionType::All, Query::select().columns(grant::Column::iter()).from_subquery(newest, Alias::new("newest")).to_owned());
        open
    };
    SQL.statement(backend, query, [subject.uuid().into(), subject.uuid().into(), 1_u64.into()])
}

/// The columns of a grant that the switcher searches and orders by: its user's details as they
/// were when the grant was given (or the email last changed). Kept on the grant so that a search
/// touches only the open grants, never every user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwitcherKeys {
    /// Lower case: name, email and tenant, searched for every word of a search.
    pub search: String,
    pub tenant: String,
    pub name: String,
}

impl SwitcherKeys {
    pub fn of(name: &str, email: &str, tenant: Option<&str>) -> SwitcherKeys {
        let tenant = tenant.unwrap_or_default();
        SwitcherKeys { search: format!("{name} {email} {tenant}").to_lowercase(), tenant: tenant.to_owned(), name: name.to_owned() }
    }
}

const SEARCH: &str = "subject_search";
const TENANT: &str = "subject_tenant";
const NAME: &str = "subject_name";

/// Writes the switcher's keys on a grant (when it is given).
pub async fn key_grant(conn: &impl ConnectionTrait, grant: GrantId, keys: &SwitcherKeys) -> Result<()> {
    set_keys(conn, grant::Entity::update_many().filter(grant::Column::Id.eq(grant.uuid())), keys).await
}

/// Writes the switcher's keys on the user's open grant, if any (their email changed).
pub async fn rekey_open_grant(conn: &impl ConnectionTrait, subject: UserId, keys: &SwitcherKeys) -> Result<()> {
    let open = grant::Entity::update_many().filter(grant::Column::UserId.eq(subject.uuid())).filter(grant::Column::EndedAt.is_null());
    set_keys(conn, open, keys).await
}

async fn set_keys(conn: &impl ConnectionTrait, update: sea_orm::UpdateMany<grant::Entity>, keys: &SwitcherKeys) -> Result<()> {
    update
        .col_expr(Alias::new(SEARCH), Expr::value(keys.search.clone()))
        .col_expr(Alias::new(TENANT), Expr::value(keys.tenant.clone()))
        .col_expr(Alias::new(NAME), Expr::value(keys.name.clone()))
        .exec(conn)
        .await
        .context("keying a grant for the switcher")?;
    Ok(())
}

/// One page of the ordinary users whose grant is open at `now` and who match `search` (every
/// word in the name, email or tenant name), in a stable order (tenant, name, then the grant), and
/// how many match in all. The query reads only the open grants (through a partial index), narrowed
/// by the windows of rules 3 and 4 so that a page never grows with the number of users; the rules
/// decide again on every row it returns. Three statements, whatever the size of the page: the
/// count, the page (each grant with its user and their tenant's name), and the page's
/// impersonations with their super admins' names.
pub async fn open_page(conn: &impl ConnectionTrait, now: Timestamp, search: &Search, page: Page) -> Result<(Vec<ConsentRecord>, u64)> {
    static COUNT: SqlPerCount<4> = SqlPerCount::new();
    static PAGE: SqlPerCount<4> = SqlPerCount::new();
    let backend = conn.get_database_backend();
    let words = search.words();
    let at = to_db_time(now);
    let values = || [at.into(), at.into()].into_iter().chain(words.iter().map(|word| bound_word(backend, word)));
    let count = COUNT.statement(words.len(), backend, || counted(matching(backend, words.len())), values());
    let total = CountRow::find_by_statement(count).one(conn).await.context("counting the switcher's users")?.map_or(0, |row| row.total);
    let page_values = values().chain([Role::User.as_str().into(), Page::SIZE.into(), page.offset().into()]);
    let statement = PAGE.statement(words.len(), backend, || page_of(matching(backend, words.len())), page_values);
    let rows = Candidate::find_by_statement(statement).all(conn).await.context("reading a page of the switcher")?;
    let grants: Vec<Uuid> = rows.iter().map(|row| row.grant.id).collect();
    let (impersonations, names) = impersonations_of(conn, &grants).await?;
    let records = rows
        .into_iter()
        .map(|Candidate { grant, person }| assemble(person.user, Some(&grant), &impersonations, &names, person.tenant_name))
        .collect::<Result<Vec<_>>>()?;
    Ok((records, u64::try_from(total).unwrap_or(0)))
}

/// The grants open at the bound time (twice: rules 3 and 4) whose search key holds each of
/// `words` bound words ([`bound_word`]).
fn matching(backend: DbBackend, words: usize) -> SelectStatement {
    let placeholder = OffsetDateTime::UNIX_EPOCH;
    let open = Condition::all().add(grant::Column::EndedAt.is_null()).add(
        Condition::any()
            .add(Condition::all().add(grant::Column::EndsAt.is_null()).add(grant::Column::StartDeadline.gt(placeholder)))
            .add(grant::Column::EndsAt.gt(placeholder)),
    );
    let mut query = Query::select().from(grant::Entity).cond_where(open).to_owned();
    for _ in 0..words {
        let key = Expr::col((grant::Entity, Alias::new(SEARCH)));
        query.and_where(match backend {
            DbBackend::Postgres => key.like(LikeExpr::new("").escape('\\')),
            DbBackend::Sqlite | DbBackend::MySql => Expr::expr(Func::cust(Alias::new("instr")).arg(key).arg("")).gt(Expr::cust("0")),
        });
    }
    query
}

/// A word of the search as [`matching`] binds it. The key and the words are both lower case.
///
/// On SQLite the key must hold it (`instr`), not be `LIKE '%word%'`: SQLite prepares a statement
/// again on every run in which a LIKE's pattern is a bound value (the value could change the
/// plan), and that cost the switcher a quarter of its instructions. On PostgreSQL `LIKE` it is,
/// the word escaped so that `%` and `_` mean themselves: with a pattern the planner estimates how
/// many rows match (with 10,000 open grants, a search for a rare word took 3.7 ms, not 8.6 with
/// `strpos`, whose estimate is fixed).
fn bound_word(backend: DbBackend, word: &str) -> Value {
    match backend {
        DbBackend::Postgres => format!("%{}%", escape_like(word)).into(),
        DbBackend::Sqlite | DbBackend::MySql => word.into(),
    }
}

/// `LIKE` reads `%`, `_` and the escape character itself as patterns: typed, they mean themselves.
fn escape_like(word: &str) -> String {
    word.chars().fold(String::with_capacity(word.len()), |mut escaped, c| {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
        escaped
    })
}

/// How many grants match. Not joined to their users: with 10,000 open grants among 100,000 users,
/// PostgreSQL read every user for that join (67 ms in `EXPLAIN ANALYZE`, against 3 ms for the
/// grants alone). Only ordinary users can give a grant (rules), so the page's check of the role
/// drops none in practice.
fn counted(mut matching: SelectStatement) -> SelectStatement {
    matching.expr_as(Expr::col((grant::Entity, grant::Column::Id)).count(), Alias::new("total")).to_owned()
}

/// The matching grants of ordinary users (a bound role), in the switcher's order, bound limit
/// then offset: the grant's columns as they are, then its user's with [`PERSON`] before each
/// name, and the tenant's name.
fn page_of(mut matching: SelectStatement) -> SelectStatement {
    matching
        .join(JoinType::InnerJoin, user::Entity, Expr::col((user::Entity, user::Column::Id)).equals((grant::Entity, grant::Column::UserId)))
        .join(JoinType::LeftJoin, tenant::Entity, Expr::col((tenant::Entity, tenant::Column::Id)).equals((user::Entity, user::Column::TenantId)))
        .and_where(Expr::col((user::Entity, user::Column::Role)).eq(""));
    matching.columns(grant::Column::iter().map(|column| (grant::Entity, column)));
    for column in user::Column::iter() {
        matching.expr_as(Expr::col((user::Entity, column)), Alias::new(format!("{PERSON}{}", column.as_str())));
    }
    matching
        .expr_as(Expr::col((tenant::Entity, tenant::Column::Name)), Alias::new(format!("{PERSON}tenant_name")))
        .order_by((grant::Entity, Alias::new(TENANT)), Order::Asc)
        .order_by((grant::Entity, Alias::new(NAME)), Order::Asc)
        .order_by((grant::Entity, grant::Column::Id), Order::Asc)
        .limit(0)
        .offset(0)
        .to_owned()
}

const PERSON: &str = "person_";

/// A row of the switcher's page.
struct Candidate {
    grant: grant::Model,
    person: people::WithTenantName,
}

impl FromQueryResult for Candidate {
    fn from_query_result(row: &QueryResult, prefix: &str) -> std::result::Result<Self, DbErr> {
        let person = people::WithTenantName::from_query_result(row, &format!("{prefix}{PERSON}"))?;
        Ok(Candidate { grant: grant::Model::from_query_result(row, prefix)?, person })
    }
}

#[derive(FromQueryResult)]
struct CountRow {
    total: i64,
}

/// The grants not recorded as ended (some may be over by time: the rules say which).
pub async fn open_grants(conn: &impl ConnectionTrait) -> Result<Vec<grant::Model>> {
    grant::Entity::find().filter(grant::Column::EndedAt.is_null()).all(conn).await.context("reading open grants")
}

/// Every grant ever given, by anyone (the history check's whole-database read).
pub async fn every_grant(conn: &impl ConnectionTrait) -> Result<Vec<grant::Model>> {
    grant::Entity::find().all(conn).await.context("reading every grant")
}

/// Every impersonation ever started.
pub async fn every_impersonation(conn: &impl ConnectionTrait) -> Result<Vec<impersonation::Model>> {
    impersonation::Entity::find().all(conn).await.context("reading every impersonation")
}

/// An impersonation with its super admin's name (empty if their account is gone).
pub struct Named {
    pub row: impersonation::Model,
    pub super_admin_name: Option<String>,
}

impl FromQueryResult for Named {
    fn from_query_result(row: &QueryResult, prefix: &str) -> std::result::Result<Self, DbErr> {
        Ok(Named { row: impersonation::Model::from_query_result(row, prefix)?, super_admin_name: row.try_get(prefix, "super_admin_name")? })
    }
}

impl Named {
    /// The rows, and the names by super admin, as `assemble` takes them.
    fn split(named: Vec<Named>) -> (Vec<impersonation::Model>, HashMap<Uuid, String>) {
        let names = named.iter().filter_map(|n| Some((n.row.super_admin_id, n.super_admin_name.clone()?))).collect();
        (named.into_iter().map(|n| n.row).collect(), names)
    }
}

/// Impersonations joined to their super admins' names.
fn named() -> sea_orm::Select<impersonation::Entity> {
    let by = impersonation::Entity::belongs_to(user::Entity).from(impersonation::Column::SuperAdminId).to(user::Column::Id).into();
    impersonation::Entity::find().join(JoinType::LeftJoin, by).column_as(user::Column::Name, "super_admin_name")
}

/// The impersonations under one grant, oldest first, with their super admins' names: one
/// statement, its SQL built once.
async fn under_grant(conn: &impl ConnectionTrait, grant: Uuid) -> Result<Vec<Named>> {
    static SQL: SqlOnce = SqlOnce::new();
    let query = || named().filter(impersonation::Column::GrantId.eq(Uuid::nil())).order_by_asc(impersonation::Column::StartedAt).into_query();
    let statement = SQL.statement(conn.get_database_backend(), query, [grant.into()]);
    Named::find_by_statement(statement).all(conn).await.context("reading a grant's impersonations")
}

/// A user's impersonations under any of their grants, newest first, at most `limit`, each with
/// its grant and its super admin's name: one statement, its SQL built once.
pub async fn latest_of(conn: &impl ConnectionTrait, subject: UserId, limit: u64) -> Result<Vec<InHistory>> {
    static SQL: SqlOnce = SqlOnce::new();
    // The id and the limit written here stand in for the values `SqlOnce` binds, in this order.
    let query = || {
        let under = impersonation::Entity::belongs_to(grant::Entity).from(impersonation::Column::GrantId).to(grant::Column::Id).into();
        let mut select = named().join(JoinType::InnerJoin, under);
        for column in grant::Column::iter() {
            select = select.column_as(Expr::col((grant::Entity, column)), format!("{GRANT}{}", column.as_str()));
        }
        select.filter(grant::Column::UserId.eq(Uuid::nil())).order_by_desc(impersonation::Column::StartedAt).limit(0).into_query()
    };
    let statement = SQL.statement(conn.get_database_backend(), query, [subject.uuid().into(), limit.into()]);
    InHistory::find_by_statement(statement).all(conn).await.context("reading a user's impersonations")
}

/// Not `grant_`: the grant's `id` would then read as the impersonation's own `grant_id`.
const GRANT: &str = "of_grant_";

/// An impersonation in a user's history, with its grant and its super admin's name.
pub struct InHistory {
    pub named: Named,
    pub grant: grant::Model,
}

impl FromQueryResult for InHistory {
    fn from_query_result(row: &QueryResult, prefix: &str) -> std::result::Result<Self, DbErr> {
        let grant = grant::Model::from_query_result(row, &format!("{prefix}{GRANT}"))?;
        Ok(InHistory { named: Named::from_query_result(row, prefix)?, grant })
    }
}

pub async fn grant(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<grant::Model>> {
    grant::Entity::find_by_id(id).one(conn).await.context("reading a grant")
}

pub async fn impersonation(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<impersonation::Model>> {
    impersonation::Entity::find_by_id(id).one(conn).await.context("reading an impersonation")
}

/// Puts one user's consent record together from rows already loaded.
fn assemble(
    user: user::Model,
    grant: Option<&grant::Model>,
    impersonations: &[impersonation::Model],
    names: &HashMap<Uuid, String>,
    tenant_name: Option<String>,
) -> Result<ConsentRecord> {
    let mine: Vec<_> = impersonations.iter().filter(|i| grant.is_some_and(|g| g.id == i.grant_id)).collect();
    Ok(ConsentRecord {
        consent: Consent {
            subject: account_of(&user)?,
            grant: grant.map(grant_of),
            impersonations: mine.iter().map(|i| impersonation_of(i)).collect(),
        },
        super_admin_names: mine
            .iter()
            .filter_map(|i| names.get(&i.super_admin_id).map(|n| (UserId::from_uuid(i.super_admin_id), n.clone())))
            .collect(),
        tenant_name,
        name: user.name,
        email: user.email,
    })
}

/// The impersonations under these grants (a page's), each grant's oldest first, and the names of
/// their super admins: one statement for a page, none for no grants. Each statement asks for a
/// page's worth of grants, so that its text is built once: the places past the last grant repeat it.
async fn impersonations_of(conn: &impl ConnectionTrait, grants: &[Uuid]) -> Result<(Vec<impersonation::Model>, HashMap<Uuid, String>)> {
    static SQL: SqlOnce = SqlOnce::new();
    const PLACES: usize = Page::SIZE as usize;
    let query = || named().filter(impersonation::Column::GrantId.is_in([Uuid::nil(); PLACES])).order_by_asc(impersonation::Column::StartedAt).into_query();
    let mut named = Vec::new();
    for chunk in grants.chunks(PLACES) {
        let Some(&last) = chunk.last() else { continue };
        let ids = chunk.iter().copied().chain(std::iter::repeat(last)).take(PLACES).map(Value::from);
        let statement = SQL.statement(conn.get_database_backend(), query, ids);
        named.extend(Named::find_by_statement(statement).all(conn).await.context("reading impersonations")?);
    }
    Ok(Named::split(named))
}

/// Stores what an event changes in the consent's tables (the audit line is the audit table's).
pub async fn store_event(conn: &impl ConnectionTrait, event: &Event) -> Result<()> {
    match event {
        Event::Allowed(g) => {
            grant::ActiveModel {
                id: Set(g.id.uuid()),
                user_id: Set(g.user.uuid()),
                allowed_at: Set(to_db_time(g.allowed_at)),
                start_deadline: Set(to_db_time(g.start_deadline)),
                ends_at: Set(None),
                ended_at: Set(None),
                end_reason: Set(None),
                access: Set(g.terms.access.as_str().to_owned()),
                duration_ms: Set(duration_ms(&g.terms)),
            }
            .insert(conn)
            .await
            .context("storing a grant")?;
        }
        Event::GrantEnded { grant: id, ending, .. } => {
            grant::Entity::update_many()
                .col_expr(grant::Column::EndedAt, Expr::value(to_db_time(ending.at)))
                .col_expr(grant::Column::EndReason, Expr::value(ending.reason.as_str()))
                .filter(grant::Column::Id.eq(id.uuid()))
                .filter(grant::Column::EndedAt.is_null())
                .exec(conn)
                .await
                .context("ending a grant")?;
        }
        Event::Started { impersonation: imp, ends_at, .. } => {
            grant::Entity::update_many()
                .col_expr(grant::Column::EndsAt, Expr::value(to_db_time(*ends_at)))
                .filter(grant::Column::Id.eq(imp.grant.uuid()))
                .filter(grant::Column::EndsAt.is_null())
                .exec(conn)
                .await
                .context("fixing a grant's end")?;
            insert_impersonation(conn, imp).await?;
        }
        Event::Joined { impersonation: imp, .. } => insert_impersonation(conn, imp).await?,
        Event::Ended { impersonation: id, ending, .. } => {
            impersonation::Entity::update_many()
                .col_expr(impersonation::Column::EndedAt, Expr::value(to_db_time(ending.at)))
                .col_expr(impersonation::Column::EndReason, Expr::value(ending.reason.as_str()))
                .filter(impersonation::Column::Id.eq(id.uuid()))
                .filter(impersonation::Column::EndedAt.is_null())
                .exec(conn)
                .await
                .context("ending an impersonation")?;
        }
    }
    Ok(())
}

async fn insert_impersonation(conn: &impl ConnectionTrait, imp: &Impersonation) -> Result<()> {
    impersonation::ActiveModel {
        id: Set(imp.id.uuid()),
        grant_id: Set(imp.grant.uuid()),
        super_admin_id: Set(imp.super_admin.uuid()),
        started_at: Set(to_db_time(imp.started_at)),
        reason: Set(imp.reason.as_ref().map(|r| r.as_str().to_owned())),
        ended_at: Set(None),
        end_reason: Set(None),
    }
    .insert(conn)
    .await
    .context("storing an impersonation")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::latest;
    use crate::db::entities::grant;
    use time::macros::datetime;
    use uuid::Uuid;

    fn grant(allowed_at: time::OffsetDateTime, ended: bool) -> grant::Model {
        grant::Model {
            id: Uuid::new_v4(),
            user_id: Uuid::nil(),
            allowed_at,
            start_deadline: allowed_at + time::Duration::DAY,
            ends_at: None,
            ended_at: ended.then_some(allowed_at + time::Duration::HOUR),
            end_reason: ended.then(|| "disallowed".to_owned()),
            access: "full".to_owned(),
            duration_ms: 86_400_000,
        }
    }

    #[test]
    fn a_consent_stands_on_the_grant_not_recorded_as_ended_else_the_latest_given() {
        assert!(latest(&[]).is_none());
        let (first, second) = (datetime!(2026-01-01 9:00 UTC), datetime!(2026-01-02 9:00 UTC));
        let ended = [grant(second, true), grant(first, true)];
        assert_eq!(latest(&ended).map(|g| g.allowed_at), Some(second));
        let open_and_ended = [grant(first, false), grant(second, true)];
        assert_eq!(latest(&open_and_ended).map(|g| g.id), Some(open_and_ended[0].id));
    }
}

/// The same rule on stored rows: the statement that reads the grant in force finds it, and only
/// through indexes.
#[cfg(test)]
mod stored {
    use super::*;
    use crate::db::entities::user::StoredHash;
    use sea_orm::{DatabaseConnection, Statement};

    const T0: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);
    const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);

    async fn database() -> DatabaseConnection {
        crate::db::connect("sqlite::memory:", 1).await.expect("an in-memory database")
    }

    async fn user(db: &DatabaseConnection) -> UserId {
        let tenant = Uuid::new_v4();
        tenant::ActiveModel { id: Set(tenant), name: Set("Acme".to_owned()), created_at: Set(to_db_time(T0)), records_version: Set(0) }.insert(db).await.expect("a tenant");
        let id = Uuid::new_v4();
        user::ActiveModel {
            id: Set(id),
            tenant_id: Set(Some(tenant)),
            name: Set("Ann".to_owned()),
            email: Set("ann@example.com".to_owned()),
            email_normalized: Set("ann@example.com".to_owned()),
            password_hash: Set(StoredHash::from_stored("not a hash: nobody logs in here".to_owned())),
            role: Set(Role::User.as_str().to_owned()),
            consent_version: Set(0),
            password_version: Set(0),
            created_at: Set(to_db_time(T0)),
        }
        .insert(db)
        .await
        .expect("a user");
        UserId::from_uuid(id)
    }

    /// A grant given at `allowed_at`, ended an hour later unless `open`.
    async fn grant_given(db: &DatabaseConnection, subject: UserId, allowed_at: Timestamp, open: bool) -> Uuid {
        let id = Uuid::new_v4();
        grant::ActiveModel {
            id: Set(id),
            user_id: Set(subject.uuid()),
            allowed_at: Set(to_db_time(allowed_at)),
            start_deadline: Set(to_db_time(allowed_at.plus(HOUR))),
            ends_at: Set(None),
            ended_at: Set((!open).then(|| to_db_time(allowed_at.plus(HOUR)))),
            end_reason: Set((!open).then(|| app::domain::EndReason::Disallowed.as_str().to_owned())),
            access: Set("full".to_owned()),
            duration_ms: Set(3_600_000),
        }
        .insert(db)
        .await
        .expect("a grant");
        id
    }

    async fn grant_in_force(db: &DatabaseConnection, subject: UserId) -> Option<Uuid> {
        load(db, subject).await.expect("a consent").consent.grant.map(|g| g.id.uuid())
    }

    #[tokio::test]
    async fn the_consent_stands_on_the_latest_grant_given_when_none_is_open() {
        let db = database().await;
        let ann = user(&db).await;
        assert_eq!(grant_in_force(&db, ann).await, None);
        let mut latest = None;
        for hour in 0..5 {
            latest = Some(grant_given(&db, ann, T0.plus(HOUR * 2 * hour), false).await);
        }
        assert_eq!(grant_in_force(&db, ann).await, latest);
    }

    #[tokio::test]
    async fn the_consent_stands_on_the_open_grant_even_when_an_ended_one_was_given_after_it() {
        // Two instances whose clocks disagree: the grant allowed "later" ended, the open one's
        // allowed_at is earlier.
        let db = database().await;
        let ann = user(&db).await;
        let open = grant_given(&db, ann, T0, true).await;
        grant_given(&db, ann, T0.plus(HOUR), false).await;
        assert_eq!(grant_in_force(&db, ann).await, Some(open));
    }

    /// What SQLite plans to do for a statement, a line per step.
    async fn plan(db: &DatabaseConnection, statement: Statement) -> Vec<String> {
        let explain = Statement { sql: format!("EXPLAIN QUERY PLAN {}", statement.sql), ..statement };
        let rows = db.query_all(explain).await.expect("a plan");
        rows.iter().map(|row| row.try_get::<String>("", "detail").expect("a step")).collect()
    }

    #[tokio::test]
    async fn the_grant_in_force_is_found_through_indexes_without_reading_the_users_other_grants() {
        let db = database().await;
        let steps = plan(&db, current_grant_statement(DbBackend::Sqlite, UserId::from_uuid(Uuid::nil()))).await;
        let grants: Vec<_> = steps.iter().filter(|step| step.contains("grants")).collect();
        assert!(!grants.is_empty(), "{steps:#?}");
        // Every read of the table goes through an index to its rows; and the latest given comes
        // first from its index: no sorting of all of them.
        assert!(grants.iter().all(|step| step.starts_with("SEARCH") && step.contains("INDEX")), "{steps:#?}");
        assert!(!steps.iter().any(|step| step.contains("TEMP B-TREE")), "{steps:#?}");
    }
}
