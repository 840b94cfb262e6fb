//! Identifiers of the things the product talks about, one type each so a grant id can never be
//! passed where a user id is expected. Random (v4) so they reveal neither counts nor order.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Wraps an id that already exists (read back from storage or a request).
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub const fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A person who can log in: an ordinary user of a tenant or a super admin of the vendor.
    UserId
);
id_type!(
    /// A customer organisation of the SaaS.
    TenantId
);
id_type!(
    /// A user's consent to be impersonated (see `rules::Grant`).
    GrantId
);
id_type!(
    /// One super admin acting as one user under a grant.
    ImpersonationId
);
id_type!(
    /// One of a tenant's records (the demo's tasks).
    TaskId
);
