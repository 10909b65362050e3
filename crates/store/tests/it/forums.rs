//! Forums on both backends: a forum of the Lombok Timur LKKS, a meeting planned on the WITA
//! clock, invitations with check-in codes and the secretary's tick, decisions and actions,
//! closing (refused without minutes or attendance; then frozen and hashed into the audit
//! chain), open actions rolling onto the next meeting, the actions overview with overdue
//! ones, attendance counts, and who may see and change what.

use chrono::{NaiveDate, NaiveTime};
use sinergi_core::forum::{
    ActionStatus, LinkKind, MeetingKind, MeetingStatus, SheetRow, minutes_hash,
};
use sinergi_core::institution::{FormationStatus, Helix, LkksInput};
use sinergi_core::{Localized, Viewer};
use sinergi_store::{
    ActionFilter, AuditQuery, NewAction, NewDecision, NewForum, NewInvitee, NewMeeting, Page,
    StoreError,
};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{build, code};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn meeting(forum_id: i64, title: &str, date: NaiveDate) -> NewMeeting {
    NewMeeting {
        forum_id,
        title: title.into(),
        kind: MeetingKind::Koordinasi,
        date,
        time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        place: Some("Aula Dinas Sosial".into()),
        online_link: None,
        organiser: Some("Sekretariat LKKS".into()),
        commissions: vec!["Komisi A".into(), "Komisi B".into()],
        topics: vec![],
        agenda: vec![("Pembentukan LKKS".into(), Some("Komisi A".into()))],
    }
}

#[tokio::test]
async fn a_meeting_runs_from_plan_to_frozen_minutes_and_its_actions_roll_on() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let system = s.as_system("cli");
        let (lkks, _) = system
            .save_lkks(
                &LkksInput {
                    region: Some(code("52.03")),
                    name: "LKKS Kabupaten Lombok Timur".into(),
                    status: Some(FormationStatus::DalamPembentukan),
                    ..LkksInput::default()
                },
                None,
            )
            .await
            .unwrap();
        let op = w.principal("op5203").await;
        let me = s.as_user(&op);
        let forum = me
            .create_forum(&NewForum {
                lkks_id: lkks,
                name: "Rapat Koordinasi Kab/Kota".into(),
                kind: MeetingKind::Koordinasi,
                description: None,
            })
            .await
            .unwrap();
        let m1 = me
            .create_meeting(&meeting(forum, "Rakor I", d(2025, 6, 25)))
            .await
            .unwrap();
        let rec = me.meeting(m1).await.unwrap().unwrap();
        assert_eq!(rec.meeting.zone, "WITA", "{l}");
        assert_eq!(rec.meeting.starts.to_string(), "2025-06-25 09:00:00", "{l}");
        assert_eq!(rec.meeting.commissions, vec!["Komisi A", "Komisi B"]);
        assert_eq!(rec.agenda.len(), 1);

        // Invitations, a code at the door, a tick with a representative.
        let (inv1, code1) = me
            .invite(
                m1,
                &NewInvitee {
                    organisation_id: Some(w.orgs[0]),
                    organisation_name: Some("Mitra A".into()),
                    helix: Some(Helix::DuniaUsaha),
                    person_name: Some("Baiq Nurul".into()),
                    sex: Some("p".into()),
                    disability: true,
                },
            )
            .await
            .unwrap();
        assert_eq!(code1.len(), 6);
        let (inv2, _) = me
            .invite(
                m1,
                &NewInvitee {
                    organisation_name: Some("Bappeda".into()),
                    helix: Some(Helix::Pemerintah),
                    person_name: Some("Lalu Hamdi".into()),
                    sex: Some("L".into()),
                    ..NewInvitee::default()
                },
            )
            .await
            .unwrap();
        let bad_sex = me
            .invite(
                m1,
                &NewInvitee {
                    person_name: Some("X".into()),
                    sex: Some("W".into()),
                    ..NewInvitee::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(bad_sex.msg().key, "forum.sex_unknown");
        assert_eq!(me.check_in(m1, "zzzzzz", None).await.unwrap(), None);
        let typed = format!(" {}-{} ", &code1[..3], code1[3..].to_lowercase());
        assert_eq!(me.check_in(m1, &typed, None).await.unwrap(), Some(inv1));
        assert!(
            me.mark_present(m1, inv2, true, Some("Staf Bappeda".into()))
                .await
                .unwrap()
        );
        let rec = me.meeting(m1).await.unwrap().unwrap();
        assert_eq!(rec.present(), 2, "{l}");
        assert_eq!(
            rec.invitations[1].represented_by.as_deref(),
            Some("Staf Bappeda")
        );

        // A decision on the agenda item and its action, linked to the formation target.
        let dec = me
            .add_decision(
                m1,
                &NewDecision {
                    agenda_item_id: Some(rec.agenda[0].id),
                    text: "Semua kab/kota membentuk LKKS paling lambat 31 Desember 2025".into(),
                    kind: Some("keputusan".into()),
                    decided_by: Some("Pleno".into()),
                    link: Some((LinkKind::TargetPembentukan, "1".into())),
                },
            )
            .await
            .unwrap();
        let act = me
            .add_action(
                m1,
                &NewAction {
                    decision_id: Some(dec),
                    title: "Surat ke bupati yang belum membentuk LKKS".into(),
                    owner_person: Some("Sekretaris".into()),
                    owner_org_id: Some(w.orgs[0]),
                    owner_org_name: Some("Mitra A".into()),
                    deadline: d(2025, 9, 30),
                    link: Some((LinkKind::TargetPembentukan, "1".into())),
                },
            )
            .await
            .unwrap();

        // Closing: not from planned, not without minutes, and then frozen.
        let e = me
            .close_meeting(m1, Some("Notulen".into()), None, None)
            .await;
        assert_eq!(e.unwrap_err().msg().key, "forum.meeting_move", "{l}");
        me.mark_held(m1).await.unwrap();
        let e = me.close_meeting(m1, None, None, None).await;
        assert_eq!(e.unwrap_err().msg().key, "forum.minutes_required");
        let minutes = "Rapat dibuka pukul 09.00 WITA; tiga keputusan.";
        let hash = me
            .close_meeting(m1, Some(minutes.into()), None, None)
            .await
            .unwrap();
        assert_eq!(hash, minutes_hash(&format!("{minutes}\n")));
        let rec = me.meeting(m1).await.unwrap().unwrap();
        assert_eq!(rec.meeting.status, MeetingStatus::Ditutup);
        assert_eq!(rec.meeting.attendance_count, Some(2), "the ticked invitees");
        assert_eq!(rec.meeting.minutes_hash.as_deref(), Some(hash.as_str()));
        let e = me
            .close_meeting(m1, Some("lain".into()), None, Some(9))
            .await;
        assert_eq!(e.unwrap_err().msg().key, "forum.frozen", "{l}");
        let e = me.mark_present(m1, inv1, false, None).await.unwrap_err();
        assert_eq!(e.msg().key, "forum.frozen");
        let audit = s
            .as_system("cli")
            .audit_entries(
                &AuditQuery {
                    action: Some("meeting.close".into()),
                    ..AuditQuery::default()
                },
                Page::new(None, None, 10),
            )
            .await
            .unwrap();
        assert_eq!(audit.items.len(), 1, "{l}");
        assert!(
            audit.items[0].after.as_deref().unwrap().contains(&hash),
            "{l}: the hash is in the chain"
        );
        assert!(s.verify_audit_chain().await.unwrap().broken.is_none());

        // The open action rolls onto the next meeting's agenda; overdue in the overview.
        let m2 = me
            .create_meeting(&meeting(forum, "Rakor II", d(2025, 12, 10)))
            .await
            .unwrap();
        let rec2 = me.meeting(m2).await.unwrap().unwrap();
        assert_eq!(rec2.agenda.len(), 2, "{l}");
        assert_eq!(rec2.agenda[1].carried_action_id, Some(act));
        assert!(rec2.agenda[1].title.contains("Surat ke bupati"));
        let overdue = me
            .actions(
                &ActionFilter {
                    overdue_on: Some(d(2025, 10, 1)),
                    ..ActionFilter::default()
                },
                Page::new(None, None, 50),
            )
            .await
            .unwrap();
        assert_eq!(overdue.total, 1, "{l}");
        assert!(overdue.items[0].is_overdue(d(2025, 10, 1)));
        let history = me
            .forum_history(forum, Page::new(None, None, 50), None)
            .await
            .unwrap();
        assert_eq!(history.total, 2);
        assert_eq!(history.items[0].id, m2, "newest first");
        assert_eq!((history.items[1].actions, history.items[1].present), (1, 2));

        // The owning partner sees and moves its action; done needs evidence.
        let mitra = w.principal("mitra.a").await;
        let partner = s.as_user(&mitra);
        let own = partner
            .actions(&ActionFilter::default(), Page::new(None, None, 50))
            .await
            .unwrap();
        assert_eq!(own.total, 1, "{l}: its own action only");
        let e = partner
            .update_action(act, ActionStatus::Selesai, None, d(2025, 10, 2))
            .await
            .unwrap_err();
        assert_eq!(e.msg().key, "forum.evidence_required");
        partner
            .update_action(
                act,
                ActionStatus::Selesai,
                Some("Surat 400/12".into()),
                d(2025, 10, 2),
            )
            .await
            .unwrap();
        let after = me
            .actions(&ActionFilter::default(), Page::new(None, None, 50))
            .await
            .unwrap();
        assert_eq!(after.items[0].status, ActionStatus::Selesai);
        assert_eq!(after.items[0].closed_on, Some(d(2025, 10, 2)));
        assert!(!after.items[0].is_overdue(d(2025, 10, 3)));

        // Attendance counts: penta-helix, sex, disability.
        let counts = me.attendance_counts(None, Some(2025)).await.unwrap();
        assert_eq!((counts.invited, counts.present), (2, 2), "{l}");
        assert_eq!((counts.male, counts.female, counts.disability), (1, 1, 1));
        assert_eq!(
            counts.by_helix,
            vec![
                ("dunia_usaha".to_string(), 1),
                ("pemerintah".to_string(), 1)
            ]
        );
        assert_eq!(
            me.attendance_counts(None, Some(2024))
                .await
                .unwrap()
                .invited,
            0
        );

        // Outside the region: nothing seen, nothing changed; the board reads, never writes.
        let other = w.principal("op5202").await;
        assert!(s.as_user(&other).forums().await.unwrap().is_empty(), "{l}");
        assert!(s.as_user(&other).meeting(m1).await.unwrap().is_none());
        let e = s.as_user(&other).mark_held(m2).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{l}");
        let board = w.principal("pimpinan52").await;
        assert_eq!(s.as_user(&board).forums().await.unwrap().len(), 1);
        let e = s.as_user(&board).mark_held(m2).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden));
        assert!(
            s.scoped(Viewer::public())
                .forums()
                .await
                .unwrap()
                .is_empty(),
            "the public sees no forum"
        );
        let upcoming = me
            .upcoming_meetings(d(2025, 7, 1).and_hms_opt(0, 0, 0).unwrap(), 10)
            .await
            .unwrap();
        assert_eq!(upcoming.iter().map(|m| m.id).collect::<Vec<_>>(), vec![m2]);
    }
}

/// A forum of the Lombok Timur LKKS, created by its kab/kota operator.
async fn lombok_forum(w: &sinergi_testkit::world::World, op: &sinergi_core::Principal) -> i64 {
    let (lkks, _) = w
        .store
        .as_system("cli")
        .save_lkks(
            &LkksInput {
                region: Some(code("52.03")),
                name: "LKKS Kabupaten Lombok Timur".into(),
                status: Some(FormationStatus::DalamPembentukan),
                ..LkksInput::default()
            },
            None,
        )
        .await
        .unwrap();
    w.store
        .as_user(op)
        .create_forum(&NewForum {
            lkks_id: lkks,
            name: "Rapat Koordinasi Kab/Kota".into(),
            kind: MeetingKind::Koordinasi,
            description: None,
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn history_pages_read_by_keyset_are_the_offset_pages() {
    use sinergi_store::HistoryCursor::{After, Before};
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let op = w.principal("op5203").await;
        let forum = lombok_forum(&w, &op).await;
        let me = w.store.as_user(&op);
        // Seven meetings, two of them at the same hour (the id breaks the tie).
        for (i, day) in [3, 5, 5, 9, 12, 20, 28].into_iter().enumerate() {
            me.create_meeting(&meeting(forum, &format!("Rapat {i}"), d(2025, 3, day)))
                .await
                .unwrap();
        }
        let ids = |p: &sinergi_store::Paged<sinergi_store::MeetingSummary>| {
            p.items.iter().map(|m| m.id).collect::<Vec<_>>()
        };
        let by_offset = |n| me.forum_history(forum, Page::new(Some(n), Some(3), 3), None);
        let (p1, p2, p3) = (
            by_offset(1).await.unwrap(),
            by_offset(2).await.unwrap(),
            by_offset(3).await.unwrap(),
        );
        assert_eq!((p1.total, ids(&p3).len()), (7, 1), "{l}");
        let k2 = me
            .forum_history(
                forum,
                Page::new(Some(2), Some(3), 3),
                Some(Before(*ids(&p1).last().unwrap())),
            )
            .await
            .unwrap();
        assert_eq!(ids(&k2), ids(&p2), "{l}: older than page 1's last");
        assert_eq!((k2.page, k2.total), (2, 7));
        let k3 = me
            .forum_history(
                forum,
                Page::new(Some(3), Some(3), 3),
                Some(Before(*ids(&k2).last().unwrap())),
            )
            .await
            .unwrap();
        assert_eq!(ids(&k3), ids(&p3), "{l}");
        let back = me
            .forum_history(
                forum,
                Page::new(Some(2), Some(3), 3),
                Some(After(ids(&k3)[0])),
            )
            .await
            .unwrap();
        assert_eq!(
            ids(&back),
            ids(&p2),
            "{l}: newer than page 3's first, newest first"
        );
        // A cursor that is not a meeting of this forum falls back to the offset page.
        let stray = me
            .forum_history(forum, Page::new(Some(1), Some(3), 3), Some(Before(-5)))
            .await
            .unwrap();
        assert_eq!(ids(&stray), ids(&p1));
    }
}

fn sheet_row(line: u64, code: Option<&str>, person: Option<&str>, present: bool) -> SheetRow {
    SheetRow {
        line,
        code: code.map(str::to_string),
        person_name: person.map(str::to_string),
        organisation_name: None,
        helix: Some(Helix::Masyarakat),
        sex: Some("P".into()),
        disability: true,
        present,
        represented_by: None,
    }
}

#[tokio::test]
async fn an_attendance_sheet_is_recorded_whole_or_not_at_all_and_actions_due_are_counted() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let op = w.principal("op5203").await;
        let forum = lombok_forum(&w, &op).await;
        let me = w.store.as_user(&op);
        let m = me
            .create_meeting(&meeting(forum, "Rakor I", d(2025, 6, 25)))
            .await
            .unwrap();
        let (_, code1) = me
            .invite(
                m,
                &NewInvitee {
                    person_name: Some("Siti Aminah".into()),
                    ..NewInvitee::default()
                },
            )
            .await
            .unwrap();
        me.invite(
            m,
            &NewInvitee {
                person_name: Some("Lalu Ahmad".into()),
                organisation_name: Some("Dinas Sosial".into()),
                ..NewInvitee::default()
            },
        )
        .await
        .unwrap();

        // A refused row refuses the sheet: nothing is written.
        let refused = me
            .record_attendance_sheet(
                m,
                "hadir.csv",
                &[
                    sheet_row(2, None, Some("Baiq Nurul"), true),
                    sheet_row(3, Some("ZZZZZZ"), None, true),
                ],
            )
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.len(), 1, "{l}");
        assert_eq!(
            (refused[0].0, refused[0].1.key),
            (3, "forum.sheet.code_unknown")
        );
        let rec = me.meeting(m).await.unwrap().unwrap();
        assert_eq!((rec.invitations.len(), rec.present()), (2, 0), "{l}");

        let done = me
            .record_attendance_sheet(
                m,
                "hadir.csv",
                &[
                    sheet_row(2, Some(&code1.to_lowercase()), None, true),
                    sheet_row(3, None, Some("lalu ahmad"), false),
                    sheet_row(4, None, Some("Baiq Nurul"), true),
                ],
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!((done.matched, done.added, done.present), (2, 1, 2), "{l}");
        let rec = me.meeting(m).await.unwrap().unwrap();
        assert_eq!((rec.invitations.len(), rec.present()), (3, 2), "{l}");
        let siti = &rec.invitations[0];
        assert!(
            siti.present && siti.disability,
            "{l}: blanks filled from the sheet"
        );
        assert_eq!(
            (siti.sex.as_deref(), siti.helix),
            (Some("P"), Some(Helix::Masyarakat))
        );
        let walk_in = &rec.invitations[2];
        assert_eq!(walk_in.person_name.as_deref(), Some("Baiq Nurul"));
        assert_eq!(walk_in.checkin_code.len(), 6, "a walk-in gets its own code");
        assert!(!rec.invitations[1].present);
        let audit = w
            .store
            .as_system("cli")
            .audit_entries(
                &AuditQuery {
                    action: Some("meeting.attendance_sheet".into()),
                    ..AuditQuery::default()
                },
                Page::new(None, None, 10),
            )
            .await
            .unwrap();
        assert_eq!(audit.items.len(), 1, "{l}: one audit event for the sheet");
        // Someone outside the region records nothing.
        let other = w.principal("op5202").await;
        let e = w
            .store
            .as_user(&other)
            .record_attendance_sheet(m, "x.csv", &[sheet_row(2, None, Some("A"), true)])
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{l}");

        // Actions due in Q3 2025 with the commission of their decision's agenda item.
        let item = rec.agenda[0].id;
        let decision = me
            .add_decision(
                m,
                &NewDecision {
                    agenda_item_id: Some(item),
                    text: "Bentuk LKKS di setiap kab/kota".into(),
                    kind: None,
                    decided_by: None,
                    link: None,
                },
            )
            .await
            .unwrap();
        for (title, decision, deadline) in [
            ("Surat ke bupati", Some(decision), d(2025, 8, 1)),
            ("Data LKS", None, d(2025, 9, 30)),
            ("Laporan tahunan", None, d(2025, 12, 31)),
        ] {
            me.add_action(
                m,
                &NewAction {
                    decision_id: decision,
                    title: title.into(),
                    owner_person: None,
                    owner_org_id: None,
                    owner_org_name: None,
                    deadline,
                    link: None,
                },
            )
            .await
            .unwrap();
        }
        let due = me
            .actions_due(d(2025, 7, 1), d(2025, 9, 30), Some(&code("52")))
            .await
            .unwrap();
        let mut got: Vec<(String, NaiveDate)> = due
            .iter()
            .map(|a| (a.commission.clone(), a.deadline))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                (String::new(), d(2025, 9, 30)),
                ("Komisi A".to_string(), d(2025, 8, 1))
            ],
            "{l}"
        );
        assert!(
            me.actions_due(d(2025, 7, 1), d(2025, 9, 30), Some(&code("52.02")))
                .await
                .unwrap()
                .is_empty(),
            "{l}: another kab/kota's area"
        );
        assert!(
            w.store
                .as_user(&other)
                .actions_due(d(2025, 1, 1), d(2025, 12, 31), None)
                .await
                .unwrap()
                .is_empty(),
            "{l}: outside the viewer's scope"
        );
    }
}

#[tokio::test]
async fn the_capacity_summary_counts_training_per_lkks_over_a_year() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let op = w.principal("op5203").await;
        let forum = lombok_forum(&w, &op).await;
        let me = w.store.as_user(&op);
        let training = |title: &str, date| NewMeeting {
            kind: MeetingKind::Pelatihan,
            topics: vec!["Literasi data".into()],
            ..meeting(forum, title, date)
        };
        let held = me
            .create_meeting(&training("Pelatihan DTSEN", d(2026, 3, 4)))
            .await
            .unwrap();
        me.create_meeting(&training("Pelatihan M&E", d(2026, 9, 1)))
            .await
            .unwrap();
        me.create_meeting(&training("Pelatihan 2025", d(2025, 12, 31)))
            .await
            .unwrap();
        me.create_meeting(&meeting(forum, "Rakor", d(2026, 5, 5)))
            .await
            .unwrap();
        me.record_attendance_sheet(
            held,
            "hadir.csv",
            &[
                sheet_row(2, None, Some("Siti"), true),
                sheet_row(3, None, Some("Nur"), true),
                sheet_row(4, None, Some("Ahmad"), false),
            ],
        )
        .await
        .unwrap()
        .unwrap();
        me.mark_held(held).await.unwrap();
        for (title, deadline) in [("Data LKS", d(2026, 4, 1)), ("Laporan", d(2026, 6, 1))] {
            me.add_action(
                held,
                &NewAction {
                    decision_id: None,
                    title: title.into(),
                    owner_person: None,
                    owner_org_id: None,
                    owner_org_name: None,
                    deadline,
                    link: None,
                },
            )
            .await
            .unwrap();
        }
        let first = me
            .actions(&ActionFilter::default(), Page::new(None, None, 10))
            .await
            .unwrap()
            .items[0]
            .id;
        me.update_action(
            first,
            ActionStatus::Selesai,
            Some("Surat".into()),
            d(2026, 3, 30),
        )
        .await
        .unwrap();
        let rows = me.capacity_summary(2026).await.unwrap();
        assert_eq!(rows.len(), 1, "{l}");
        let r = &rows[0];
        assert_eq!(r.lkks_name, "LKKS Kabupaten Lombok Timur");
        assert_eq!(
            (r.sessions, r.sessions_held),
            (2, 1),
            "{l}: 2026's training only"
        );
        assert_eq!((r.present, r.female, r.disability), (2, 2, 2), "{l}");
        assert_eq!(r.by_helix, vec![("masyarakat".to_string(), 2)]);
        assert_eq!((r.actions_due, r.actions_on_time), (2, 1), "{l}");
        assert!(
            w.store
                .as_user(&w.principal("op5202").await)
                .capacity_summary(2026)
                .await
                .unwrap()
                .is_empty(),
            "{l}: another kab/kota sees none"
        );
    }
}

/// Minutes uploaded as a file: a file over the limit or not a PDF is refused with its
/// catalogue message and nothing is written (the meeting stays open, no file is kept); a PDF
/// is kept with its SHA-256, bound into the closing hash, and read back only by viewers who
/// see the meeting.
#[tokio::test]
async fn minutes_files_are_checked_kept_and_hashed() {
    use sinergi_core::forum::{MAX_MINUTES_PDF_BYTES, closing_hash, file_hash};
    use sinergi_store::MinutesFile;
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let (lkks, _) = s
            .as_system("cli")
            .save_lkks(
                &LkksInput {
                    region: Some(code("52.03")),
                    name: "LKKS Kabupaten Lombok Timur".into(),
                    status: Some(FormationStatus::DalamPembentukan),
                    ..LkksInput::default()
                },
                None,
            )
            .await
            .unwrap();
        let op = w.principal("op5203").await;
        let me = s.as_user(&op);
        let forum = me
            .create_forum(&NewForum {
                lkks_id: lkks,
                name: "Rapat Koordinasi Kab/Kota".into(),
                kind: MeetingKind::Koordinasi,
                description: None,
            })
            .await
            .unwrap();
        let m = me
            .create_meeting(&meeting(forum, "Rakor", d(2025, 6, 25)))
            .await
            .unwrap();
        me.mark_held(m).await.unwrap();
        let file = |bytes: Vec<u8>| {
            Some(MinutesFile {
                name: "notulen.pdf".into(),
                bytes,
            })
        };
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(MAX_MINUTES_PDF_BYTES as usize + 1, b' ');
        let e = me.close_meeting(m, None, file(big), Some(20)).await;
        assert_eq!(e.unwrap_err().msg().key, "forum.minutes_too_large", "{l}");
        let e = me
            .close_meeting(m, None, file(b"<html>notulen</html>".to_vec()), Some(20))
            .await;
        assert_eq!(e.unwrap_err().msg().key, "forum.minutes_not_pdf", "{l}");
        assert_eq!(
            me.meeting(m).await.unwrap().unwrap().meeting.status,
            MeetingStatus::Terlaksana,
            "{l}: nothing written"
        );
        assert!(me.minutes_file(m).await.unwrap().is_none(), "{l}");

        let pdf = b"%PDF-1.7\n%%EOF\n".to_vec();
        let hash = me
            .close_meeting(m, Some("Ringkas.".into()), file(pdf.clone()), Some(20))
            .await
            .unwrap();
        assert_eq!(hash, closing_hash(Some("Ringkas."), Some(&file_hash(&pdf))));
        let kept = me.minutes_file(m).await.unwrap().unwrap();
        assert_eq!(
            (kept.bytes, kept.sha256),
            (pdf.clone(), file_hash(&pdf)),
            "{l}"
        );
        let other = w.principal("op5202").await;
        assert!(
            s.as_user(&other).minutes_file(m).await.unwrap().is_none(),
            "{l}: out of scope"
        );
    }
}
