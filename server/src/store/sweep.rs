//! Housekeeping, run on an interval: records the time-based ends nobody stored yet, removes
//! sessions that are over and forgets spent login throttles. Nothing depends on it (the rules
//! decide from stored times on every request); it keeps the tables and the audit log tidy.

use super::base::Store;
use super::error::Result;
use super::rows::grant_of;
use super::tables::{consent, logins, sessions};
use super::unit;
use app::domain::{GrantPhase, UserId};

#[tracing::instrument(skip_all, err)]
pub async fn sweep(store: &Store) -> Result<()> {
    let now = store.now();
    // Settles every grant that is over by time but not recorded as ended.
    for row in consent::open_grants(store.db()).await?.iter().filter(|g| matches!(grant_of(g).phase(now), GrantPhase::Over(_))) {
        unit::record(store, UserId::from_uuid(row.user_id), |c, at| c.settle(at)).await?;
    }
    // Throttle rows whose window and lock are both over count nothing, and a row is made for
    // every email anyone types.
    let lockout = store.account_throttle.lockout.max(store.address_throttle.lockout);
    logins::sweep(store.db(), now.minus(lockout), now).await?;
    let over = sessions::over(store.db(), now, store.sessions).await?;
    unit::end_sessions(store, over).await
}
