//! Opening the database and loading reference data on first start.

use std::time::Instant;

use anyhow::Context;
use sinergi_store::{DatabaseTarget, Store};

use crate::args::KeyArgs;

/// Opens (creating and migrating) the database, and loads the embedded region list into
/// an empty one.
/// The key is attached when one is configured or a development key exists, so the audit
/// chain (keyed with it) can be appended to and verified.
pub async fn open(database: &str) -> anyhow::Result<Store> {
    let target = DatabaseTarget::parse(database)?;
    let key = crate::key::existing(&target)?;
    let mut store = Store::open(target).await?;
    if let Some(key) = key {
        store = store.with_key(key).await?;
    }
    ensure_regions(&store).await?;
    Ok(store)
}

/// Opens the database with the key for personal data attached (checked against the data).
pub async fn open_with_key(database: &str, key: &KeyArgs) -> anyhow::Result<Store> {
    let target = DatabaseTarget::parse(database)?;
    let pii = crate::key::load(key, &target)?;
    let store = Store::open(target).await?;
    ensure_regions(&store).await?;
    Ok(store.with_key(pii).await?)
}

/// On first start, loads the embedded current region list and, as history, the codes of the
/// 2016–2023 lists it no longer has (so an old NIK prefix is known as historical).
pub async fn ensure_regions(store: &Store) -> anyhow::Result<()> {
    if store.region_count().await? == 0 {
        load_regions(store).await?;
    }
    ensure_boundaries(store).await
}

/// The embedded boundaries go in when none are held, so maps show areas from the first
/// start; `sinergi geo import` replaces them with better ones code by code.
async fn ensure_boundaries(store: &Store) -> anyhow::Result<()> {
    if !store.boundary_counts().await?.is_empty() {
        return Ok(());
    }
    let started = Instant::now();
    let boundaries = sinergi_refdata::boundaries().context("batas wilayah bawaan tidak terbaca")?;
    let stored = store
        .seed_boundaries(&boundaries, sinergi_refdata::BOUNDARY_SOURCE)
        .await?;
    tracing::info!(
        "batas wilayah bawaan dimuat: {stored} wilayah dalam {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn load_regions(store: &Store) -> anyhow::Result<()> {
    let started = Instant::now();
    let lists = sinergi_refdata::wilayah_lists().context("data wilayah bawaan tidak terbaca")?;
    let mut added = 0;
    for list in &lists {
        added += store
            .apply_region_list(&list.entries, list.effective, list.source)
            .await?
            .added;
    }
    tracing::info!(
        "data wilayah bawaan dimuat: {added} wilayah ({} daftar) dalam {:.1} s",
        lists.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
