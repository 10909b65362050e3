use sinergi_core::{Localized, Msg};
use sinergi_store::StoreError;
use thiserror::Error;

/// Why a use case did not do what was asked.
#[derive(Debug, Error)]
pub enum ActivityError {
    /// The input was refused; the message says what to correct.
    #[error("{0}")]
    Refused(Msg),
    /// The viewer may not do this.
    #[error("forbidden")]
    Forbidden,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Localized for ActivityError {
    fn msg(&self) -> Msg {
        match self {
            ActivityError::Refused(m) => m.clone(),
            ActivityError::Forbidden => Msg::new("error.store_forbidden"),
            ActivityError::Store(e) => e.msg(),
        }
    }
}
