//! What the pages read, put together from the tables: a user's profile and the audit log, with
//! the names of the people on them; the live channel's revision, alone or with the home page's
//! tasks; and, for checking the rules afterwards, everything stored.

use super::error::{Context, Result, StoreError};
use super::sql_once::SqlOnce;
use crate::db::entities::{audit_event, task, tenant, user};
use super::rows::{account_of, grant_of, impersonation_of, terms};
use super::tables::consent::InHistory;
use super::tables::{audit, consent, people};
use app::backend::{AuditRecord, BackendError, ConsentRecord, HistoryRecord, TaskRecord};
use app::domain::rules::{self, AuditLine, AuditTally, LoggedEvent, StoredHistory, Violation, check_audit, check_history};
use app::domain::{AuditKind, EndReason, Grant, GrantId, Impersonation, ImpersonationId, Page, Policy, Principal, Role, TaskId, Timestamp, UserId};
use sea_orm::{ConnectionTrait, FromQueryResult};
use sea_orm::sea_query::{Alias, Expr, Func, JoinType, Order, Query, SelectStatement, SimpleExpr};
use std::collections::{HashMap, HashSet};

/// The profile's read: a user's consent (as [`consent::load`]) and their impersonations, newest
/// first and at most `limit`, each with its grant (the rules tell from it whether time ended the
/// impersonation before anyone recorded it) and its super admin's name. Four statements at most
/// (a user who never allowed: two), each with SQL built once; none reads a grant of the user's
/// but the one in force and those of the impersonations shown.
pub async fn profile(conn: &impl ConnectionTrait, subject: UserId, limit: u64) -> Result<(ConsentRecord, Vec<HistoryRecord>)> {
    let record = consent::load(conn, subject).await?;
    if record.consent.grant.is_none() {
        return Ok((record, Vec::new()));
    }
    let history = consent::latest_of(conn, subject, limit)
        .await?
        .into_iter()
        .map(|InHistory { named, grant }| HistoryRecord {
            impersonation: impersonation_of(&named.row),
            grant: grant_of(&grant),
            super_admin_name: named.super_admin_name.unwrap_or_default(),
        })
        .collect();
    Ok((record, history))
}

/// One page of the audit log, newest first, and how many lines there are in all. A line of a kind
/// this build does not know is left out.
pub async fn audit_log(conn: &impl ConnectionTrait, page: Page) -> Result<(Vec<AuditRecord>, u64)> {
    let (rows, total) = audit::page(conn, page).await?;
    let mut ids = Vec::with_capacity(rows.len() * 3);
    for r in &rows {
        ids.extend([Some(r.subject_id), r.super_admin_id, r.caused_by_id].into_iter().flatten());
    }
    let names = people::names(conn, ids).await?;
    let name = |id: Option<uuid::Uuid>| id.and_then(|id| names.get(&id).cloned());
    let records = rows
        .iter()
        .filter_map(|r| {
            Some(AuditRecord {
                at: crate::db::from_db_time(r.at),
                kind: AuditKind::parse(&r.kind)?,
                grant: GrantId::from_uuid(r.grant_id),
                subject: UserId::from_uuid(r.subject_id),
                subject_name: name(Some(r.subject_id)),
                super_admin_name: name(r.super_admin_id),
                caused_by: r.caused_by_id.map(UserId::from_uuid),
                caused_by_name: name(r.caused_by_id),
                end_reason: r.end_reason.as_deref().and_then(EndReason::parse),
                reason: r.reason.clone(),
                detail: r.detail.clone(),
                terms: r.access.as_deref().zip(r.duration_ms).map(|(access, ms)| terms(access, ms)),
            })
        })
        .collect();
    Ok((records, total))
}

/// Everything stored about every consent, read back for `server check-history`: each person's
/// grants and impersonations, their audit lines in the order written, who is staff, and the log
/// counted by kind. It reads whole tables, so it is for a test database or one whose servers are
/// stopped (the tables are read one after another, not as one snapshot).
pub struct StoredRecords {
    pub histories: Vec<StoredHistory>,
    /// Each person's audit lines, oldest first.
    pub logs: HashMap<UserId, Vec<LoggedEvent>>,
    pub super_admins: HashSet<UserId>,
    pub audit: AuditTally,
    /// Audit lines of a kind or end reason this build cannot read.
    pub unreadable_audit_lines: u64,
    /// Impersonations and audit lines about nobody stored (the foreign keys should make this zero).
    pub strays: u64,
}

impl StoredRecords {
    /// What the rules' checkers find wrong in every stored history and its audit lines; the
    /// verdicts are the domain's (`rules::history`), this only hands each its part.
    pub fn violations(&self, policy: &Policy, now: Timestamp) -> Vec<Violation> {
        let mut found = Vec::new();
        for history in &self.histories {
            found.extend(check_history(history, policy, now, |id| self.super_admins.contains(&id)));
            let lines = self.logs.get(&history.subject.id()).map_or(&[][..], Vec::as_slice);
            found.extend(check_audit(history, lines, policy));
        }
        found
    }
}

pub async fn stored_records(conn: &impl ConnectionTrait) -> Result<StoredRecords> {
    let people = people::everyone(conn).await?;
    let mut grants: HashMap<uuid::Uuid, Vec<Grant>> = HashMap::new();
    let mut owner = HashMap::new();
    for row in consent::every_grant(conn).await? {
        owner.insert(row.id, row.user_id);
        grants.entry(row.user_id).or_default().push(grant_of(&row));
    }
    let mut impersonations: HashMap<uuid::Uuid, Vec<Impersonation>> = HashMap::new();
    let mut strays = 0;
    for row in consent::every_impersonation(conn).await? {
        match owner.get(&row.grant_id) {
            Some(user) => impersonations.entry(*user).or_default().push(impersonation_of(&row)),
            None => strays += 1,
        }
    }
    let mut logs: HashMap<UserId, Vec<LoggedEvent>> = HashMap::new();
    let mut audit = AuditTally::new();
    let mut unreadable_audit_lines = 0;
    for row in audit::every_line(conn).await? {
        let end_reason = row.end_reason.as_deref().map(EndReason::parse);
        let (Some(kind), None | Some(Some(_))) = (AuditKind::parse(&row.kind), end_reason) else {
            unreadable_audit_lines += 1;
            continue;
        };
        let end_reason = end_reason.flatten();
        *audit.entry(AuditLine { kind, end_reason }).or_insert(0) += 1;
        logs.entry(UserId::from_uuid(row.subject_id)).or_default().push(LoggedEvent {
            at: crate::db::from_db_time(row.at),
            kind,
            subject: UserId::from_uuid(row.subject_id),
            super_admin: row.super_admin_id.map(UserId::from_uuid),
            grant: GrantId::from_uuid(row.grant_id),
            impersonation: row.impersonation_id.map(ImpersonationId::from_uuid),
            end_reason,
            reason: row.reason,
            terms: row.access.as_deref().zip(row.duration_ms).map(|(access, ms)| terms(access, ms)),
        });
    }
    let super_admins = people.iter().filter(|p| p.role == Role::SuperAdmin.as_str()).map(|p| UserId::from_uuid(p.id)).collect();
    let mut histories = Vec::with_capacity(people.len());
    for person in &people {
        histories.push(StoredHistory {
            subject: account_of(person)?,
            grants: grants.remove(&person.id).unwrap_or_default(),
            impersonations: impersonations.remove(&person.id).unwrap_or_default(),
        });
    }
    strays += impersonations.values().map(|i| i.len() as u64).sum::<u64>();
    strays += logs.iter().filter(|(id, _)| !people.iter().any(|p| p.id == id.uuid())).map(|(_, l)| l.len() as u64).sum::<u64>();
    Ok(StoredRecords { histories, logs, super_admins, audit, unreadable_audit_lines, strays })
}

/// Where the data a page shows to `principal` stands (see `Backend::revision`), in one statement:
/// the latest audit line about the user the page shows (about anyone, for a super admin in their
/// own session) plus the records version of their tenant. Both only rise, so the sum moves
/// whenever either does.
pub async fn revision(conn: &impl ConnectionTrait, principal: &Principal) -> Result<i64> {
    let Some(tenant) = principal.effective().tenant() else { return audit::latest_id(conn).await };
    static SQL: SqlOnce = SqlOnce::new();
    let subject = principal.effective().id();
    let statement = SQL.statement(conn.get_database_backend(), revision_query, [subject.uuid().into(), tenant.uuid().into()]);
    let row = conn.query_one(statement).await.context("reading the revision")?;
    Ok(row.map(|row| row.try_get::<i64>("", "revision")).transpose().context("reading the revision")?.unwrap_or(0))
}

/// The home page's read: the tasks of the tenant `reader` works on, oldest first, with their
/// authors' names, and the revision (as [`revision`]) on every row. One statement reads from one
/// snapshot, so the revision is exactly the one the tasks were read at: a write cannot fall
/// between the two. The tenant's own row starts the join, so a tenant without tasks still
/// answers its revision (on a row with no task).
pub async fn tasks(conn: &impl ConnectionTrait, reader: &Principal) -> Result<(Vec<TaskRecord>, i64)> {
    let tenant = rules::records_tenant(reader)?;
    static SQL: SqlOnce = SqlOnce::new();
    let subject = reader.effective().id();
    let statement = SQL.statement(conn.get_database_backend(), tasks_query, [subject.uuid().into(), tenant.uuid().into()]);
    let rows = TaskRow::find_by_statement(statement).all(conn).await.context("reading tasks")?;
    // The tenant's row starts the join: no row, no such tenant.
    let revision = rows.first().map(|row| row.revision).ok_or(StoreError::Answer(BackendError::NotFound))?;
    let tasks = rows
        .into_iter()
        .filter_map(|row| {
            Some(TaskRecord {
                id: TaskId::from_uuid(row.id?),
                title: row.title?,
                done: row.done?,
                created_by: row.author.unwrap_or_default(),
                created_at: crate::db::from_db_time(row.created_at?),
            })
        })
        .collect();
    Ok((tasks, revision))
}

/// A row of [`tasks_query`]: a task and the revision, or (a tenant without tasks) the revision alone.
#[derive(FromQueryResult)]
struct TaskRow {
    revision: i64,
    id: Option<uuid::Uuid>,
    title: Option<String>,
    done: Option<bool>,
    created_at: Option<time::OffsetDateTime>,
    author: Option<String>,
}

/// The latest audit line about a user plus their tenant's records version; the values are the
/// user's id and the tenant's (the zeros are written into the text, not bound).
fn revision_query() -> SelectStatement {
    let records = Query::select()
        .column(tenant::Column::RecordsVersion)
        .from(tenant::Entity)
        .and_where(Expr::col(tenant::Column::Id).eq(uuid::Uuid::nil()))
        .to_owned();
    let sum = Expr::expr(sub(latest_line_about_one())).add(Func::coalesce([sub(records), Expr::cust("0")]));
    Query::select().expr_as(sum, Alias::new("revision")).to_owned()
}

/// A tenant's tasks with their authors' names and, on each row, the revision as
/// [`revision_query`] reads it; the values are the user's id and the tenant's, in that order.
fn tasks_query() -> SelectStatement {
    let revision = Expr::expr(sub(latest_line_about_one())).add(Expr::col((tenant::Entity, tenant::Column::RecordsVersion)));
    Query::select()
        .expr_as(revision, Alias::new("revision"))
        .columns([(task::Entity, task::Column::Id), (task::Entity, task::Column::Title), (task::Entity, task::Column::Done), (task::Entity, task::Column::CreatedAt)])
        .expr_as(Expr::col((user::Entity, user::Column::Name)), Alias::new("author"))
        .from(tenant::Entity)
        .join(JoinType::LeftJoin, task::Entity, Expr::col((task::Entity, task::Column::TenantId)).equals((tenant::Entity, tenant::Column::Id)))
        .join(JoinType::LeftJoin, user::Entity, Expr::col((user::Entity, user::Column::Id)).equals((task::Entity, task::Column::CreatedBy)))
        .and_where(Expr::col((tenant::Entity, tenant::Column::Id)).eq(uuid::Uuid::nil()))
        .order_by((task::Entity, task::Column::CreatedAt), Order::Asc)
        .to_owned()
}

/// The id of the latest audit line about one user (0 when there is none); the value is their id.
fn latest_line_about_one() -> SelectStatement {
    Query::select()
        .expr(Func::coalesce([Expr::col((audit_event::Entity, audit_event::Column::Id)).max(), Expr::cust("0")]))
        .from(audit_event::Entity)
        .and_where(Expr::col((audit_event::Entity, audit_event::Column::SubjectId)).eq(uuid::Uuid::nil()))
        .to_owned()
}

fn sub(query: SelectStatement) -> SimpleExpr {
    SimpleExpr::SubQuery(None, Box::new(query.into_sub_query_statement()))
}
