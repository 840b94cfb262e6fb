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
