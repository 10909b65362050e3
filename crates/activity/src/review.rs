//! Opening a review queue from a linkage run's uncertain pairs (`tinjauan.csv`): read by
//! intake, stored through the viewer's scoped handle (identifiers sealed there).

use sinergi_core::{Localized, RegionCode, Viewer};
use sinergi_store::Store;

use crate::ActivityError;

/// What a face hands over: the review file and where the queue belongs.
#[derive(Debug, Clone)]
pub struct ReviewUpload<'a> {
    pub bytes: &'a [u8],
    /// The queue's name; the file's name when empty.
    pub name: String,
    pub file_name: String,
    pub organisation_id: i64,
    pub region: RegionCode,
}

/// Reads the file and stores its pairs as a queue; returns the queue's id.
pub async fn open_review_queue(
    store: &Store,
    viewer: &Viewer,
    upload: ReviewUpload<'_>,
) -> Result<i64, ActivityError> {
    let parsed = sinergi_intake::read_review_file(upload.bytes)
        .map_err(|e| ActivityError::Refused(e.msg()))?;
    let name = match upload.name.trim() {
        "" => upload.file_name,
        n => n.to_string(),
    };
    Ok(store
        .scoped(viewer)
        .create_review_queue(
            upload.organisation_id,
            &upload.region,
            &name,
            &parsed.columns,
            &parsed.pairs,
        )
        .await?)
}

/// What the review queue page (`/tautan`) shows: the viewer's queues, the organisations it
/// may open one for, and the double-aid rounds with uncertain pairs waiting for it (reviewed
/// on the round's page, where each partner sees only its own line).
#[derive(Debug, Clone)]
pub struct ReviewOverview {
    pub queues: Vec<sinergi_store::ReviewQueue>,
    pub organisations: Vec<sinergi_store::Organisation>,
    pub double_aid: Vec<sinergi_store::PendingReview>,
}

pub async fn review_overview(
    store: &Store,
    viewer: &Viewer,
) -> Result<ReviewOverview, ActivityError> {
    let scoped = store.scoped(viewer);
    Ok(ReviewOverview {
        queues: scoped.review_queues().await?,
        organisations: scoped.organisations_acting_for().await?,
        double_aid: scoped.double_aid_pending_reviews().await?,
    })
}
