//! The region picker every per-region page shares: the way down from where the viewer may
//! start (its scope, or the provinces) to the region chosen, then the regions one level
//! below it. Choosing one and reloading the page goes a level deeper, so the picker works
//! without script and never lists more than one level's regions.

use sinergi_core::{RegionCode, Viewer};
use sinergi_store::Store;

use crate::ActivityError;

/// One option of the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionChoice {
    pub code: RegionCode,
    pub name: String,
    /// Steps below the picker's start (0 for a root), for indenting the option.
    pub depth: usize,
    pub chosen: bool,
}

/// The picker's options, in the order shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionChoices {
    pub options: Vec<RegionChoice>,
}

impl RegionChoices {
    /// The chosen region's name, if one is chosen.
    pub fn chosen_name(&self) -> Option<&str> {
        self.options
            .iter()
            .find(|o| o.chosen)
            .map(|o| o.name.as_str())
    }
}

/// The options for `viewer` with `chosen` selected: the viewer's roots (its scope's regions,
/// or every province), the way from the root above `chosen` down to it, and its children.
/// A chosen region outside the roots is shown from its province (the page it filters decides
/// what the viewer may see there).
pub async fn region_choices(
    store: &Store,
    viewer: &Viewer,
    chosen: Option<&RegionCode>,
) -> Result<RegionChoices, ActivityError> {
    let roots: Vec<RegionCode> = match viewer.picker_roots() {
        Some(r) => r.to_vec(),
        None => store
            .child_regions(None)
            .await?
            .into_iter()
            .map(|r| r.code)
            .collect(),
    };
    let Some(chosen) = chosen else {
        let names = store.region_names(&roots).await?;
        let options = roots
            .into_iter()
            .map(|code| RegionChoice {
                name: names.get(code.as_str()).cloned().unwrap_or_default(),
                code,
                depth: 0,
                chosen: false,
            })
            .collect();
        let mut out = RegionChoices { options };
        add_children_of_single_root(store, &mut out).await?;
        return Ok(out);
    };
    // The way down: the root holding `chosen` (or its province), then each level to it.
    let root = roots
        .iter()
        .find(|r| *r == chosen || r.contains(chosen))
        .cloned();
    let mut path: Vec<RegionCode> = chosen
        .ancestors()
        .into_iter()
        .filter(|a| root.as_ref().is_none_or(|r| r == a || r.contains(a)))
        .collect();
    path.push(chosen.clone());
    let children = store.child_regions(Some(chosen)).await?;
    let mut codes: Vec<RegionCode> = roots.clone();
    codes.extend(path.iter().cloned());
    let names = store.region_names(&codes).await?;
    let name = |c: &RegionCode| names.get(c.as_str()).cloned().unwrap_or_default();
    let depth_of_chosen = path.len() - 1;
    let mut way: Vec<RegionChoice> = path
        .iter()
        .enumerate()
        .map(|(depth, code)| RegionChoice {
            name: name(code),
            chosen: code == chosen,
            code: code.clone(),
            depth,
        })
        .collect();
    way.extend(children.into_iter().map(|r| RegionChoice {
        code: r.code,
        name: r.name,
        depth: depth_of_chosen + 1,
        chosen: false,
    }));
    // The other roots stay offered in their place, so a viewer can move across at once.
    let mut options = Vec::new();
    let mut placed = false;
    for r in &roots {
        if Some(r) == path.first() && !placed {
            options.append(&mut way);
            placed = true;
        } else {
            options.push(RegionChoice {
                code: r.clone(),
                name: name(r),
                depth: 0,
                chosen: false,
            });
        }
    }
    if !placed {
        options.append(&mut way);
    }
    Ok(RegionChoices { options })
}

/// A viewer with a single root (a kab/kota operator) sees that root's children at once.
async fn add_children_of_single_root(
    store: &Store,
    choices: &mut RegionChoices,
) -> Result<(), ActivityError> {
    if let [only] = choices.options.as_slice() {
        let children = store.child_regions(Some(&only.code)).await?;
        choices
            .options
            .extend(children.into_iter().map(|r| RegionChoice {
                code: r.code,
                name: r.name,
                depth: 1,
                chosen: false,
            }));
    }
    Ok(())
}
