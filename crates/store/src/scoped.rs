//! The scoped handle: the only way to scoped data. Built for one [`Viewer`] (the public, a
//! signed-in user, or the system), its methods add the row filter and, for the public, the
//! small-count suppression themselves, so no caller can forget either.
//!
//! Methods that read or write scoped data are written on `Scoped` (in the module of their
//! area); `Store` keeps only what is not scoped (reference regions, sessions, migrations).
//! Deliberate exceptions, where a viewer is shown something beyond its rows, live in
//! `exceptions.rs`, each with its reason and its test.

use std::borrow::Cow;

use sinergi_core::{Disclosed, Principal, Viewer, disclose};

use crate::audit::Actor;
use crate::scope::{Filter, Placeholders, viewer_filter};
use crate::{Store, StoreError};

/// A store handle for one viewer; cheap to make, borrow it per request or per command.
#[derive(Clone)]
pub struct Scoped<'a> {
    store: &'a Store,
    viewer: Cow<'a, Viewer>,
}

impl Store {
    /// The handle through which `viewer` reaches scoped data.
    pub fn scoped<'a>(&'a self, viewer: &'a Viewer) -> Scoped<'a> {
        Scoped {
            store: self,
            viewer: Cow::Borrowed(viewer),
        }
    }

    /// The handle for a signed-in user (a copy of the principal is kept).
    pub fn as_user(&self, principal: &Principal) -> Scoped<'_> {
        Scoped {
            store: self,
            viewer: Cow::Owned(Viewer::User(principal.clone())),
        }
    }

    /// The handle for the system itself, named for the audit log (`"cli"`, `"demo"`).
    pub fn as_system(&self, name: &'static str) -> Scoped<'_> {
        Scoped {
            store: self,
            viewer: Cow::Owned(Viewer::System(name)),
        }
    }
}

/// Inside the store, a scoped handle reaches the pool and helpers of its store.
impl std::ops::Deref for Scoped<'_> {
    type Target = Store;

    fn deref(&self) -> &Store {
        self.store
    }
}

impl<'a> Scoped<'a> {
    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }

    pub fn store(&self) -> &'a Store {
        self.store
    }

    /// The signed-in user, for what only a user does (the public and the system are refused).
    pub(crate) fn user(&self) -> Result<&Principal, StoreError> {
        self.viewer.principal().ok_or(StoreError::Forbidden)
    }

    /// Refuses viewers who may not create, change or remove rows.
    pub(crate) fn require_write(&self) -> Result<(), StoreError> {
        if self.viewer.can_write() {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }

    /// Refuses viewers who may not administer (accounts, settings, the audit log).
    pub(crate) fn require_admin(&self) -> Result<(), StoreError> {
        if self.viewer.is_admin() {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }

    /// Who the audit log names for what this handle does.
    pub(crate) fn actor(&self) -> Actor {
        Actor::from(self.viewer())
    }

    /// The row condition for this viewer over rows with a region and an owning organisation.
    pub(crate) fn rows(&self, region_col: &str, org_col: &str, ph: &mut Placeholders) -> Filter {
        viewer_filter(self.viewer(), region_col, org_col, ph)
    }

    /// A count as this viewer may be given it: suppressed below the deployment's threshold
    /// for the public, as it is for everyone else.
    pub(crate) fn disclose(&self, count: u64) -> Disclosed {
        if self.viewer.gets_suppressed_counts() {
            disclose(count, self.store.disclosure_threshold())
        } else {
            Disclosed::Count(count)
        }
    }
}
