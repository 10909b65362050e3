//! Demo of the Indeks Prioritas (issue 22): the default method saved as version 1 and the
//! kab/kota ranking of NTB published, so `/prioritas` opens with a named method version and
//! an operator can publish at once.

use sinergi_activity::priority;
use sinergi_core::{Level, RegionCode, Viewer};
use sinergi_store::Store;

/// Saves the method and publishes the province's kab/kota ranking. Returns the ranking id.
pub async fn load(store: &Store) -> anyhow::Result<i64> {
    let system = Viewer::System("demo");
    let definition = serde_json::to_string(&priority::default_definition())?;
    priority::save_method(store, &system, &definition, Some("metode awal demo"))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let ntb = RegionCode::parse("52")?;
    priority::publish(store, &system, Level::KabKota, Some(ntb))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}
