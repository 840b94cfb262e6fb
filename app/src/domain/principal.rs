//! Who is behind a request, once the server has resolved the session: the facts every
//! permission is decided from. Built on the server from stored rows on every request, never
//! from anything the browser says.

use super::ids::{GrantId, ImpersonationId, TenantId, UserId};
use super::rules::Access;
use super::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What a person is in the product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Someone who works in one tenant.
    User,
    /// Vendor staff: belongs to no tenant, may impersonate users who allow it.
    SuperAdmin,
}

impl Role {
    /// The role's name in storage and on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::SuperAdmin => "super_admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "user" => Some(Role::User),
            "super_admin" => Some(Role::SuperAdmin),
            _ => None,
        }
    }
}

/// The permission-relevant facts about one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Account {
    User { id: UserId, tenant: TenantId },
    SuperAdmin { id: UserId },
}

impl Account {
    /// An account from its stored parts; `None` when they contradict each other (a user belongs to
    /// exactly one tenant, a super admin to none).
    pub fn from_parts(id: UserId, role: Role, tenant: Option<TenantId>) -> Option<Account> {
        match (role, tenant) {
            (Role::User, Some(tenant)) => Some(Account::User { id, tenant }),
            (Role::SuperAdmin, None) => Some(Account::SuperAdmin { id }),
            _ => None,
        }
    }

    pub const fn id(&self) -> UserId {
        match *self {
            Account::User { id, .. } | Account::SuperAdmin { id } => id,
        }
    }

    pub const fn role(&self) -> Role {
        match self {
            Account::User { .. } => Role::User,
            Account::SuperAdmin { .. } => Role::SuperAdmin,
        }
    }

    /// The tenant whose data this account may see; super admins have none of their own.
    pub const fn tenant(&self) -> Option<TenantId> {
        match *self {
            Account::User { tenant, .. } => Some(tenant),
            Account::SuperAdmin { .. } => None,
        }
    }
}

/// The impersonation a session is in, as far as permissions need to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActiveImpersonation {
    pub id: ImpersonationId,
    pub grant: GrantId,
    pub super_admin: UserId,
    /// The user being impersonated; always an ordinary user.
    pub subject: Account,
    pub ends_at: Timestamp,
    /// What the user allowed: full access, or view only.
    pub access: Access,
}

/// Who acts in a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A person in their own session, with their own rights.
    Own(Account),
    /// A super admin acting as a user: exactly the user's rights, none of the admin's.
    Impersonating(ActiveImpersonation),
}

impl Principal {
    /// The account whose rights apply to this request.
    pub const fn effective(&self) -> Account {
        match *self {
            Principal::Own(account) => account,
            Principal::Impersonating(imp) => imp.subject,
        }
    }

    pub const fn impersonation(&self) -> Option<ActiveImpersonation> {
        match *self {
            Principal::Own(_) => None,
            Principal::Impersonating(imp) => Some(imp),
        }
    }

    /// Whose session this is: the person who logged in, the super admin while impersonating.
    pub const fn session_owner(&self) -> UserId {
        match *self {
            Principal::Own(account) => account.id(),
            Principal::Impersonating(imp) => imp.super_admin,
        }
    }

    /// A super admin in their own session: the only way to reach an admin function.
    pub const fn as_super_admin(&self) -> Option<UserId> {
        match *self {
            Principal::Own(Account::SuperAdmin { id }) => Some(id),
            _ => None,
        }
    }

    /// Someone in their own session, not impersonating: consent, password and email are theirs alone.
    pub const fn in_own_session(&self) -> Option<Account> {
        match *self {
            Principal::Own(account) => Some(account),
            Principal::Impersonating(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn user() -> Account {
        Account::User { id: UserId(Uuid::from_u128(1)), tenant: TenantId(Uuid::from_u128(9)) }
    }

    fn admin() -> Account {
        Account::SuperAdmin { id: UserId(Uuid::from_u128(2)) }
    }

    fn impersonating() -> Principal {
        Principal::Impersonating(ActiveImpersonation {
            id: ImpersonationId(Uuid::from_u128(3)),
            grant: GrantId(Uuid::from_u128(4)),
            super_admin: admin().id(),
            subject: user(),
            ends_at: Timestamp::from_unix_millis(0),
            access: Access::Full,
        })
    }

    #[test]
    fn an_impersonating_admin_has_the_users_rights_and_no_admin_rights() {
        let p = impersonating();
        assert_eq!(p.effective(), user());
        assert_eq!(p.impersonation().map(|i| i.super_admin), Some(admin().id()));
        assert_eq!(p.as_super_admin(), None);
        assert_eq!(p.in_own_session(), None);
    }

    /// The live channel's limit per person counts the super admin while they impersonate, never
    /// the user they act as (else impersonating would eat the user's own share).
    #[test]
    fn a_session_is_owned_by_whoever_logged_in_even_while_impersonating() {
        assert_eq!(impersonating().session_owner(), admin().id());
        assert_eq!(Principal::Own(user()).session_owner(), user().id());
    }

    #[test]
    fn an_admin_in_their_own_session_is_a_super_admin() {
        let p = Principal::Own(admin());
        assert_eq!(p.as_super_admin(), Some(admin().id()));
        assert_eq!(p.effective().tenant(), None);
    }

    #[test]
    fn an_ordinary_user_is_no_super_admin() {
        assert_eq!(Principal::Own(user()).as_super_admin(), None);
    }

    #[test]
    fn an_account_is_a_user_with_a_tenant_or_a_super_admin_without_one() {
        let (id, tenant) = (user().id(), user().tenant());
        assert_eq!(Account::from_parts(id, Role::User, tenant), Some(user()));
        assert_eq!(Account::from_parts(admin().id(), Role::SuperAdmin, None), Some(admin()));
        assert_eq!(Account::from_parts(id, Role::User, None), None);
        assert_eq!(Account::from_parts(id, Role::SuperAdmin, tenant), None);
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in [Role::User, Role::SuperAdmin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
