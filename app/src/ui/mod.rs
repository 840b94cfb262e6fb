//! Reusable pieces of the interface: accessible menus and dialogs, forms, countdowns, times, messages,
//! and the live channel that keeps pages true without a reload.

pub mod countdown;
pub mod dialog;
pub mod form;
pub mod live;
pub mod menu;
pub mod message;
pub mod pager;
pub mod sync_hydrate;
pub mod time;
pub mod watchers;

pub use countdown::Countdown;
pub use dialog::ConfirmDialog;
pub use form::{field, keep_typed_before_hydration, reset_on_success, take_submit};
pub use live::{LiveChannel, Refresh, hard_navigate};
pub use menu::{MenuButton, MenuItem};
pub use message::{ErrorMessage, Notice, action_error};
pub use pager::Pager;
pub use sync_hydrate::{IntoAnySync, SyncHydrate};
pub use time::{DateTime, format_span, format_terms};
pub use watchers::{WatcherNotices, Watchers};
