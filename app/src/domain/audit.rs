//! What the audit log calls each kind of line (rule 10: every change is an event, and storing
//! the events is the audit log). Which event makes which line is the domain's to say, so the
//! store only writes what it is told and the audit page only reads it.

use super::rules::{EndReason, Event};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    Allowed,
    Disallowed,
    GrantEnded,
    Started,
    Joined,
    Ended,
    Wrote,
}

impl AuditKind {
    pub const ALL: [AuditKind; 7] = [
        AuditKind::Allowed,
        AuditKind::Disallowed,
        AuditKind::GrantEnded,
        AuditKind::Started,
        AuditKind::Joined,
        AuditKind::Ended,
        AuditKind::Wrote,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            AuditKind::Allowed => "allowed",
            AuditKind::Disallowed => "disallowed",
            AuditKind::GrantEnded => "grant_ended",
            AuditKind::Started => "started",
            AuditKind::Joined => "joined",
            AuditKind::Ended => "ended",
            AuditKind::Wrote => "wrote",
        }
    }

    pub fn parse(text: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl Event {
    /// The kind of audit line this event is recorded as. A grant ended by its user is the user's
    /// "disallowed"; one that time ended is "grant ended".
    pub fn audit_kind(&self) -> AuditKind {
        match self {
            Event::Allowed(_) => AuditKind::Allowed,
            Event::GrantEnded { ending, .. } if ending.reason == EndReason::Disallowed => AuditKind::Disallowed,
            Event::GrantEnded { .. } => AuditKind::GrantEnded,
            Event::Started { .. } => AuditKind::Started,
            Event::Joined { .. } => AuditKind::Joined,
            Event::Ended { .. } => AuditKind::Ended,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_what_it_stores() {
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AuditKind::parse("deleted"), None);
    }
}
