//! Issue 23: the write endpoints for forums and program cycles, with tokens, on both
//! backends. Each token reaches what its account reaches on the pages: the Lombok Timur
//! operator opens a forum, plans a meeting and follows up; its neighbour (52.02) neither sees
//! nor changes any of it. The partner that runs a program creates a cycle and submits it;
//! another partner cannot. Bodies that are not the operation's JSON are refused in the one
//! error shape.

use crate::api_tokens::{call, call_body};
use crate::common::{Got, header, start_keyed};
use chrono::NaiveDate;
use sinergi_core::Ppks;
use sinergi_core::institution::{FormationStatus, LkksInput};
use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    TargetGroup,
};
use sinergi_store::NewApiToken;
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{build, code};

fn json(got: &Got) -> serde_json::Value {
    serde_json::from_str(&got.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", got.body))
}

struct Api {
    base: String,
    tokens: Vec<(&'static str, String)>,
    /// A double-aid round for NTB opened by the system, partners A and B invited.
    round: i64,
    /// Partners A's and B's organisations.
    orgs: (i64, i64),
}

impl Api {
    fn bearer(&self, who: &str) -> String {
        let secret = &self.tokens.iter().find(|(u, _)| *u == who).unwrap().1;
        format!("Bearer {secret}")
    }

    fn get(&self, who: &str, path: &str) -> Got {
        call(
            "GET",
            &format!("{}{path}", self.base),
            &[("Authorization", &self.bearer(who))],
        )
    }

    fn post(&self, who: &str, path: &str, body: &str) -> Got {
        call_body(
            "POST",
            &format!("{}{path}", self.base),
            &[
                ("Authorization", &self.bearer(who)),
                ("Content-Type", "application/json"),
                ("Accept-Language", "en"),
            ],
            body.as_bytes(),
        )
    }
}

const ACCOUNTS: [&str; 4] = ["op5203", "op5202", "mitra.a", "mitra.b"];

/// The world with an LKKS for Lombok Timur and a program of partner A there, served, with a
/// token for each of [`ACCOUNTS`] (the account's role and scope). (api, lkks, program).
fn serve(db: TestDb) -> (Api, i64, i64, tokio::sync::oneshot::Sender<()>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let world = rt.block_on(build(&db));
    let system = world.store.as_system("uji");
    let (lkks, _) = rt
        .block_on(system.save_lkks(
            &LkksInput {
                region: Some(code("52.03")),
                name: "LKKS Kabupaten Lombok Timur".into(),
                status: Some(FormationStatus::DalamPembentukan),
                ..LkksInput::default()
            },
            None,
        ))
        .unwrap();
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let program = rt
        .block_on(system.save_programs(&[ProgramInput {
            organisation_id: world.orgs[0],
            code: "API-SIKLUS".into(),
            name: "Beasiswa lewat API".into(),
            sector: Sector::Pendidikan,
            ppks: vec![Ppks::FakirMiskin],
            aid_type: AidType::Beasiswa,
            funding: FundingSource::Filantropi,
            budget_rp: 10_000_000,
            start: day("2026-07-13"),
            end: day("2027-06-30"),
            status: ProgramStatus::Berjalan,
            target: TargetGroup::default(),
            planned: 2,
            reached: Reached::default(),
            locations: vec![ProgramLocation {
                region: code("52.03.05.2003"),
                planned: 2,
                reached: 0,
            }],
        }]))
        .unwrap()[0]
        .id;
    let round = rt
        .block_on(system.open_double_aid_round(&sinergi_store::NewRound {
            region: code("52"),
            period: sinergi_core::Period::parse("2026-Q1").unwrap(),
            aid_types: vec![String::new()],
            invite: vec![(world.orgs[0], None), (world.orgs[1], None)],
        }))
        .unwrap();
    let orgs = (world.orgs[0], world.orgs[1]);
    let mut tokens = Vec::new();
    for username in ACCOUNTS {
        let p = rt.block_on(world.principal(username));
        let issued = rt
            .block_on(world.store.as_system("uji").issue_api_token(NewApiToken {
                label: format!("Token {username}"),
                username: format!("svc.{username}"),
                role: p.role,
                scope: p.scope.clone(),
                days: 30,
            }))
            .unwrap_or_else(|e| panic!("token for {username}: {e}"));
        tokens.push((username, issued.secret));
    }
    let key = world.key.clone();
    rt.block_on(world.store.close());
    drop(world);
    let (base, stop) = start_keyed(db, Some(key));
    (
        Api {
            base,
            tokens,
            round,
            orgs,
        },
        lkks,
        program,
        stop,
    )
}

fn databases() -> Vec<TestDb> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all())
}

fn refused(got: &Got, who: &str) {
    assert!(
        (400..500).contains(&got.status) && got.status != 429,
        "{who}: {} {}",
        got.status,
        got.body
    );
    assert!(
        json(got)["error"]["code"].is_string(),
        "{who}: {}",
        got.body
    );
}

#[test]
fn forum_writes_over_the_api_reach_exactly_the_tokens_scope() {
    for db in databases() {
        let l = db.label;
        let (api, lkks, _, _stop) = serve(db);

        // Not the operation's JSON: 400 naming why, in the error shape.
        let bad = api.post("op5203", "/api/v1/forum", "{");
        assert_eq!(bad.status, 400, "{l}: {}", bad.body);
        assert_eq!(json(&bad)["error"]["code"], "api.bad_json", "{l}");
        let kind = api.post(
            "op5203",
            "/api/v1/forum",
            &format!(r#"{{"lkks": {lkks}, "nama": "Rakor", "jenis": "pesta"}}"#),
        );
        assert_eq!(kind.status, 400, "{l}: {}", kind.body);
        assert!(kind.body.contains("pesta"), "{l}: {}", kind.body);

        let body = format!(
            r#"{{"lkks": {lkks}, "nama": "Rapat Koordinasi LKKS", "jenis": "koordinasi"}}"#
        );
        refused(
            &api.post("op5202", "/api/v1/forum", &body),
            &format!("{l}: neighbour opens"),
        );
        let made = api.post("op5203", "/api/v1/forum", &body);
        assert_eq!(made.status, 201, "{l}: {}", made.body);
        let forum = json(&made)["id"].as_i64().unwrap();
        assert_eq!(
            header(&made, "location"),
            Some(format!("/api/v1/forum/{forum}").as_str()),
            "{l}"
        );
        let read = api.get("op5203", &format!("/api/v1/forum/{forum}"));
        assert_eq!(read.status, 200, "{l}: {}", read.body);
        assert_eq!(json(&read)["forum"]["name"], "Rapat Koordinasi LKKS", "{l}");
        assert_eq!(json(&read)["forum"]["lkks_id"], lkks, "{l}");
        let hidden = api.get("op5202", &format!("/api/v1/forum/{forum}"));
        assert_eq!(hidden.status, 404, "{l}: neighbour reads");
        let listed = api.get("op5202", "/api/v1/forum");
        assert_eq!(json(&listed).as_array().map(Vec::len), Some(0), "{l}");

        let meeting = r#"{"judul": "Rakor Juni", "jenis": "koordinasi", "tanggal": "2026-06-25",
            "jam": "09:30", "komisi": "Komisi A", "agenda": "Komisi A: Data PPKS\nLain-lain"}"#;
        refused(
            &api.post("op5202", &format!("/api/v1/forum/{forum}/rapat"), meeting),
            &format!("{l}: neighbour plans"),
        );
        let planned = api.post("op5203", &format!("/api/v1/forum/{forum}/rapat"), meeting);
        assert_eq!(planned.status, 201, "{l}: {}", planned.body);
        let m = json(&planned)["id"].as_i64().unwrap();
        let rec = api.get("op5203", &format!("/api/v1/forum/rapat/{m}"));
        assert_eq!(rec.status, 200, "{l}: {}", rec.body);
        let rec = json(&rec);
        assert_eq!(rec["meeting"]["title"], "Rakor Juni", "{l}");
        assert_eq!(rec["meeting"]["status"], "direncanakan", "{l}");
        assert_eq!(rec["agenda"][0]["commission"], "Komisi A", "{l}");
        assert_eq!(rec["agenda"][0]["title"], "Data PPKS", "{l}");
        assert_eq!(
            api.get("op5202", &format!("/api/v1/forum/rapat/{m}"))
                .status,
            404,
            "{l}: neighbour reads the meeting"
        );
        let history = json(&api.get("op5203", &format!("/api/v1/forum/{forum}")));
        assert_eq!(history["meetings"][0]["id"], m, "{l}");
        assert_eq!(history["total"], 1, "{l}");

        let action = r#"{"judul": "Kirim data PPKS", "penanggung_jawab": "Sekretaris", "tenggat": "2026-07-31"}"#;
        refused(
            &api.post(
                "op5202",
                &format!("/api/v1/forum/rapat/{m}/tindak-lanjut"),
                action,
            ),
            &format!("{l}: neighbour adds an action"),
        );
        let added = api.post(
            "op5203",
            &format!("/api/v1/forum/rapat/{m}/tindak-lanjut"),
            action,
        );
        assert_eq!(added.status, 201, "{l}: {}", added.body);
        let a = json(&added)["id"].as_i64().unwrap();
        let mine = json(&api.get("op5203", "/api/v1/forum/tindak-lanjut"));
        assert_eq!(mine["items"][0]["id"], a, "{l}");
        assert_eq!(mine["items"][0]["status"], "terbuka", "{l}");
        let theirs = json(&api.get("op5202", "/api/v1/forum/tindak-lanjut"));
        assert_eq!(theirs["total"], 0, "{l}: neighbour's actions");

        let moving = r#"{"status": "berjalan"}"#;
        refused(
            &api.post(
                "op5202",
                &format!("/api/v1/forum/tindak-lanjut/{a}"),
                moving,
            ),
            &format!("{l}: neighbour moves the action"),
        );
        let unknown = api.post(
            "op5203",
            &format!("/api/v1/forum/tindak-lanjut/{a}"),
            r#"{"status": "kabur"}"#,
        );
        assert_eq!(unknown.status, 400, "{l}: {}", unknown.body);
        let moved = api.post(
            "op5203",
            &format!("/api/v1/forum/tindak-lanjut/{a}"),
            moving,
        );
        assert_eq!(moved.status, 200, "{l}: {}", moved.body);
        let after = json(&api.get("op5203", "/api/v1/forum/tindak-lanjut"));
        assert_eq!(after["items"][0]["status"], "berjalan", "{l}");

        refused(
            &api.post("op5202", &format!("/api/v1/forum/rapat/{m}/terlaksana"), ""),
            &format!("{l}: neighbour marks held"),
        );
        let held = api.post("op5203", &format!("/api/v1/forum/rapat/{m}/terlaksana"), "");
        assert_eq!(held.status, 200, "{l}: {}", held.body);
        let rec = json(&api.get("op5203", &format!("/api/v1/forum/rapat/{m}")));
        assert_eq!(rec["meeting"]["status"], "terlaksana", "{l}");
    }
}

#[test]
fn cycle_writes_over_the_api_are_the_running_partners_only() {
    for db in databases() {
        let l = db.label;
        let (api, _, program, _stop) = serve(db);
        let root = format!("/api/v1/program/{program}/siklus");

        let seen = api.get("mitra.a", &root);
        assert_eq!(seen.status, 200, "{l}: {}", seen.body);
        assert_eq!(json(&seen)["may_run"], true, "{l}");
        assert_eq!(
            json(&seen)["cycles"].as_array().map(Vec::len),
            Some(0),
            "{l}"
        );

        let body = r#"{"nama": "Siklus API", "mulai": "2026-07-13", "selesai": "2026-12-31",
            "jenis_jumlah": "tetap", "jumlah_tetap": "450000", "tahap": "2"}"#;
        let bad = api.post("mitra.a", &root, r#"{"nama": "Siklus API"}"#);
        assert_eq!(bad.status, 400, "{l}: {}", bad.body);
        assert_eq!(json(&bad)["error"]["code"], "api.bad_json", "{l}");
        refused(
            &api.post("mitra.b", &root, body),
            &format!("{l}: another partner creates"),
        );
        refused(
            &api.post("op5202", &root, body),
            &format!("{l}: neighbour creates"),
        );
        let made = api.post("mitra.a", &root, body);
        assert_eq!(made.status, 201, "{l}: {}", made.body);
        let cycle = json(&made)["id"].as_i64().unwrap();
        assert_eq!(
            header(&made, "location"),
            Some(format!("{root}/{cycle}").as_str()),
            "{l}"
        );
        let read = api.get("mitra.a", &format!("{root}/{cycle}"));
        assert_eq!(read.status, 200, "{l}: {}", read.body);
        let read = json(&read);
        assert_eq!(read["cycle"]["name"], "Siklus API", "{l}");
        assert_eq!(read["cycle"]["state"], "draft", "{l}");
        assert_eq!(read["cycle"]["amount"]["rupiah"], 450000, "{l}");
        assert_eq!(read["cycle"]["tranches"], 2, "{l}");

        let step = r#"{"aksi": "ajukan"}"#;
        refused(
            &api.post("mitra.b", &format!("{root}/{cycle}/langkah"), step),
            &format!("{l}: another partner submits"),
        );
        // The cycle under another program's path is not found.
        let elsewhere = api.post(
            "mitra.a",
            &format!("/api/v1/program/{}/siklus/{cycle}/langkah", program + 1000),
            step,
        );
        assert_eq!(elsewhere.status, 404, "{l}: {}", elsewhere.body);
        let unknown = api.post(
            "mitra.a",
            &format!("{root}/{cycle}/langkah"),
            r#"{"aksi": "lompat"}"#,
        );
        assert_eq!(unknown.status, 400, "{l}: {}", unknown.body);
        let moved = api.post("mitra.a", &format!("{root}/{cycle}/langkah"), step);
        assert_eq!(moved.status, 200, "{l}: {}", moved.body);
        assert_eq!(json(&moved)["state"], "to_approve", "{l}");
        let read = json(&api.get("mitra.a", &format!("{root}/{cycle}")));
        assert_eq!(read["cycle"]["state"], "to_approve", "{l}");
        let report = api.get("mitra.a", &format!("{root}/laporan"));
        assert_eq!(report.status, 200, "{l}: {}", report.body);
        assert_eq!(json(&report)["per_cycle"][0]["cycle"]["id"], cycle, "{l}");
        // Another partner does not run it: may_run false, and it sees no names.
        let other = api.get("mitra.b", &root);
        if other.status == 200 {
            assert_eq!(json(&other)["may_run"], false, "{l}");
            let detail = json(&api.get("mitra.b", &format!("{root}/{cycle}")));
            assert_eq!(detail["members"].as_array().map(Vec::len), Some(0), "{l}");
        } else {
            assert_eq!(other.status, 404, "{l}: {}", other.body);
        }
    }
}

/// A round opened for Lombok Timur with partners A and B: partner A's token reads it (its own
/// membership only) and joins with its own held list, not for B; it may not open, invite, run
/// or close (the provincial admin's); an operator with no membership gets no rows or lists.
#[test]
fn double_aid_rounds_over_the_api_follow_the_round_rules() {
    for db in databases() {
        let l = db.label;
        let (api, _, _, _stop) = serve(db);
        let (round, orgs) = (api.round, api.orgs);
        let path = format!("/api/v1/bantuan-ganda/{round}");

        let seen = api.get("mitra.a", &path);
        assert_eq!(seen.status, 200, "{l}: {}", seen.body);
        let seen = json(&seen);
        assert_eq!(seen["round"]["status"], "open", "{l}: {seen}");
        assert_eq!(seen["may_run"], false, "{l}");
        let members = seen["round"]["members"].as_array().unwrap();
        assert!(
            members.iter().all(|m| m["organisation_id"] == orgs.0),
            "{l}: a partner sees its own membership only: {seen}"
        );
        // A kab/kota operator has no membership: it sees the round and counts, no rows
        // and no list to join with.
        let other = api.get("op5202", &path);
        assert_eq!(other.status, 200, "{l}: {}", other.body);
        let other = json(&other);
        assert!(other["results"]["OwnRows"].is_null(), "{l}: {other}");
        assert_eq!(other["joinable"], serde_json::json!([]), "{l}: {other}");
        assert_eq!(other["may_run"], false, "{l}");

        let open = r#"{"wilayah": "52.03", "periode": "2026-Q2", "jenis": "", "mitra": []}"#;
        refused(
            &api.post("mitra.a", "/api/v1/bantuan-ganda", open),
            &format!("{l}: a partner opens"),
        );
        refused(
            &api.post(
                "mitra.a",
                &format!("{path}/undang"),
                &format!(r#"{{"organisasi": "{}"}}"#, orgs.1),
            ),
            &format!("{l}: a partner invites"),
        );
        refused(
            &api.post("mitra.a", &format!("{path}/jalankan"), ""),
            &format!("{l}: run"),
        );
        refused(
            &api.post("mitra.a", &format!("{path}/tutup"), ""),
            &format!("{l}: close"),
        );

        let lists = seen["joinable"].as_array().unwrap();
        assert!(!lists.is_empty(), "{l}: partner A's lists: {seen}");
        assert!(lists.iter().all(|x| x["organisation_id"] == orgs.0), "{l}");
        let list = lists[0]["id"].as_i64().unwrap();
        refused(
            &api.post(
                "mitra.a",
                &format!("{path}/gabung"),
                &format!(r#"{{"organisasi": {}, "daftar": {list}}}"#, orgs.1),
            ),
            &format!("{l}: joins for partner B"),
        );
        let joined = api.post(
            "mitra.a",
            &format!("{path}/gabung"),
            &format!(r#"{{"organisasi": {}, "daftar": {list}}}"#, orgs.0),
        );
        assert_eq!(joined.status, 200, "{l}: {}", joined.body);
        assert!(json(&joined)["records"].as_i64().unwrap() > 0, "{l}");
        let after = json(&api.get("mitra.a", &path));
        let me = &after["round"]["members"][0];
        assert_eq!(me["organisation_id"], orgs.0, "{l}: {after}");
        assert!(me["record_count"].as_i64().unwrap() > 0, "{l}: {after}");
    }
}

/// The strategy is written by the provincial admin only: a token (never an admin) is refused
/// every write; the admin's session writes a strategy, an objective, an indicator and a
/// target through the same JSON API (with the CSRF header), reads them back, and has its
/// report made as a job it polls and downloads — a job no one else can read.
#[test]
fn strategy_writes_and_report_jobs_over_the_api() {
    for db in databases() {
        let l = db.label;
        let (api, _, _, _stop) = serve(db);
        let mut admin = crate::common::Client::new(&api.base);
        assert_eq!(
            admin
                .login("admin52", sinergi_testkit::world::PASSWORD)
                .status,
            303,
            "{l}"
        );
        let cookies = admin
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let csrf = admin.csrf();
        let session = |method: &str, path: &str, body: &str| {
            call_body(
                method,
                &format!("{}{path}", api.base),
                &[
                    ("Cookie", cookies.as_str()),
                    ("x-csrf-token", csrf.as_str()),
                    ("Content-Type", "application/json"),
                ],
                body.as_bytes(),
            )
        };

        let strategy = r#"{"wilayah": "52", "judul": "RAD API", "tahun_awal": "2026",
            "tahun_akhir": "2029", "visi": "NTB sejahtera", "misi": "Misi satu\nMisi dua"}"#;
        let token_try = api.post("op5203", "/api/v1/strategi", strategy);
        assert_eq!(token_try.status, 403, "{l}: {}", token_try.body);
        let made = session("POST", "/api/v1/strategi", strategy);
        assert_eq!(made.status, 201, "{l}: {}", made.body);
        let sid = json(&made)["id"].as_i64().unwrap();

        let objective = r#"{"kode": "S1", "nama": "Menurunkan kemiskinan ekstrem"}"#;
        refused(
            &api.post(
                "op5203",
                &format!("/api/v1/strategi/{sid}/sasaran"),
                objective,
            ),
            &format!("{l}: a token adds an objective"),
        );
        let o = session(
            "POST",
            &format!("/api/v1/strategi/{sid}/sasaran"),
            objective,
        );
        assert_eq!(o.status, 201, "{l}: {}", o.body);
        let oid = json(&o)["id"].as_i64().unwrap();
        let indicator = format!(
            r#"{{"sasaran": {oid}, "kode": "I1", "nama": "PPKS tertangani",
            "definisi": "PPKS yang dilayani", "satuan": "persen", "arah": "naik",
            "sumber_data": "Dinas Sosial", "jenis_sumber": "administrative"}}"#
        );
        let bad = session(
            "POST",
            &format!("/api/v1/strategi/{sid}/indikator"),
            &indicator.replace("\"naik\"", "\"miring\""),
        );
        assert_eq!(bad.status, 400, "{l}: {}", bad.body);
        let i = session(
            "POST",
            &format!("/api/v1/strategi/{sid}/indikator"),
            &indicator,
        );
        assert_eq!(i.status, 201, "{l}: {}", i.body);
        let iid = json(&i)["id"].as_i64().unwrap();
        let target =
            format!(r#"{{"indikator": {iid}, "wilayah": "52", "tahun": "2027", "nilai": "75"}}"#);
        refused(
            &api.post("op5203", &format!("/api/v1/strategi/{sid}/target"), &target),
            &format!("{l}: a token sets a target"),
        );
        let t = session("POST", &format!("/api/v1/strategi/{sid}/target"), &target);
        assert_eq!(t.status, 200, "{l}: {}", t.body);
        let tree = session("GET", &format!("/api/v1/strategi/{sid}"), "");
        assert_eq!(tree.status, 200, "{l}: {}", tree.body);
        for expected in ["RAD API", "\"S1\"", "\"I1\"", "2027"] {
            assert!(
                tree.body.contains(expected),
                "{l}: {expected} in {}",
                tree.body
            );
        }
        refused(
            &api.post("op5203", &format!("/api/v1/strategi/{sid}/terbitkan"), ""),
            &format!("{l}: a token publishes"),
        );

        // The report as a job: accepted, polled until done, downloaded; the caller's only.
        let started = session(
            "POST",
            &format!("/api/v1/strategi/{sid}/laporan"),
            r#"{"jenis": "strategi", "format": "xlsx"}"#,
        );
        assert_eq!(started.status, 202, "{l}: {}", started.body);
        let url = json(&started)["url"].as_str().unwrap().to_string();
        let mut state = serde_json::Value::Null;
        for _ in 0..120 {
            state = json(&session("GET", &url, ""));
            if state["selesai"] == true || !state["galat"].is_null() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        assert_eq!(state["selesai"], true, "{l}: {state}");
        assert_eq!(state["persen"], 100, "{l}: {state}");
        let file = session("GET", state["unduh"].as_str().unwrap(), "");
        assert_eq!(file.status, 200, "{l}");
        assert!(
            header(&file, "content-type").is_some_and(|c| c.contains("spreadsheetml")),
            "{l}: {:?}",
            file.headers
        );
        assert_eq!(api.get("op5203", &url).status, 404, "{l}: another's job");
        let early = session(
            "POST",
            &format!("/api/v1/strategi/{sid}/laporan"),
            r#"{"jenis": "laporan", "format": "xlsx"}"#,
        );
        assert_eq!(early.status, 400, "{l}: {}", early.body);
    }
}
