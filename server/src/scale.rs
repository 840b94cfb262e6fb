//! A large data set for measuring, not for people: `server seed-scale` fills an empty database
//! with many tenants and users, open grants (some of them running, with impersonations), and a long
//! audit log, in batches, straight into the tables. The rows are what the rules would have stored
//! (windows from the settings' policy, an audit line per grant and start), so every page works on
//! them; every account's password is the demo one, hashed once.

use crate::db::entities::{audit_event, grant, impersonation, tenant, user};
use crate::db::to_db_time;
use crate::seed::DEMO_PASSWORD;
use crate::store::passwords::{self, HashingGate};
use app::domain::{AuditKind, Policy, Role, Timestamp};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, NotSet, PaginatorTrait, Set, TransactionTrait};
use std::time::Duration;
use uuid::Uuid;

/// How much to make.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    pub users: u32,
    pub tenants: u32,
    pub super_admins: u32,
    pub open_grants: u32,
    /// Of the open grants, how many are running (started by a super admin).
    pub running: u32,
    pub audit_lines: u32,
}

/// Rows per insert: well under PostgreSQL's 65 535 parameters and SQLite's 32 766.
const BATCH: usize = 1000;

const FIRST: [&str; 24] = [
    "Ann", "Bob", "Cleo", "Dev", "Eli", "Finn", "Gus", "Hana", "Ida", "Jon", "Kai", "Lea", "Max", "Noor", "Otto", "Pia", "Quinn", "Rosa",
    "Sami", "Tove", "Uma", "Vik", "Wen", "Yara",
];
const LAST: [&str; 16] =
    ["Lee", "Stone", "Grant", "Ito", "Novak", "Fox", "Berg", "Costa", "Diaz", "Eklund", "Haas", "Kim", "Moreau", "Okafor", "Rossi", "Silva"];

#[derive(Debug, thiserror::Error)]
pub enum ScaleError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("seed-scale fills an empty database; this one already has {0} people")]
    NotEmpty(u64),
    #[error("{0}")]
    Invalid(String),
}

/// Fills the empty database `db`, as of `now`, with windows from `policy`.
pub async fn seed(db: &DatabaseConnection, scale: Scale, policy: Policy, now: Timestamp) -> Result<(), ScaleError> {
    let people = user::Entity::find().count(db).await?;
    if people > 0 {
        return Err(ScaleError::NotEmpty(people));
    }
    if scale.tenants == 0 || scale.super_admins == 0 || scale.open_grants > scale.users || scale.running > scale.open_grants {
        return Err(ScaleError::Invalid("need a tenant and a super admin, open grants ≤ users and running ≤ open grants".into()));
    }
    let hash = passwords::hash(&HashingGate::new(1, Duration::from_secs(60)), DEMO_PASSWORD.to_owned())
        .await
        .map_err(|_| ScaleError::Invalid("no hashing turn".into()))?
        .map_err(ScaleError::Invalid)?;
    let created = to_db_time(now);
    let tenants: Vec<Uuid> = (0..scale.tenants).map(|_| Uuid::new_v4()).collect();
    let rows = tenants.iter().enumerate().map(|(n, id)| tenant::ActiveModel {
        id: Set(*id),
        name: Set(format!("Tenant {n:04}")),
        created_at: Set(created),
        records_version: Set(0),
    });
    insert_all(db, rows.collect()).await?;
    let person = |n: u32, role: Role, tenant: Option<Uuid>| {
        let (first, last) = (FIRST[n as usize % FIRST.len()], LAST[(n as usize / FIRST.len()) % LAST.len()]);
        let email = match tenant {
            Some(_) => format!("{}.{}.{n}@tenant{:04}.example", first.to_lowercase(), last.to_lowercase(), n % scale.tenants),
            None => format!("staff{n}@vendor.example"),
        };
        user::ActiveModel {
            id: Set(Uuid::new_v4()),
            tenant_id: Set(tenant),
            name: Set(match tenant {
                Some(_) => format!("{first} {last}"),
                None => format!("Staff {n:02}"),
            }),
            email: Set(email.clone()),
            email_normalized: Set(email),
            password_hash: Set(hash.clone()),
            role: Set(role.as_str().to_owned()),
            consent_version: Set(0),
            password_version: Set(0),
            created_at: Set(created),
        }
    };
    let users: Vec<user::ActiveModel> = (0..scale.users).map(|n| person(n, Role::User, Some(tenants[(n % scale.tenants) as usize]))).collect();
    let user_ids: Vec<Uuid> = users.iter().map(|u| *u.id.as_ref()).collect();
    insert_all(db, users).await?;
    let admins: Vec<user::ActiveModel> = (0..scale.super_admins).map(|n| person(n, Role::SuperAdmin, None)).collect();
    let admin_ids: Vec<Uuid> = admins.iter().map(|u| *u.id.as_ref()).collect();
    insert_all(db, admins).await?;

    // Open grants, allowed over the last part of the start window so all are still open.
    let spread_ms = (policy.start_window.as_millis() as u64 * 3 / 4).max(1);
    let (mut grants, mut imps, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..scale.open_grants as usize {
        let allowed_at = now.minus(Duration::from_millis((n as u64 * 7919) % spread_ms));
        let (grant_id, subject) = (Uuid::new_v4(), user_ids[n]);
        let started = (n as u32) < scale.running;
        let started_at = allowed_at.plus(Duration::from_millis(((now.unix_millis() - allowed_at.unix_millis()) / 2).max(0) as u64));
        // Every fifth user allows viewing only, every third for an hour: the switcher shows both.
        let access = if n % 5 == 4 { app::domain::Access::ViewOnly } else { app::domain::Access::Full };
        let duration = if n % 3 == 2 && policy.lengths().contains(&Duration::from_secs(3600)) { Duration::from_secs(3600) } else { policy.duration };
        let terms = app::domain::Terms { access, duration };
        let ends_at = started.then(|| started_at.plus(terms.duration));
        grants.push(grant::ActiveModel {
            id: Set(grant_id),
            user_id: Set(subject),
            allowed_at: Set(to_db_time(allowed_at)),
            start_deadline: Set(to_db_time(allowed_at.plus(policy.start_window))),
            ends_at: Set(ends_at.map(to_db_time)),
            ended_at: Set(None),
            end_reason: Set(None),
            access: Set(terms.access.as_str().to_owned()),
            duration_ms: Set(i64::try_from(terms.duration.as_millis()).unwrap_or(i64::MAX)),
        });
        lines.push(line(AuditKind::Allowed, allowed_at, subject, grant_id, None, None, Some(subject)));
        if started {
            let (imp_id, admin) = (Uuid::new_v4(), admin_ids[n % admin_ids.len()]);
            imps.push(impersonation::ActiveModel {
                id: Set(imp_id),
                grant_id: Set(grant_id),
                super_admin_id: Set(admin),
                started_at: Set(to_db_time(started_at)),
                reason: Set(Some(format!("ticket {n}"))),
                ended_at: Set(None),
                end_reason: Set(None),
            });
            lines.push(line(AuditKind::Started, started_at, subject, grant_id, Some(admin), Some(imp_id), None));
        }
    }
    insert_all(db, grants).await?;
    // Keyed for the switcher as the migration keys grants given before it.
    db.execute_unprepared(crate::db::migration::switcher_keys::BACKFILL).await?;
    // The running grants are the first ones, so impersonation `n` is user `n`'s.
    let running: Vec<(Uuid, Uuid, Uuid, Uuid)> =
        imps.iter().enumerate().map(|(n, i)| (*i.id.as_ref(), *i.grant_id.as_ref(), *i.super_admin_id.as_ref(), user_ids[n])).collect();
    insert_all(db, imps).await?;
    // The rest of the log: writes made while impersonating, spread over the running ones.
    let filler = (scale.audit_lines as usize).saturating_sub(lines.len());
    if !running.is_empty() {
        for n in 0..filler {
            let (imp, grant_id, admin, subject) = running[n % running.len()];
            let mut write = line(AuditKind::Wrote, now.minus(Duration::from_millis(n as u64 % 3_600_000)), subject, grant_id, Some(admin), Some(imp), None);
            write.detail = Set(Some(format!("Added task “Seeded {n}”")));
            lines.push(write);
            if lines.len() >= BATCH * 10 {
                insert_all(db, std::mem::take(&mut lines)).await?;
            }
        }
    }
    insert_all(db, lines).await?;
    Ok(())
}

fn line(
    kind: AuditKind,
    at: Timestamp,
    subject: Uuid,
    grant: Uuid,
    super_admin: Option<Uuid>,
    impersonation: Option<Uuid>,
    caused_by: Option<Uuid>,
) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        id: NotSet,
        at: Set(to_db_time(at)),
        kind: Set(kind.as_str().to_owned()),
        subject_id: Set(subject),
        super_admin_id: Set(super_admin),
        caused_by_id: Set(caused_by),
        grant_id: Set(grant),
        impersonation_id: Set(impersonation),
        end_reason: Set(None),
        reason: Set(None),
        detail: Set(None),
        access: Set(None),
        duration_ms: Set(None),
    }
}

/// Inserts rows in batches, each batch in a transaction of its own.
async fn insert_all<A>(db: &DatabaseConnection, rows: Vec<A>) -> Result<(), ScaleError>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(BATCH).collect();
        let txn = db.begin().await?;
        A::Entity::insert_many(batch).exec_without_returning(&txn).await?;
        txn.commit().await?;
    }
    Ok(())
}
