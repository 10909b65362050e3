//! Region names against the real 2025 Kemendagri list (../shared/data, when present): every
//! desa of NTB, Jawa Tengah and Kalimantan Selatan written the many ways partners write them.

use std::path::PathBuf;
use std::time::Instant;

use sinergi_core::region_match::{NamedRegion, RegionNameIndex, Resolution, RowPlace};
use sinergi_core::{Level, RegionCode, RegionKind};

/// The shared data folder next to the repository (the main checkout or a worktree under it).
fn shared_list() -> Option<PathBuf> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    ["../../../shared/data", "../../../../shared/data"]
        .iter()
        .map(|p| here.join(p).join("wilayah/cahyadsn/wilayah_2025.csv"))
        .find(|p| p.exists())
}

fn load() -> Option<Vec<NamedRegion>> {
    let Some(path) = shared_list() else {
        eprintln!("!!! SKIPPED: ../shared/data/wilayah/cahyadsn/wilayah_2025.csv not present !!!");
        return None;
    };
    let text = std::fs::read_to_string(path).unwrap();
    Some(
        text.lines()
            .skip(1)
            .map(|line| {
                let mut cols = line.splitn(3, ',');
                let code = RegionCode::parse(cols.next().unwrap()).unwrap();
                let name = cols.next().unwrap().to_string();
                NamedRegion {
                    kind: RegionKind::infer(&code, &name),
                    code,
                    name,
                }
            })
            .collect(),
    )
}

/// A tiny deterministic generator, so a failure names a reproducible case.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[(self.next() % options.len() as u64) as usize]
    }
}

/// The name as a partner might type it: case, a prefix, stray punctuation and spaces.
fn messy(rng: &mut Rng, prefixes: &[&str], name: &str) -> String {
    let cased = match rng.next() % 3 {
        0 => name.to_uppercase(),
        1 => name.to_lowercase(),
        _ => name.to_string(),
    };
    let spaced = cased.replace(' ', rng.pick(&[" ", "  ", " - ", " "]));
    format!(
        "{}{}{}",
        rng.pick(&["", " ", "  "]),
        rng.pick(prefixes),
        spaced
    ) + rng.pick(&["", " ", ".", " ,"])
}

fn resolved(r: &Resolution) -> Option<(&str, usize)> {
    match r {
        Resolution::Resolved { code, warnings } => Some((code.as_str(), warnings.len())),
        _ => None,
    }
}

#[test]
fn every_desa_of_three_provinces_resolves_however_written() {
    let Some(regions) = load() else { return };
    let started = Instant::now();
    let index = RegionNameIndex::new(regions.clone());
    eprintln!(
        "index of {} regions built in {:?}",
        index.len(),
        started.elapsed()
    );
    let name_of = |code: &RegionCode| index.get(code).unwrap().name.clone();
    let mut rng = Rng(0x5eed);
    let mut checked = 0;
    let mut names_in_kecamatan: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    for r in regions.iter().filter(|r| r.code.level() == Level::Desa) {
        let kec = r.code.parent().unwrap().as_str().to_string();
        *names_in_kecamatan
            .entry((kec, r.name.to_lowercase()))
            .or_default() += 1;
    }
    for r in regions.iter().filter(|r| {
        r.code.level() == Level::Desa && ["52", "33", "63"].contains(&&r.code.as_str()[..2])
    }) {
        let kec = r.code.parent().unwrap();
        let kab = kec.parent().unwrap();
        let prov = kab.parent().unwrap();
        let kab_name = name_of(&kab);
        let kab_written = match index.get(&kab).unwrap().kind {
            RegionKind::Kota => messy(
                &mut rng,
                &["Kota ", "KOTA. "],
                kab_name.trim_start_matches("Kota "),
            ),
            _ => messy(
                &mut rng,
                &["Kab. ", "Kabupaten ", "KAB ", ""],
                kab_name.trim_start_matches("Kabupaten "),
            ),
        };
        let prov_written = messy(&mut rng, &["", "Provinsi ", "Prov. "], &name_of(&prov));
        let kec_written = messy(
            &mut rng,
            &["", "Kec. ", "Kecamatan ", "KEC "],
            &name_of(&kec),
        );
        let desa_prefixes: &[&str] = if r.kind == RegionKind::Kelurahan {
            &["", "Kel. ", "Kelurahan "]
        } else {
            &["", "Desa ", "Ds. ", "DS "]
        };
        let desa_written = messy(&mut rng, desa_prefixes, &r.name);
        let place = RowPlace {
            provinsi: &prov_written,
            kabkota: &kab_written,
            kecamatan: &kec_written,
            desa: &desa_written,
        };
        let twins = names_in_kecamatan[&(kec.as_str().to_string(), r.name.to_lowercase())];
        let got = index.resolve_place(place);
        if twins > 1 {
            assert!(
                matches!(got, Resolution::Ambiguous { .. }),
                "{place:?}: {got:?}"
            );
        } else {
            assert_eq!(resolved(&got), Some((r.code.as_str(), 0)), "{place:?}");
        }
        checked += 1;
    }
    assert!(checked > 10_000, "{checked}");
}

#[test]
fn one_letter_slips_resolve_with_a_warning_or_are_refused_never_misread() {
    let Some(regions) = load() else { return };
    let index = RegionNameIndex::new(regions.clone());
    let mut rng = Rng(42);
    let (mut read, mut refused) = (0, 0);
    for r in regions.iter().filter(|r| {
        r.code.level() == Level::Kecamatan && ["52", "33", "63"].contains(&&r.code.as_str()[..2])
    }) {
        let kab = r.code.parent().unwrap();
        let chars: Vec<char> = r.name.chars().collect();
        if chars.len() < 7 {
            continue;
        }
        // Drop one letter, or swap two neighbours: the slips typing makes.
        let at = 1 + (rng.next() as usize % (chars.len() - 2));
        let mut slipped = chars.clone();
        if rng.next().is_multiple_of(2) {
            slipped.remove(at);
        } else {
            slipped.swap(at, at + 1);
        }
        let slipped: String = slipped.into_iter().collect();
        let compact = |s: &str| s.replace(' ', "").to_lowercase();
        if compact(&slipped) == compact(&r.name) {
            continue;
        }
        let kab_name = index.get(&kab).unwrap().name.clone();
        let got = index.resolve_place(RowPlace {
            kabkota: &kab_name,
            kecamatan: &slipped,
            ..Default::default()
        });
        match &got {
            Resolution::Resolved { code, warnings } => {
                assert_eq!(code, &r.code, "{slipped} misread");
                assert_eq!(warnings.len(), 1, "{slipped}: a spelling fix must warn");
                assert_eq!(warnings[0].key, "region_match.spelling");
                read += 1;
            }
            Resolution::Unknown { suggestions, .. } => {
                assert!(
                    suggestions.iter().any(|s| s.contains(r.code.as_str())),
                    "{slipped}: {suggestions:?}"
                );
                refused += 1;
            }
            other => panic!("{slipped}: {other:?}"),
        }
    }
    assert!(read > 500, "read {read}, refused {refused}");
    // The strict lookup never reads a misspelling.
    let err = index
        .resolve(sinergi_core::region_match::PlaceNames {
            kabkota: "Lombok Timur",
            kecamatan: "Masbagk",
            desa: "",
        })
        .unwrap_err();
    assert_eq!(err.column(), "kecamatan");
}

#[test]
fn real_names_as_written_in_ntb_jateng_and_kalsel() {
    let Some(regions) = load() else { return };
    let index = RegionNameIndex::new(regions);
    let code = |p: &str, k: &str, c: &str, d: &str| {
        let got = index.resolve_place(RowPlace {
            provinsi: p,
            kabkota: k,
            kecamatan: c,
            desa: d,
        });
        match got {
            Resolution::Resolved { code, warnings } => {
                format!("{code}{}", "!".repeat(warnings.len()))
            }
            Resolution::Ambiguous { candidates, .. } => format!("ambiguous {}", candidates.len()),
            Resolution::Unknown { suggestions, .. } => format!("unknown {}", suggestions.join("|")),
        }
    };
    // Local short names.
    assert_eq!(code("", "Lotim", "", ""), "52.03");
    assert_eq!(code("NTB", "LOTENG", "", ""), "52.02");
    assert_eq!(code("", "Kab. Lobar", "", ""), "52.01");
    assert_eq!(code("", "KLU", "", ""), "52.08");
    assert_eq!(code("", "KSB", "", ""), "52.07");
    assert_eq!(code("Kalsel", "HSU", "", ""), "63.08");
    assert_eq!(code("", "hst", "", ""), "63.07");
    assert_eq!(code("", "H.S.S.", "", ""), "63.06");
    assert_eq!(code("", "Batola", "", ""), "63.04");
    // "Kota Baru" is the kabupaten Kotabaru, not a kota.
    assert_eq!(code("", "Kota Baru", "", ""), "63.02");
    assert_eq!(code("", "Kab. Kotabaru", "", ""), "63.02");
    // Kabupaten and kota of the same name.
    assert_eq!(code("", "Bima", "", ""), "ambiguous 2");
    assert_eq!(code("", "Kota Bima", "", ""), "52.72");
    assert_eq!(code("", "kab bima", "", ""), "52.06");
    assert_eq!(code("Jateng", "Kota Semarang", "", ""), "33.74");
    assert_eq!(code("", "Kabupaten Semarang", "", ""), "33.22");
    assert_eq!(code("", "Semarang", "", ""), "ambiguous 2");
    // ... settled by the kecamatan only one of them has.
    assert_eq!(
        code("", "Bima", "Kec. Monta", "Desa Monta"),
        "52.06.01.2010"
    );
    // Prefixes, case and punctuation.
    assert_eq!(
        code("", "LOMBOK TIMUR", "kec. masbagik", "DS. DANGER"),
        "52.03.05.2006"
    );
    // The same desa name in several kecamatan of one kabupaten: refused, never guessed.
    assert_eq!(code("", "Sumbawa", "", "Jorok"), "ambiguous 2");
    assert_eq!(code("", "Lombok Timur", "", "Pringgasela"), "52.03.12.2002");
    assert!(code("", "", "", "Sukamaju").starts_with("ambiguous"));
    // A slip of the pen is read, with a warning.
    assert_eq!(code("", "Lombok Timur", "Masbagk", ""), "52.03.05!");
    assert_eq!(code("", "Lombok Timor", "", ""), "52.03!");
    // Unknown: refused with the closest names.
    assert_eq!(code("", "Atlantis", "", ""), "unknown ");
    let far = code("", "Lombok Timur", "Masbgkk Utr", "");
    assert!(far.starts_with("unknown"), "{far}");
    // Provinsi given and contradicting: refused.
    assert!(code("Jawa Tengah", "Lombok Timur", "", "").starts_with("unknown"));
    assert_eq!(code("", "", "", ""), "unknown ");
}

#[test]
fn a_million_rows_resolve_in_seconds() {
    let Some(regions) = load() else { return };
    let index = RegionNameIndex::new(regions.clone());
    let places: Vec<(String, String, String)> = regions
        .iter()
        .filter(|r| r.code.level() == Level::Desa && r.code.as_str().starts_with("52."))
        .map(|r| {
            let kec = r.code.parent().unwrap();
            let kab = kec.parent().unwrap();
            (
                index.get(&kab).unwrap().name.clone(),
                index.get(&kec).unwrap().name.clone(),
                r.name.clone(),
            )
        })
        .collect();
    let started = Instant::now();
    let mut resolver = index.cached();
    let mut ok = 0;
    for i in 0..1_000_000 {
        let (k, c, d) = &places[i % places.len()];
        let got = resolver.resolve(RowPlace {
            provinsi: "",
            kabkota: k,
            kecamatan: c,
            desa: d,
        });
        ok += matches!(got, Resolution::Resolved { .. }) as usize;
    }
    let took = started.elapsed();
    eprintln!("1,000,000 rows over {} places: {took:?}", places.len());
    assert!(ok > 990_000, "{ok}");
    // Generous for an unoptimised test build on a shared machine; release is far faster.
    assert!(took.as_secs() < 20, "{took:?}");
}
