//! The synthetic world, end to end through the real file writer, at small scales.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sinergi_core::{Nik, NoKk, PrefixStatus, RegionCode, Sex};
use sinergi_synth::{Config, World, facts, write_world};

/// NTB at 1 %, with 3,000 linkage records, written once for the tests that only read it.
fn ntb() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ntb");
        write_world(&Config::new("52", 0.01, 2025), &path, Some(3_000)).unwrap();
        (dir, path)
    });
    path
}

fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn same_seed_gives_identical_bytes_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let config = Config::new("63", 0.004, 7);
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    let c = tmp.path().join("c");
    write_world(&config, &a, Some(500)).unwrap();
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| write_world(&config, &b, Some(500)))
        .unwrap();
    write_world(&Config::new("63", 0.004, 8), &c, Some(500)).unwrap();
    let (fa, fb, fc) = (files_of(&a), files_of(&b), files_of(&c));
    assert!(
        fa.len() >= 4,
        "{:?}",
        fa.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(
        fa.iter().map(|f| &f.0).collect::<Vec<_>>(),
        fb.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{name} differs between runs with the same seed");
    }
    let people =
        |f: &[(String, Vec<u8>)]| f.iter().find(|x| x.0 == "penduduk.csv").unwrap().1.clone();
    assert_ne!(
        people(&fa),
        people(&fc),
        "another seed must give another world"
    );
    // No temporary files are left behind.
    assert!(fa.iter().all(|f| !f.0.contains(".tmp")), "{fa:?}");
}

#[test]
fn people_per_kabkota_follow_the_scaled_dukcapil_population() {
    let rows = read_csv(&ntb().join("penduduk.csv"));
    let mut per_kabkota: HashMap<String, u64> = HashMap::new();
    let mut sexes: HashMap<String, u64> = HashMap::new();
    for r in &rows {
        *per_kabkota
            .entry(r["kode_desa"][..5].to_string())
            .or_default() += 1;
        *sexes.entry(r["jenis_kelamin"].clone()).or_default() += 1;
    }
    for kk in facts::NTB.kabkota {
        let expected = (f64::from(kk.population()) * 0.01).round() as u64;
        assert_eq!(
            per_kabkota.get(kk.code).copied().unwrap_or(0),
            expected,
            "{}",
            kk.name
        );
    }
    let female = sexes["P"] as f64 / rows.len() as f64;
    assert!((0.48..0.53).contains(&female), "female share {female}");
    // Ids run 1..=N in file order.
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["id_orang"], (i + 1).to_string());
    }
    // Families: 3–4.2 people each on average (NTB: 5.75 M in ≈ 1.6 M families).
    let families = read_csv(&ntb().join("keluarga.csv"));
    let mean = rows.len() as f64 / families.len() as f64;
    assert!((3.2..4.2).contains(&mean), "mean family size {mean}");
}

#[test]
fn every_nik_and_kk_parses_and_agrees_with_the_person() {
    let regions = sinergi_refdata::wilayah().unwrap();
    let known: HashSet<String> = regions.iter().map(|r| r.code.digits()).collect();
    let prefixes = |code: &RegionCode| {
        if known.contains(&code.digits()) {
            PrefixStatus::Current
        } else {
            PrefixStatus::Unknown
        }
    };
    let rows = read_csv(&ntb().join("penduduk.csv"));
    let mut niks = HashSet::new();
    let mut moved_in = 0;
    for r in &rows {
        let parsed = Nik::parse(r["nik"].as_str(), Some(&prefixes))
            .unwrap_or_else(|e| panic!("{}: {e:?}", r["nik"]));
        assert!(
            parsed.warnings.is_empty(),
            "{} {:?}",
            r["nik"],
            parsed.warnings
        );
        let birth = chrono::NaiveDate::parse_from_str(&r["tanggal_lahir"], "%Y-%m-%d").unwrap();
        let sex = Sex::parse(&r["jenis_kelamin"]).unwrap();
        let warnings = parsed.nik.check_recorded(Some(birth), Some(sex));
        assert!(warnings.is_empty(), "{} {:?}", r["nik"], warnings);
        assert_eq!(parsed.nik.kecamatan().as_str(), r["kode_kecamatan_nik"]);
        if !r["kode_desa"].starts_with(&r["kode_kecamatan_nik"]) {
            moved_in += 1;
        }
        assert!(niks.insert(r["nik"].clone()), "NIK {} twice", r["nik"]);
        NoKk::parse(r["no_kk"].as_str(), Some(&prefixes)).unwrap();
    }
    // Most people were registered where they live; some moved in.
    let share = moved_in as f64 / rows.len() as f64;
    assert!((0.03..0.25).contains(&share), "moved-in share {share}");
    let mut kks = HashSet::new();
    for f in read_csv(&ntb().join("keluarga.csv")) {
        let kk = NoKk::parse(f["no_kk"].as_str(), Some(&prefixes)).unwrap();
        assert!(kk.warnings.is_empty());
        assert!(f["kode_desa"].starts_with(kk.no_kk.region().as_str()));
        assert!(kks.insert(f["no_kk"].clone()), "KK {} twice", f["no_kk"]);
        if !f["no_kk_lama"].is_empty() {
            NoKk::parse(f["no_kk_lama"].as_str(), None).unwrap();
            assert!(
                kks.insert(f["no_kk_lama"].clone()),
                "old KK {} reused",
                f["no_kk_lama"]
            );
        }
    }
}

#[test]
fn desil_one_is_calibrated_to_dtsen_and_to_each_kabkota_poverty() {
    // At scale 1.0 the plan holds exactly DTSEN 2025's 233,849 Desil I families for NTB.
    let full = World::plan(&Config::new("52", 1.0, 2025)).unwrap();
    assert_eq!(full.desil1(), 233_849);
    let rate = |k: usize| full.kabkota[k].desil1 as f64 / full.kabkota[k].families as f64;
    // Lombok Utara (P0 23.96 %) has a far larger Desil I share than Kota Mataram (8.00 %).
    assert!(rate(7) > 2.5 * rate(8), "{} vs {}", rate(7), rate(8));
    // The generated families carry exactly the planned counts.
    let small = World::plan(&Config::new("52", 0.01, 2025)).unwrap();
    let families = read_csv(&ntb().join("keluarga.csv"));
    let ones = families.iter().filter(|f| f["desil"] == "1").count() as u64;
    assert_eq!(ones, small.desil1());
    assert_eq!(ones, (233_849.0f64 * 0.01).round() as u64);
    let mut per_desa: HashMap<&str, u32> = HashMap::new();
    for f in families.iter().filter(|f| f["desil"] == "1") {
        *per_desa.entry(f["kode_desa"].as_str()).or_default() += 1;
    }
    for d in &small.desa {
        assert_eq!(
            per_desa.get(d.code.as_str()).copied().unwrap_or(0),
            d.desil1,
            "{}",
            d.code
        );
    }
    for f in &families {
        let d: u8 = f["desil"].parse().unwrap();
        assert!((1..=10).contains(&d));
        assert!(f["periode_dtsen"].starts_with("2025-Q"));
    }
}

#[test]
fn child_marriage_among_women_20_to_24_matches_ntb() {
    let reference = sinergi_synth::reference_date();
    let rows = read_csv(&ntb().join("penduduk.csv"));
    let (mut women, mut child_married) = (0u32, 0u32);
    for r in rows.iter().filter(|r| r["jenis_kelamin"] == "P") {
        let birth = chrono::NaiveDate::parse_from_str(&r["tanggal_lahir"], "%Y-%m-%d").unwrap();
        let age = sinergi_synth::people::age_at(birth, reference);
        if (20..=24).contains(&age) {
            women += 1;
            if r["umur_kawin_pertama"].parse::<u32>().is_ok_and(|a| a < 18) {
                child_married += 1;
            }
        }
        if r["status_kawin"] == "belum_kawin" {
            assert!(r["umur_kawin_pertama"].is_empty(), "{r:?}");
        } else {
            assert!(!r["umur_kawin_pertama"].is_empty(), "{r:?}");
        }
    }
    let share = f64::from(child_married) / f64::from(women) * 100.0;
    assert!(women > 2_000, "{women}");
    assert!(
        (share - 14.96).abs() < 0.5,
        "child marriage {share:.2} % of {women}"
    );
}

#[test]
fn names_follow_the_regional_patterns() {
    let rows = read_csv(&ntb().join("penduduk.csv"));
    let mut titled = 0;
    let mut muhammad = 0;
    for r in &rows {
        let name = &r["nama"];
        let first = name.split(' ').next().unwrap();
        let kabkota = &r["kode_desa"][..5];
        if first == "Lalu" || first == "Baiq" {
            titled += 1;
            assert!(
                sinergi_synth::names::is_sasak_area(kabkota),
                "{name} in {kabkota}"
            );
            assert_eq!(first == "Lalu", r["jenis_kelamin"] == "L", "{name}");
        }
        if sinergi_synth::names::MUHAMMAD_SPELLINGS.contains(&first) {
            muhammad += 1;
        }
    }
    assert!(titled > 100, "{titled} Lalu/Baiq");
    let spellings: HashSet<&str> = rows
        .iter()
        .filter_map(|r| {
            r["nama"]
                .split(' ')
                .find(|t| sinergi_synth::names::MUHAMMAD_SPELLINGS.contains(t))
        })
        .collect();
    assert!(
        muhammad > 500 && spellings.len() >= 5,
        "{muhammad} {spellings:?}"
    );
    // Jawa Tengah names are Javanese: no Sasak titles at all.
    let world = World::plan(&Config::new("33", 0.001, 1)).unwrap();
    let batch = world.generate_kecamatan(0);
    assert!(
        batch
            .families
            .iter()
            .flat_map(|f| &f.members)
            .all(|p| !p.name.starts_with("Lalu ") && !p.name.starts_with("Baiq "))
    );
}

#[test]
fn linkage_lists_have_duplicates_errors_and_a_ground_truth() {
    let records = read_csv(&ntb().join("linkage/records.csv"));
    let truth = read_csv(&ntb().join("linkage/truth.csv"));
    assert_eq!(records.len(), 3_000);
    let header = std::fs::read_to_string(ntb().join("linkage/records.csv")).unwrap();
    assert!(header.starts_with("id,nik,nama,jenis_kelamin,tanggal_lahir,no_kk,kode_desa\n"));
    let ids: HashSet<u64> = records.iter().map(|r| r["id"].parse().unwrap()).collect();
    assert_eq!(ids, (1..=3_000).collect());
    let person_of: HashMap<String, String> = truth
        .iter()
        .map(|t| (t["id"].clone(), t["person_id"].clone()))
        .collect();
    assert_eq!(person_of.len(), 3_000);
    let distinct: HashSet<&String> = person_of.values().collect();
    assert_eq!(
        distinct.len(),
        2_400,
        "20 % of the records are further copies"
    );

    // Records point to real people; a good share are exact, the rest carry each kind of error.
    let people: HashMap<String, HashMap<String, String>> = read_csv(&ntb().join("penduduk.csv"))
        .into_iter()
        .map(|r| (r["id_orang"].clone(), r))
        .collect();
    let (mut exact, mut missing_nik, mut bad_nik, mut swapped, mut other_name, mut other_kk) =
        (0, 0, 0, 0, 0, 0);
    for r in &records {
        let p = &people[&person_of[&r["id"]]];
        let same = r["nik"] == p["nik"]
            && r["nama"] == p["nama"]
            && r["tanggal_lahir"] == p["tanggal_lahir"]
            && r["no_kk"] == p["no_kk"];
        if same {
            exact += 1;
        }
        if r["nik"].is_empty() {
            missing_nik += 1;
        } else if r["nik"] != p["nik"] {
            bad_nik += 1;
        }
        if !r["tanggal_lahir"].is_empty() && r["tanggal_lahir"] != p["tanggal_lahir"] {
            assert_eq!(&r["tanggal_lahir"][..4], &p["tanggal_lahir"][..4]);
            assert_eq!(&r["tanggal_lahir"][5..7], &p["tanggal_lahir"][8..10]);
            swapped += 1;
        }
        if r["nama"] != p["nama"] {
            other_name += 1;
        }
        if !r["no_kk"].is_empty() && r["no_kk"] != p["no_kk"] {
            other_kk += 1;
        }
    }
    assert!(exact > 1_500 && exact < 2_800, "exact {exact}");
    for (what, n) in [
        ("missing NIK", missing_nik),
        ("damaged NIK", bad_nik),
        ("day/month swapped", swapped),
        ("name errors", other_name),
        ("old KK", other_kk),
    ] {
        assert!(n >= 10, "{what}: {n}");
    }
}

#[test]
fn bad_settings_are_refused_in_indonesian() {
    let err = World::plan(&Config::new("51", 0.1, 1))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("provinsi \"51\" belum didukung") && err.contains("52"),
        "{err}"
    );
    for scale in [0.0, -1.0, 2.5, f64::NAN] {
        let err = World::plan(&Config::new("52", scale, 1))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("skala") && err.contains("paling besar 2"),
            "{err}"
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let err = write_world(
        &Config::new("52", 0.001, 1),
        &tmp.path().join("x"),
        Some(20_000_000),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("--linkage 20000000 terlalu besar"), "{err}");
}

#[test]
fn linkage_beyond_the_small_world_draws_from_a_bigger_one() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = write_world(&Config::new("52", 0.001, 3), tmp.path(), Some(10_000)).unwrap();
    assert!(summary.people < 10_000);
    let scale = summary.linkage_scale.unwrap();
    assert!(scale > 0.001 && scale <= 0.01, "{scale}");
    let records = read_csv(&tmp.path().join("linkage/records.csv"));
    assert_eq!(records.len(), 10_000);
}

#[test]
fn programs_overlap_in_some_desa_and_miss_some_poor_ones() {
    let programs = read_csv(&ntb().join("program.csv"));
    let locations = read_csv(&ntb().join("program_lokasi.csv"));
    assert!(programs.len() >= 20);
    let mut per_desa: HashMap<&str, u32> = HashMap::new();
    for l in &locations {
        *per_desa.entry(l["kode_desa"].as_str()).or_default() += 1;
    }
    assert!(
        per_desa.values().any(|&n| n >= 2),
        "no desa with overlapping programs"
    );
    // Among the poorest desa (by Desil I share), some get no program at all.
    let aggregates = read_csv(&ntb().join("agregat_desil_desa.csv"));
    let mut poor: Vec<(f64, &str)> = aggregates
        .iter()
        .filter(|a| a["jumlah_keluarga"] != "0")
        .map(|a| {
            (
                a["desil_1"].parse::<f64>().unwrap() / a["jumlah_keluarga"].parse::<f64>().unwrap(),
                a["kode_desa"].as_str(),
            )
        })
        .collect();
    poor.sort_by(|a, b| b.0.total_cmp(&a.0));
    let unreached = poor[..poor.len() / 10]
        .iter()
        .filter(|p| !per_desa.contains_key(p.1))
        .count();
    assert!(unreached >= 10, "{unreached}");
    for p in &programs {
        assert!(p["anggaran_rp"].parse::<u64>().unwrap() > 0);
        assert!(p["id_mitra"].starts_with('M'));
    }
}

#[test]
fn beneficiary_lists_map_to_people_and_respect_the_desil_threshold() {
    let people: HashMap<String, HashMap<String, String>> = read_csv(&ntb().join("penduduk.csv"))
        .into_iter()
        .map(|r| (r["id_orang"].clone(), r))
        .collect();
    let family_desil: HashMap<String, u8> = read_csv(&ntb().join("keluarga.csv"))
        .into_iter()
        .map(|f| (f["no_kk"].clone(), f["desil"].parse().unwrap()))
        .collect();
    let programs: HashMap<String, HashMap<String, String>> = read_csv(&ntb().join("program.csv"))
        .into_iter()
        .map(|p| (p["id_program"].clone(), p))
        .collect();
    let truth = read_csv(&ntb().join("penerima/kebenaran.csv"));
    let mut lists: HashMap<String, Vec<HashMap<String, String>>> = HashMap::new();
    let mut persons_in_lists: HashMap<String, HashSet<String>> = HashMap::new();
    for t in &truth {
        let list = lists.entry(t["daftar"].clone()).or_insert_with(|| {
            let name = if t["daftar"] == "tunas_negeri" {
                "tunas_negeri.csv".to_string()
            } else {
                format!("penerima/{}.csv", t["daftar"])
            };
            read_csv(&ntb().join(name))
        });
        let row = &list[t["id"].parse::<usize>().unwrap() - 1];
        assert_eq!(row["id"], t["id"]);
        let person = &people[&t["person_id"]];
        assert!(
            row["kode_desa"].is_empty() || row["kode_desa"] == person["kode_desa"],
            "{row:?} vs {person:?}"
        );
        if let Some(p) = programs.get(&t["daftar"]) {
            let desil = family_desil[&person["no_kk"]];
            let max: u8 = p["desil_maks"].parse().unwrap();
            assert!(
                desil <= max + 1,
                "{} desil {desil} in {}",
                t["person_id"],
                p["id_program"]
            );
        }
        persons_in_lists
            .entry(t["person_id"].clone())
            .or_default()
            .insert(t["daftar"].clone());
    }
    assert!(lists.len() > 10);
    // Some people receive from two partners: what the overlap check must find.
    assert!(
        persons_in_lists.values().any(|l| l.len() >= 2),
        "no person in two lists"
    );
    // XLSX copies exist for the partner-facing files.
    for name in [
        "program.xlsx",
        "lks.xlsx",
        "mitra.xlsx",
        "tunas_negeri.xlsx",
        "penerima/P001.xlsx",
    ] {
        let bytes = std::fs::read(ntb().join(name)).unwrap();
        assert!(bytes.starts_with(b"PK"), "{name} is not a zip/xlsx");
    }
}

#[test]
fn tunas_negeri_has_40_children_from_14_schools_in_masbagik() {
    let rows = read_csv(&ntb().join("tunas_negeri.csv"));
    assert_eq!(rows.len(), 40);
    let schools: HashSet<&str> = rows.iter().map(|r| r["sekolah"].as_str()).collect();
    assert_eq!(schools.len(), 14, "{schools:?}");
    let truth = read_csv(&ntb().join("penerima/kebenaran.csv"));
    let people: HashMap<String, HashMap<String, String>> = read_csv(&ntb().join("penduduk.csv"))
        .into_iter()
        .map(|r| (r["id_orang"].clone(), r))
        .collect();
    for t in truth.iter().filter(|t| t["daftar"] == "tunas_negeri") {
        let p = &people[&t["person_id"]];
        assert!(p["kode_desa"].starts_with("52.03.05."), "{p:?}");
        assert_eq!(p["partisipasi_sekolah"], "masih_sekolah");
    }
}

#[test]
fn organisations_follow_the_field_facts() {
    let tmp = tempfile::tempdir().unwrap();
    write_world(&Config::new("63", 0.001, 1), tmp.path(), None).unwrap();
    let lkks = read_csv(&tmp.path().join("lkks.csv"));
    assert_eq!(lkks.len(), 14, "province + 13 kab/kota");
    for r in &lkks {
        let not_formed = r["status_pembentukan"] == "belum_dibentuk";
        assert_eq!(
            not_formed,
            r["kode_wilayah"] == "63.10" || r["kode_wilayah"] == "63.02",
            "{r:?}"
        );
    }
    let lks = read_csv(&tmp.path().join("lks.csv"));
    assert_eq!(lks.len(), 199);
    for l in &lks {
        match l["akreditasi"].as_str() {
            "belum" => assert!(l["akreditasi_berlaku_sampai"].is_empty()),
            grade => {
                let from: i32 = l["tanggal_akreditasi"][..4].parse().unwrap();
                let to: i32 = l["akreditasi_berlaku_sampai"][..4].parse().unwrap();
                let years = match grade {
                    "A" => 5,
                    "B" => 3,
                    _ => 2,
                };
                assert!((to - from - years).abs() <= 1, "{l:?}");
            }
        }
    }
    // No NTB-only files outside NTB.
    assert!(!tmp.path().join("tunas_negeri.csv").exists());
    assert!(!tmp.path().join("strategi_indikator.csv").exists());
    let strategy = read_csv(&ntb().join("strategi_indikator.csv"));
    let child = strategy
        .iter()
        .find(|s| s["kode_indikator"] == "IK2.1")
        .unwrap();
    assert_eq!(
        (child["baseline"].as_str(), child["target_2030"].as_str()),
        ("14.96", "13")
    );
    let poverty = strategy
        .iter()
        .find(|s| s["kode_indikator"] == "IK1.1")
        .unwrap();
    assert_eq!(poverty["baseline"], "12.91");
    assert!(poverty["target_2029"].parse::<f64>().unwrap() < 10.0);
}
