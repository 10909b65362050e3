//! The engine end to end on synthetic lists with known truth: EM, accuracy, constraints,
//! model reuse and reviewer decisions.

use sinergi_core::Table;
use sinergi_link::{Decision, Input, Linker, Model, Settings};

fn table(csv: &str) -> Table {
    sinergi_intake::read_csv_table(csv.as_bytes()).unwrap()
}

fn truth_labels(linker: &Linker<'_>, truth: &Table) -> Vec<u64> {
    let mut labels = vec![u64::MAX; linker.records()];
    for row in 0..truth.rows() {
        let r = linker.find(0, truth.columns[0].get(row)).unwrap();
        labels[r as usize] = truth.columns[1].get(row)[1..].parse().unwrap();
    }
    labels
}

#[test]
fn em_learns_a_model_that_finds_duplicates() {
    let (records, truth) = sinergi_testkit::people::people_csv(800, 7);
    let (records, truth) = (table(&records), table(&truth));
    let linker = Linker::new(
        Settings::person_preset(),
        vec![Input {
            name: "records.csv".into(),
            table: &records,
        }],
    )
    .unwrap();
    let labels = truth_labels(&linker, &truth);
    let o = linker.run(None, &[], Some(&labels));
    let e = o.evaluation.unwrap();
    assert!(e.true_pairs > 100, "{e:?}");
    assert!(e.blocking_recall > 0.97, "{e:?}");
    assert!(e.f1 > 0.95 && e.cluster_f1 > 0.95, "{e:?}");
    // EM learnt that an exact NIK is strong evidence and a different name is against.
    let nik = &o.model.perbandingan[0];
    assert!(nik.dilatih && nik.m[0] > 0.5 && nik.u[0] < 0.01, "{nik:?}");
    let name = &o.model.perbandingan[1];
    assert!(name.m.last().unwrap() < name.u.last().unwrap(), "{name:?}");
    // Clusters never hold two valid NIKs that cannot be one person's typo.
    let nik_col = records.column_index("nik").unwrap();
    for p in o.pairs.iter().filter(|p| p.same_cluster) {
        let (a, b) = (
            records.columns[nik_col].get(p.a as usize),
            records.columns[nik_col].get(p.b as usize),
        );
        if a.len() == 16 && b.len() == 16 && a != b {
            let differing = a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count();
            assert!(differing <= 2, "{a} and {b} clustered");
        }
    }
}

#[test]
fn different_valid_niks_never_share_a_cluster_and_size_is_capped() {
    // Five records that agree on everything but carry five different valid NIKs.
    let mut csv = String::from("id,nik,nama,jenis_kelamin,tanggal_lahir,no_kk,kode_desa\n");
    let niks = [
        "5203014506890001",
        "3174011203950002",
        "5271015506890003",
        "1101014506890004",
        "6301014506890005",
    ];
    for (i, nik) in niks.iter().enumerate() {
        csv.push_str(&format!(
            "A{i},{nik},Siti Aminah,P,1989-06-05,5203010101010001,5203012001\n"
        ));
    }
    // Plus a clean population so u and EM have material.
    let (more, _) = sinergi_testkit::people::people_csv(300, 3);
    csv.push_str(more.split_once('\n').unwrap().1);
    let t = table(&csv);
    let mut settings = Settings::person_preset();
    let linker = Linker::new(
        settings.clone(),
        vec![Input {
            name: "x".into(),
            table: &t,
        }],
    )
    .unwrap();
    let o = linker.run(None, &[], None);
    let clusters: std::collections::HashSet<u32> = (0..5).map(|r| o.clusters[r]).collect();
    assert_eq!(clusters.len(), 5, "different NIKs stay apart");
    // With the NIK column gone the five are one person, but a cluster holds at most 3.
    settings.comparisons.remove(0);
    settings
        .blocking
        .retain(|b| !b.keys.iter().any(|k| k.starts_with("nik")));
    settings.max_cluster_size = 3;
    // The NIK column stays in the file but is no longer compared.
    let linker = Linker::new(
        settings,
        vec![Input {
            name: "x".into(),
            table: &t,
        }],
    )
    .unwrap();
    let o = linker.run(None, &[], None);
    let mut sizes = std::collections::HashMap::new();
    for c in &o.clusters {
        *sizes.entry(*c).or_insert(0) += 1;
    }
    assert!(sizes.values().all(|s| *s <= 3), "{sizes:?}");
    assert_eq!(sizes[&o.clusters[0]], 3);
    assert!(o.stats.refused_too_large > 0);
}

#[test]
fn saved_models_give_the_same_results_and_decisions_are_honoured() {
    let (records, _) = sinergi_testkit::people::people_csv(400, 11);
    let t = table(&records);
    let mut settings = Settings::person_preset();
    // Without the NIK constraint, so that an accepted pair of strangers can always be joined.
    settings.comparisons[0].person_key = false;
    let linker = Linker::new(
        settings.clone(),
        vec![Input {
            name: "r".into(),
            table: &t,
        }],
    )
    .unwrap();
    let first = linker.run(None, &[], None);
    let json = first.model.to_json();
    let loaded = Model::from_json(&json, &settings).unwrap();
    let again = linker.run(Some(loaded), &[], None);
    assert_eq!(first.clusters, again.clusters);
    let probs = |o: &sinergi_link::Outcome| {
        o.pairs
            .iter()
            .map(|p| (p.a, p.b, (p.probability * 1e9).round() as i64))
            .collect::<Vec<_>>()
    };
    assert_eq!(probs(&first), probs(&again));

    // A reviewer rejects the strongest match and accepts a pair of strangers.
    let strong = first.pairs.iter().find(|p| p.same_cluster).unwrap();
    let (a, b) = (strong.a, strong.b);
    let stranger = (0..t.rows() as u32)
        .find(|r| {
            let c = first.clusters[*r as usize];
            c != first.clusters[a as usize] && c != first.clusters[b as usize]
        })
        .unwrap();
    let decisions = vec![
        (a, b, Decision::Reject),
        (a.min(stranger), a.max(stranger), Decision::Accept),
    ];
    let decided = linker.run(Some(first.model.clone()), &decisions, None);
    assert_ne!(decided.clusters[a as usize], decided.clusters[b as usize]);
    assert_eq!(
        decided.clusters[a as usize],
        decided.clusters[stranger as usize]
    );
    let rejected = decided.pairs.iter().find(|p| (p.a, p.b) == (a, b)).unwrap();
    assert_eq!(rejected.decision, Some(Decision::Reject));

    // A model for other settings is refused with a reason.
    let mut other = settings.clone();
    other.comparisons[1].jaro_winkler = Some(vec![0.9]);
    let err = shown(&Model::from_json(&json, &other).unwrap_err());
    assert!(err.contains("nama") && err.contains("latih ulang"), "{err}");
}

#[test]
fn explanations_add_up() {
    let (records, _) = sinergi_testkit::people::people_csv(300, 5);
    let t = table(&records);
    let linker = Linker::new(
        Settings::person_preset(),
        vec![Input {
            name: "r".into(),
            table: &t,
        }],
    )
    .unwrap();
    let o = linker.run(None, &[], None);
    let p = &o.pairs[0];
    let e = linker.explain(&o.model, p.a, p.b);
    assert_eq!(e.fields.len(), 6);
    let sum: f64 = e.prior + e.fields.iter().map(|f| f.weight).sum::<f64>();
    assert!((sum - p.weight).abs() < 1e-9 && (e.probability - p.probability).abs() < 1e-12);
    assert!(
        e.fields
            .iter()
            .any(|f| f.level == "sama persis" && f.weight > 0.0)
    );
}

#[test]
fn bad_inputs_are_named() {
    let t = table("kode,nama\n1,Ani\n");
    let err = |t: &Table| {
        Linker::new(
            Settings::person_preset(),
            vec![Input {
                name: "a.csv".into(),
                table: t,
            }],
        )
        .err()
        .map(|e| shown(&e))
        .unwrap()
    };
    let e = err(&t);
    assert!(
        e.contains("kolom id \"id\" tidak ada") && e.contains("kode, nama"),
        "{e}"
    );
    let t = table(
        "id,nik,nama,jenis_kelamin,tanggal_lahir,no_kk,kode_desa\n1,,A,L,,,\n2,,B,L,,,\n1,,C,L,,,\n",
    );
    let e = err(&t);
    assert!(e.contains("\"1\" di baris 2 dan 4"), "{e}");
    let e = err(&table("id,nik,nama\n"));
    assert!(e.contains("tidak berisi baris data"), "{e}");
    let t = table("id,nik,nama,jenis_kelamin,tanggal_lahir,no_kk\n1,,A,L,,\n");
    let e = err(&t);
    assert!(e.contains("kolom \"kode_desa\""), "{e}");
}

/// An error as a user reads it, in Indonesian.
fn shown(e: &sinergi_link::LinkError) -> String {
    sinergi_i18n::Messages::new(sinergi_i18n::Lang::Id).render(&sinergi_core::Localized::msg(e))
}

#[test]
fn link_errors_speak_both_languages() {
    let e = Settings::from_toml("ambangg = 0.8\n[[perbandingan]]\nkolom = \"nama\"\njenis = \"nama\"\n[[blok]]\nkunci = [\"nama:tahun\"]\n")
        .unwrap_err();
    let msg = sinergi_core::Localized::msg(&e);
    let id = sinergi_i18n::Messages::new(sinergi_i18n::Lang::Id).render(&msg);
    let en = sinergi_i18n::Messages::new(sinergi_i18n::Lang::En).render(&msg);
    assert!(
        id.contains("\"ambangg\"") && id.contains("tidak dikenal"),
        "{id}"
    );
    assert!(en.contains("\"ambangg\"") && en.contains("unknown"), "{en}");
    assert!(
        !id.contains("linkage.") && !en.contains("linkage."),
        "{id} / {en}"
    );
}
