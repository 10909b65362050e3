//! The data-quality scorecard's inputs on both backends (issue 22): realisation expected,
//! entered and on time; LKS reports due, received and on time; list rows complete, with NIK
//! warnings and repeats; NIKs refused in the import jobs' reports; the realisation series; a
//! figure against the sum of its parts; the drill-down rows; and only through the viewer's rows.

use chrono::{Datelike, Duration, NaiveDate};
use sinergi_core::institution::{Disaggregation, ReportAction, ReportInput, ReportPeriod};
use sinergi_core::strategy::Direction;
use sinergi_core::{Level, Msg, Nik, Period, PersonExtra, PersonInput, Sex};
use sinergi_store::{
    Actor, AggregateValue, EntryMethod, NewPersonList, NewRealisation, QualityAsk, RowFlag,
    SourceType, StoreError, Target,
};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{basis, build, code};

use crate::strategy::fields;

const JOB: &str = "daftar.impor";

fn figure(region: &str, value: f64) -> AggregateValue {
    AggregateValue {
        region: code(region),
        element: "keluarga_desil_1".into(),
        period: "2025-Q3".into(),
        value,
        unit: "keluarga".into(),
        source: "DTSEN".into(),
        source_type: SourceType::Administrative,
        estimated: false,
        note: None,
    }
}

fn real(region: &str, period: Period, value: f64) -> NewRealisation {
    NewRealisation {
        line: 2,
        indicator_code: "IK3".into(),
        disaggregation: String::new(),
        region: region.into(),
        period,
        source: "Dinas Sosial".into(),
        value,
        drivers: String::new(),
        obstacles: String::new(),
        follow_up: String::new(),
    }
}

fn person(line: u64, nik: &str, complete: bool, warnings: Vec<Msg>) -> PersonInput {
    PersonInput {
        line,
        name: format!("Orang {line}"),
        sex: complete.then_some(Sex::Female),
        birth_date: complete.then(|| NaiveDate::from_ymd_opt(1990, 7, 5).unwrap()),
        nik: Some(Nik::parse(nik, None).unwrap().nik),
        kk: None,
        region: code("52.03.05.2003"),
        extra: PersonExtra {
            warnings,
            ..PersonExtra::default()
        },
    }
}

#[tokio::test]
async fn scorecard_inputs_on_both_backends() {
    // The quarter we are in: its realisation and this month's report are entered now, so
    // they are on time; "today" for the scorecard is 45 days after the quarter ends.
    let now = chrono::Utc::now().date_naive();
    let year = now.year();
    let quarter = ((now.month() - 1) / 3 + 1) as u8;
    let this_quarter = Period::quarter(year, quarter).unwrap();
    let today = this_quarter.end() + Duration::days(45);
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let admin = w.principal("admin52").await;
        let op02 = w.principal("op5202").await;
        let lks_user = w.principal("lks").await;
        let s = w.store.as_user(&admin);

        // A published strategy: one administrative indicator with targets for both kab/kota.
        let (sid, vid) = s
            .create_strategy(
                "52",
                "Strategi uji",
                (year - 1, year + 3),
                "visi",
                &["misi".into()],
            )
            .await
            .unwrap();
        let ss = s.add_objective(vid, "SS1", "Sasaran").await.unwrap();
        let mut f = fields("IK3", "Penerima bantuan", "orang", Direction::Higher);
        f.source_type = SourceType::Administrative;
        f.disaggregations = vec![];
        let ik = s.add_indicator(ss, &f).await.unwrap();
        let targets: Vec<Target> = ["52.02", "52.03"]
            .iter()
            .map(|r| Target {
                region: sinergi_core::strategy::StrategyArea::parse(r).unwrap(),
                year,
                value: 10.0,
            })
            .collect();
        s.set_targets(ik, &targets).await.unwrap();
        s.publish_version(vid).await.unwrap();
        // Lombok Timur: last year's four quarters near 10, then 50 this quarter.
        let mut rows: Vec<NewRealisation> = [10.0, 11.0, 10.0, 12.0]
            .iter()
            .enumerate()
            .map(|(i, v)| real("52.03", Period::quarter(year - 1, i as u8 + 1).unwrap(), *v))
            .collect();
        rows.push(real("52.03", this_quarter, 50.0));
        let stored = s
            .save_realisations(sid, EntryMethod::Import, &rows)
            .await
            .unwrap();
        assert_eq!(stored, Ok(5), "{l}");

        // The LKS of Lombok Timur submits this month's report (on time).
        let month = ReportPeriod::of(now);
        let reporter = w.store.as_user(&lks_user);
        let report = reporter
            .save_lks_report(
                w.orgs[2],
                month,
                &ReportInput {
                    activities: "Pendampingan".into(),
                    obstacles: "-".into(),
                    beneficiaries: Disaggregation {
                        male: 3,
                        female: 4,
                        child: 2,
                        adult: 4,
                        elderly: 1,
                        disability: 0,
                    },
                },
            )
            .await
            .unwrap();
        reporter
            .move_lks_report(report, ReportAction::Submit, "")
            .await
            .unwrap();

        // A list in Lombok Timur: two complete rows sharing a NIK (the first also with a NIK
        // warning), one row without birth date and sex.
        let list = NewPersonList {
            organisation_id: w.orgs[0],
            name: "daftar mutu".into(),
            legal_basis: basis(),
            reference: "PKS 2/2025".into(),
            source_file: None,
            content_hash: None,
            replaces: None,
        };
        let rows = vec![
            person(
                2,
                "5203054507900011",
                true,
                vec![Msg::new("nik.prefix_historical").arg("prefix", "5203")],
            ),
            person(
                3,
                "5203054507900011",
                true,
                vec![Msg::new("intake.nik_repeated").arg("first", 2)],
            ),
            person(4, "5203054507900012", false, vec![]),
        ];
        let imported = s
            .import_person_list(&list, &rows, &|_| {})
            .await
            .unwrap()
            .unwrap();
        // Its import job's report: two rows refused, one for its NIK.
        let job = s.create_job(JOB, "daftar.xlsx").await.unwrap();
        let report_json = serde_json::json!({
            "outcome": "stored", "list_id": imported.list_id, "list_name": "daftar mutu",
            "organisation": "Mitra A", "stored": 3, "rejected_lines": 2, "rows_total": 2,
            "rows": [
                {"line": 5, "column": "nik", "reason": {"key": "nik.length", "args": {"n": "15"}}},
                {"line": 6, "column": "nama", "reason": {"key": "intake.name_missing", "args": {}}}
            ]
        });
        s.job_finished(job, Ok(report_json), (5, 5)).await.unwrap();

        // Desil I families: 100 held for Lombok Timur, its desa add up to 80.
        w.store
            .load_aggregates(
                Actor::system("uji"),
                &[
                    figure("52.03", 100.0),
                    figure("52.03.05.2003", 60.0),
                    figure("52.03.05.2004", 20.0),
                ],
            )
            .await
            .unwrap();

        let ask = QualityAsk {
            level: Level::KabKota,
            within: None,
            year,
            today,
            import_job_kind: JOB.into(),
            detail: true,
        };
        let got = s.quality_inputs(&ask).await.unwrap();
        let codes: Vec<String> = got.regions.iter().map(|(c, _)| c.to_string()).collect();
        assert_eq!(codes, ["52.02", "52.03"], "{l}");
        let (c02, c03) = (&got.counts[0], &got.counts[1]);
        // Realisation: one value per target region and ended quarter of the year.
        let q = u64::from(quarter);
        assert_eq!(c03.realisation_expected, q, "{l}");
        assert_eq!(c03.realisation_entered, 1, "{l}");
        assert_eq!(c03.realisation_on_time, 1, "{l}");
        assert_eq!(c02.realisation_expected, q, "{l}");
        assert_eq!(c02.realisation_entered, 0, "{l}");
        // The missing quarters are listed, each with its due date.
        let gaps03 = got
            .realisation_gaps
            .iter()
            .filter(|g| g.region == "52.03")
            .count() as u64;
        assert_eq!(gaps03, q - 1, "{l}");
        assert!(
            got.realisation_gaps
                .iter()
                .all(|g| g.entered_at.is_none() && g.what == "IK3"),
            "{l}"
        );
        // The series holds last year's four quarters and this one, oldest first.
        let series = got
            .series
            .iter()
            .find(|s| s.region == "52.03")
            .expect("a series");
        assert_eq!(series.values, vec![10.0, 11.0, 10.0, 12.0, 50.0], "{l}");
        assert_eq!(
            series.periods.last().map(String::as_str),
            Some(this_quarter.to_string().as_str())
        );

        // Reports: one LKS owes every month of the year due before "today".
        let due = (1..=12)
            .filter(|m| ReportPeriod { year, month: *m }.due() < today)
            .count() as u64;
        assert_eq!(c03.lks_reports_due, due, "{l}");
        assert_eq!(c03.lks_reports_received, 1, "{l}");
        assert_eq!(c03.lks_reports_on_time, 1, "{l}");
        assert_eq!(c02.lks_reports_due, 0, "{l}");
        assert_eq!(got.report_gaps.len() as u64, due - 1, "{l}");
        assert!(got.report_gaps.iter().all(|g| g.what == "LKS Masbagik"));

        // Lists: the fixture's five rows (no birth date or sex) and the three above.
        assert_eq!(c03.list_rows, 8, "{l}");
        assert_eq!(c03.list_rows_complete, 2, "{l}");
        assert_eq!(c03.nik_warned, 1, "{l}");
        // The repeated NIK: its later row as read, its first row by the store's second pass.
        assert_eq!(c03.duplicates, 2, "{l}");
        assert_eq!((c02.list_rows, c02.list_rows_complete), (1, 0), "{l}");
        let flagged = |f: RowFlag| got.flagged_rows.iter().filter(|r| r.flag == f).count();
        // Six in Lombok Timur, one in Lombok Tengah.
        assert_eq!(flagged(RowFlag::Incomplete), 7, "{l}");
        assert_eq!(flagged(RowFlag::NikWarning), 1, "{l}");
        assert_eq!(flagged(RowFlag::Repeated), 2, "{l}");
        let incomplete = got
            .flagged_rows
            .iter()
            .find(|r| r.flag == RowFlag::Incomplete && r.list_id == imported.list_id)
            .unwrap();
        assert_eq!(incomplete.line, 4, "{l}");
        assert_eq!(
            incomplete.missing,
            ["tanggal_lahir", "jenis_kelamin"],
            "{l}"
        );

        // Refused NIKs, for the region of the list's organisation... which is the province for
        // Mitra A: not one kab/kota's, so not counted at this level.
        assert_eq!(c03.nik_refused, 0, "{l}");

        // A figure against the sum of its desa.
        assert_eq!(got.references.len(), 1, "{l}");
        let r = &got.references[0];
        assert_eq!(
            (r.region.as_str(), r.platform, r.reference),
            ("52.03", 80.0, 100.0),
            "{l}"
        );

        // Without the drill-down, no rows; the counts are the same.
        let light = s
            .quality_inputs(&QualityAsk {
                detail: false,
                ..ask.clone()
            })
            .await
            .unwrap();
        assert_eq!(light.counts, got.counts, "{l}");
        assert!(light.flagged_rows.is_empty() && light.realisation_gaps.is_empty());

        // The kab/kota operator of Lombok Tengah sees its own region only.
        let own = w.store.as_user(&op02).quality_inputs(&ask).await.unwrap();
        let codes: Vec<String> = own.regions.iter().map(|(c, _)| c.to_string()).collect();
        assert_eq!(codes, ["52.02"], "{l}");
        assert_eq!(own.counts[0], got.counts[0], "{l}");
        assert!(
            own.flagged_rows
                .iter()
                .all(|r| r.region.starts_with("52.02"))
        );
        // LKS operators report data; they do not judge regions.
        assert!(matches!(
            w.store.as_user(&lks_user).quality_inputs(&ask).await,
            Err(StoreError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn refused_niks_count_for_a_kabkota_organisation() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let admin = w.principal("admin52").await;
        let s = w.store.as_user(&admin);
        // The LKS of Lombok Timur files a list; its import refused one NIK of four rows read.
        let list = NewPersonList {
            organisation_id: w.orgs[2],
            name: "daftar LKS".into(),
            legal_basis: basis(),
            reference: "SK 3/2025".into(),
            source_file: None,
            content_hash: None,
            replaces: None,
        };
        let imported = s
            .import_person_list(
                &list,
                &[person(2, "5203054507900013", true, vec![])],
                &|_| {},
            )
            .await
            .unwrap()
            .unwrap();
        let job = s.create_job(JOB, "lks.csv").await.unwrap();
        s.job_finished(
            job,
            Ok(serde_json::json!({
                "outcome": "stored", "list_id": imported.list_id, "stored": 1,
                "rejected_lines": 3, "rows_total": 3,
                "rows": [
                    {"line": 3, "column": "nik", "reason": {"key": "nik.stored_as_number", "args": {}}},
                    {"line": 4, "column": null, "reason": {"key": "nik.length", "args": {}}},
                    {"line": 5, "column": "kode_desa", "reason": {"key": "lists.outside_scope_reason", "args": {}}}
                ]
            })),
            (4, 4),
        )
        .await
        .unwrap();
        // A failed job and another kind are not read.
        let other = s.create_job("strategi.impor", "x.csv").await.unwrap();
        s.job_finished(
            other,
            Ok(serde_json::json!({"list_id": imported.list_id, "stored": 9, "rejected_lines": 9})),
            (1, 1),
        )
        .await
        .unwrap();
        let ask = QualityAsk {
            level: Level::KabKota,
            within: Some(code("52.03")),
            year: 2025,
            today: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            import_job_kind: JOB.into(),
            detail: true,
        };
        let got = s.quality_inputs(&ask).await.unwrap();
        assert_eq!(got.regions.len(), 1, "{l}");
        assert_eq!(got.counts[0].nik_refused, 2, "{l}");
        assert_eq!(got.counts[0].list_rows_read, 4, "{l}");
        assert_eq!(got.refused.len(), 1, "{l}");
        assert_eq!(got.refused[0].list_name, "daftar LKS", "{l}");
        // The Lombok Tengah operator is not given Lombok Timur's lists.
        let op02 = w.principal("op5202").await;
        let theirs = w.store.as_user(&op02).quality_inputs(&ask).await.unwrap();
        assert!(theirs.regions.is_empty(), "{l}");
    }
}
