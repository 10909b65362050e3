//! `sinergi wilayah …`: import an official list, look a code up, search by name.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use sinergi_core::{Localized, RegionCode, RegionQuery};
use sinergi_store::{Page, StoreError};

pub async fn import(
    file: &Path,
    effective: Option<NaiveDate>,
    source: Option<String>,
    database: &str,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file)
        .with_context(|| format!("berkas {} tidak bisa dibaca", file.display()))?;
    let t = crate::lang::messages();
    let list = sinergi_intake::wilayah::read_region_list(&bytes).map_err(|e| {
        anyhow!(
            "berkas {} ditolak, tidak ada yang disimpan. {}",
            file.display(),
            crate::lang::row_errors(&t, &e.0, 0)
        )
    })?;
    let lines: HashMap<RegionCode, u64> = list
        .iter()
        .map(|(line, e)| (e.code.clone(), *line))
        .collect();
    let entries: Vec<_> = list.into_iter().map(|(_, e)| e).collect();
    let store = crate::setup::open(database).await?;
    let effective = effective.unwrap_or_else(|| chrono::Local::now().date_naive());
    let source = source.unwrap_or_else(|| {
        file.file_name()
            .map_or("impor".into(), |n| n.to_string_lossy().into_owned())
    });
    let summary = match store.apply_region_list(&entries, effective, &source).await {
        Ok(s) => s,
        Err(StoreError::RegionListRejected(refused)) => {
            let rows: Vec<String> = refused
                .iter()
                .map(|r| match lines.get(&r.code) {
                    Some(line) => {
                        format!("  baris {line}, kode {}: {}", r.code, t.render(&r.reason))
                    }
                    None => format!("  kode {}: {}", r.code, t.render(&r.reason)),
                })
                .collect();
            return Err(anyhow!(
                "berkas {} ditolak, tidak ada yang disimpan. {} baris ditolak:\n{}",
                file.display(),
                rows.len(),
                rows.join("\n")
            ));
        }
        Err(e) => return Err(anyhow!(t.render(&e.msg()))),
    };
    if summary.historical {
        println!(
            "Daftar lama (berlaku {effective}) dicatat sebagai riwayat: {} kode lama ditambahkan, {} nama lama dicatat.",
            summary.added, summary.renamed
        );
    } else {
        println!(
            "Daftar wilayah diterapkan (berlaku {effective}): {} ditambah, {} berganti nama, {} tidak berlaku lagi, {} berlaku kembali.",
            summary.added, summary.renamed, summary.retired, summary.reactivated
        );
    }
    Ok(())
}

pub async fn show(code: &str, database: &str) -> anyhow::Result<()> {
    let code =
        RegionCode::parse(code).map_err(|e| anyhow!(crate::lang::messages().render(&e.msg())))?;
    let store = crate::setup::open(database).await?;
    let region = store
        .region(&code)
        .await?
        .ok_or_else(|| anyhow!("kode wilayah {code} tidak dikenal"))?;
    let trail: Vec<String> = store
        .region_ancestors(&code)
        .await?
        .into_iter()
        .map(|a| a.name)
        .collect();
    println!("{}  {}  ({})", region.code, region.name, region.kind.key());
    if !trail.is_empty() {
        println!("di: {}", trail.join(" › "));
    }
    if let (Some(lat), Some(lon)) = (region.latitude, region.longitude) {
        println!("koordinat: {lat:.5}, {lon:.5}");
    }
    if let Some(from) = region.valid_from {
        println!("berlaku sejak: {from}");
    }
    if let Some(to) = region.valid_to {
        match &region.replaced_by {
            Some(next) => println!("tidak berlaku sejak {to}; diganti oleh {next}"),
            None => println!("tidak berlaku sejak {to}"),
        }
    }
    for (name, _, to) in store.region_former_names(&code).await? {
        println!(
            "nama sebelumnya: {name}{}",
            to.map(|d| format!(" (sampai {d})")).unwrap_or_default()
        );
    }
    if region.is_current() {
        let below = store.region_counts_below(Some(&code)).await?;
        let parts: Vec<String> = [
            ("kab/kota", below.kabkota),
            ("kecamatan", below.kecamatan),
            ("desa/kelurahan", below.desa),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(label, n)| format!("{n} {label}"))
        .collect();
        if !parts.is_empty() {
            println!("di bawahnya: {}", parts.join(", "));
        }
    }
    Ok(())
}

pub async fn search(name: &str, limit: u32, database: &str) -> anyhow::Result<()> {
    let query = RegionQuery::parse(name).ok_or_else(|| anyhow!("nama yang dicari kosong"))?;
    let store = crate::setup::open(database).await?;
    let found = store
        .search_regions(&query, Page::new(Some(1), Some(limit), limit))
        .await?;
    if found.items.is_empty() {
        println!("Tidak ada wilayah yang cocok dengan \"{name}\".");
        return Ok(());
    }
    let mut codes: Vec<RegionCode> = found
        .items
        .iter()
        .flat_map(|r| r.code.ancestors())
        .collect();
    codes.sort();
    codes.dedup();
    let names = store.region_names(&codes).await?;
    for r in &found.items {
        let trail: Vec<&str> = r
            .code
            .ancestors()
            .iter()
            .filter_map(|a| names.get(a.as_str()).map(String::as_str))
            .collect();
        let retired = if r.is_current() {
            ""
        } else {
            "  [tidak berlaku]"
        };
        println!(
            "{:<14} {}  — {}{retired}",
            r.code.as_str(),
            r.name,
            trail.join(" › ")
        );
    }
    if found.total > found.items.len() as u64 {
        println!(
            "… {} hasil, {} ditampilkan (ubah dengan --batas)",
            found.total,
            found.items.len()
        );
    }
    Ok(())
}
