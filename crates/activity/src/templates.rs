//! What an import template offers as region choices: the kab/kota names of the viewer's area
//! (a drop-down) and, when the area is small enough for a sheet, its desa codes.

use sinergi_core::{Level, RegionCode, Viewer};
use sinergi_store::Store;

use crate::ActivityError;

/// More desa than this and the template leaves the desa list out (a province has up to
/// ~8,000; the whole country 83,762, too many for a drop-down or a quick download).
const MAX_DESA: usize = 20_000;

/// The region lists an import template offers.
#[derive(Debug, Clone, Default)]
pub struct TemplateRegions {
    /// Kab/kota names as the register writes them ("Kabupaten Lombok Timur").
    pub kabkota: Vec<String>,
    /// Desa/kelurahan codes with a label ("Danger, Masbagik"), empty when the area is too
    /// large.
    pub desa: Vec<(String, String)>,
}

/// The regions of `within`, or of the viewer's scope when not given (the whole register
/// for a system or unscoped viewer).
pub async fn template_regions(
    store: &Store,
    viewer: &Viewer,
    within: Option<RegionCode>,
) -> Result<TemplateRegions, ActivityError> {
    // The area the importers check rows against: the scope's regions, or a partner's seat.
    let area: Vec<RegionCode> = match (within, viewer.principal()) {
        (Some(code), _) => vec![code],
        (None, Some(p)) if p.scope.regions.is_empty() => store
            .scoped(viewer)
            .organisations_acting_for()
            .await?
            .into_iter()
            .map(|o| o.region)
            .take(1)
            .collect(),
        (None, Some(p)) => p.scope.regions.clone(),
        (None, None) => Vec::new(),
    };
    let index = store.region_name_index(&area).await?;
    let mut regions: Vec<&sinergi_core::region_match::NamedRegion> =
        index.regions().iter().collect();
    regions.sort_by(|a, b| a.code.cmp(&b.code));
    let kabkota = regions
        .iter()
        .filter(|r| r.code.level() == Level::KabKota)
        .map(|r| r.name.clone())
        .collect();
    let desa_count = regions
        .iter()
        .filter(|r| r.code.level() == Level::Desa)
        .count();
    let desa = if desa_count > MAX_DESA {
        Vec::new()
    } else {
        let name = |code: Option<RegionCode>| {
            code.and_then(|c| index.get(&c).map(|r| r.name.clone()))
                .unwrap_or_default()
        };
        regions
            .iter()
            .filter(|r| r.code.level() == Level::Desa)
            .map(|r| {
                let label = format!("{}, {}", r.name, name(r.code.parent()));
                (r.code.as_str().to_string(), label)
            })
            .collect()
    };
    Ok(TemplateRegions { kabkota, desa })
}
