//! Demo data for `make run` and the browser tests: two tenants with users and records, and two
//! super admins. Only ever added to an empty database.

use crate::db::entities::{task, user};
use crate::db::to_db_time;
use crate::store::{NewUser, Store};
use app::backend::BackendError;
use app::domain::{Role, TenantId, Timestamp};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};

/// The password of every demo account (printed at start-up; demo data only).
pub const DEMO_PASSWORD: &str = "impersonate-demo";

pub struct DemoLogin {
    pub email: &'static str,
    pub name: &'static str,
    pub what: &'static str,
}

const TENANTS: [(&str, &[(&str, &str)], &[&str]); 2] = [
    (
        "Acme Corp",
        &[
            ("Ann Lee", "ann@acme.test"),
            ("Bob Stone", "bob@acme.test"),
            ("Carla Diaz", "carla@acme.test"),
            ("Dan Wu", "dan@acme.test"),
            ("Eve Park", "eve@acme.test"),
            ("Finn Moss", "finn@acme.test"),
            ("Gina Rossi", "gina@acme.test"),
            ("Hugo Blanc", "hugo@acme.test"),
            ("Iris Chen", "iris@acme.test"),
            ("Jon Berg", "jon@acme.test"),
        ],
        &["Renew the office lease", "Prepare the Q4 board deck", "Fix the invoice export"],
    ),
    ("Globex", &[("Gus Grant", "gus@globex.test"), ("Hana Ito", "hana@globex.test")], &["Ship the new pricing page", "Audit vendor contracts"]),
];

const SUPER_ADMINS: [(&str, &str); 2] = [("Ada Admin", "ada@vendor.test"), ("Sam Support", "sam@vendor.test")];

/// Adds the demo data unless the database already has people; answers the logins to print.
pub async fn demo(store: &Store, now: Timestamp) -> Result<Vec<DemoLogin>, BackendError> {
    let db = store.db();
    let people = user::Entity::find().count(db).await.map_err(|e| BackendError::from(crate::store::StoreError::from(e)))?;
    if people == 0 {
        for (name, users, tasks) in TENANTS {
            let tenant_id = store.create_tenant(name, now).await?;
            let mut first = None;
            for (user_name, email) in users {
                let id = store.create_user(new(user_name, email, Role::User, Some(tenant_id)), now).await?;
                first.get_or_insert(id);
            }
            for title in tasks {
                task::ActiveModel {
                    id: Set(uuid::Uuid::new_v4()),
                    tenant_id: Set(tenant_id.uuid()),
                    title: Set((*title).to_owned()),
                    done: Set(false),
                    created_by: Set(first.map(|id| id.uuid()).unwrap_or_default()),
                    created_at: Set(to_db_time(now)),
                }
                .insert(db)
                .await
                .map_err(|e| BackendError::from(crate::store::StoreError::from(e)))?;
            }
        }
        for (name, email) in SUPER_ADMINS {
            store.create_user(new(name, email, Role::SuperAdmin, None), now).await?;
        }
    }
    let mut logins: Vec<DemoLogin> =
        SUPER_ADMINS.iter().map(|(name, email)| DemoLogin { email, name, what: "super admin (vendor staff)" }).collect();
    for (tenant, users, _) in TENANTS {
        logins.extend(users.iter().map(|(name, email)| DemoLogin { email, name, what: tenant }));
    }
    Ok(logins)
}

fn new(name: &str, email: &str, role: Role, tenant: Option<TenantId>) -> NewUser {
    NewUser { name: name.to_owned(), email: email.to_owned(), password: DEMO_PASSWORD.to_owned(), role, tenant }
}

/// Ordinary users per tenant in the load test's accounts.
const LOAD_TENANT_SIZE: u32 = 20;

/// The load test's accounts (`make load-test`): `users` ordinary users in tenants of 20, and
/// `super_admins` super admins, all with `password`. Their emails are `user-<n>@load.test` and
/// `admin-<n>@load.test`, numbered from 1, so the load tool can name them without reading
/// anything. Accounts already there are kept, so running it twice creates nothing new; answers
/// how many it created.
pub async fn load_accounts(store: &Store, users: u32, super_admins: u32, password: &str, now: Timestamp) -> Result<u32, BackendError> {
    use futures::StreamExt;
    let mut people = Vec::new();
    for n in 1..=users {
        let tenant = store.tenant_named_or_new(&format!("Load tenant {:02}", (n - 1) / LOAD_TENANT_SIZE + 1), now).await?;
        people.push((format!("Load User {n:03}"), format!("user-{n}@load.test"), Role::User, Some(tenant)));
    }
    people.extend((1..=super_admins).map(|n| (format!("Load Admin {n:02}"), format!("admin-{n}@load.test"), Role::SuperAdmin, None)));
    // A few at once: hashing is the slow part, and the store's gate lets as many run as there are cores.
    let created = futures::stream::iter(people)
        .map(|(name, email, role, tenant)| {
            store.create_user(NewUser { name, email, password: password.to_owned(), role, tenant }, now)
        })
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await;
    let mut count = 0;
    for outcome in created {
        match outcome {
            Ok(_) => count += 1,
            Err(BackendError::EmailTaken) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(count)
}
