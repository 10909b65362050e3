//! Demo forums (issue 21): the NTB multi-stakeholder forum of 18 November 2025 on the
//! five-year strategy with its penta-helix participants, the Lombok capacity-building
//! session of 8 December 2026 for kab/kota boards (about fifty participants, planned), and
//! Jawa Tengah's coordination meeting of 25 June 2025 with Komisi A and B and its three
//! decisions, whose actions link to the province's LKKS formation target. Invitees that are
//! in the registries (the provincial Dinas Sosial and Baznas, the kab/kota LKKS) are invited
//! as those organisations, so their accounts see and answer their invitations.

use anyhow::Context;
use chrono::{NaiveDate, NaiveTime};
use sinergi_core::RegionCode;
use sinergi_core::forum::{ActionStatus, LinkKind, MeetingKind, Rsvp};
use sinergi_core::institution::Helix;
use sinergi_store::{
    LKKS_SORTS, LkksFilter, NewAction, NewDecision, NewForum, NewInvitee, NewMeeting, Page, Scoped,
    Sort, Store,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a demo date")
}

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("a demo time")
}

/// The LKKS seated exactly at `code` (the province's own, not a kab/kota's).
async fn lkks_at(demo: &Scoped<'_>, code: &str) -> anyhow::Result<i64> {
    let region = RegionCode::parse(code)?;
    let rows = demo
        .lkks_list(
            &LkksFilter {
                region: Some(region),
                ..LkksFilter::default()
            },
            Sort::parse(None, &LKKS_SORTS),
            Page::new(None, Some(100), 100),
        )
        .await?;
    rows.items
        .into_iter()
        .find(|r| r.region == code)
        .map(|r| r.id)
        .with_context(|| format!("LKKS demo {code}"))
}

fn invitee(org: &str, helix: Helix, person: &str, sex: &str) -> NewInvitee {
    NewInvitee {
        organisation_name: Some(org.into()),
        helix: Some(helix),
        person_name: Some(person.into()),
        sex: Some(sex.into()),
        ..NewInvitee::default()
    }
}

/// Invites everyone in `people` and ticks them present.
async fn attend(demo: &Scoped<'_>, meeting: i64, people: &[NewInvitee]) -> anyhow::Result<()> {
    for p in people {
        let (id, _) = demo.invite(meeting, p).await?;
        demo.mark_present(meeting, id, true, None).await?;
    }
    Ok(())
}

/// The registered organisations the demo meetings invite as such.
pub struct Registered {
    pub dinas_sosial: i64,
    pub baznas: i64,
}

/// An invitee bound to its registered organisation (name and role then come from the
/// registry).
fn registered(org: i64, mut p: NewInvitee) -> NewInvitee {
    p.organisation_id = Some(org);
    p
}

pub async fn load(store: &Store, today: NaiveDate, orgs: &Registered) -> anyhow::Result<()> {
    let demo = store.as_system("demo");
    ntb_forum(&demo, orgs).await?;
    lombok_training(&demo, orgs).await?;
    jateng_coordination(&demo, today).await?;
    Ok(())
}

async fn ntb_forum(demo: &Scoped<'_>, orgs: &Registered) -> anyhow::Result<()> {
    let lkks = lkks_at(demo, "52").await?;
    let forum = demo
        .create_forum(&NewForum {
            lkks_id: lkks,
            name: "Forum Multi-Pihak Kesejahteraan Sosial NTB".into(),
            kind: MeetingKind::Forum,
            description: Some("Forum penta-helix untuk strategi lima tahun LKKS NTB".into()),
        })
        .await?;
    let meeting = demo
        .create_meeting(&NewMeeting {
            forum_id: forum,
            title: "Forum Multi-Pihak: Strategi Lima Tahun 2025–2029".into(),
            kind: MeetingKind::Forum,
            date: date(2025, 11, 18),
            time: at(9, 0),
            place: Some("Ruang Rapat Bappeda NTB, Mataram".into()),
            online_link: None,
            organiser: Some("LKKS Provinsi NTB".into()),
            commissions: vec![],
            topics: vec![],
            agenda: vec![
                ("Paparan rancangan strategi lima tahun".into(), None),
                ("Peran para pihak dan komitmen program 2026".into(), None),
            ],
        })
        .await?;
    use Helix::*;
    attend(
        demo,
        meeting,
        &[
            registered(
                orgs.dinas_sosial,
                invitee(
                    "Dinas Sosial Provinsi NTB",
                    Pemerintah,
                    "Kepala Dinas Sosial",
                    "L",
                ),
            ),
            invitee(
                "Bappeda Provinsi NTB",
                Pemerintah,
                "Kabid Sosial Budaya",
                "P",
            ),
            invitee("DPRD NTB Komisi V", Pemerintah, "Ketua Komisi V", "L"),
            invitee(
                "Tim Percepatan Gubernur NTB",
                Pemerintah,
                "Koordinator TGUPP",
                "L",
            ),
            registered(
                orgs.baznas,
                invitee("Baznas Provinsi NTB", Filantropi, "Wakil Ketua Baznas", "L"),
            ),
            invitee("Forum CSR NTB", DuniaUsaha, "Sekretaris Forum CSR", "P"),
            invitee(
                "Universitas Mataram",
                Akademisi,
                "Dosen Kesejahteraan Sosial",
                "P",
            ),
            invitee("UIN Mataram", Akademisi, "Kepala Pusat Studi Gender", "P"),
            invitee("Konsorsium OMS NTB", Masyarakat, "Koordinator OMS", "L"),
            invitee("Lombok Post", Media, "Redaktur", "L"),
        ],
    )
    .await?;
    let decision = demo
        .add_decision(
            meeting,
            &NewDecision {
                agenda_item_id: None,
                text: "Rancangan strategi lima tahun disepakati sebagai acuan program para pihak"
                    .into(),
                kind: Some("kesepakatan".into()),
                decided_by: Some("Peserta forum".into()),
                link: None,
            },
        )
        .await?;
    demo.add_action(
        meeting,
        &NewAction {
            decision_id: Some(decision),
            title: "Sinkronisasi program 2026 para pihak dengan indikator strategi".into(),
            owner_person: Some("Sekretaris LKKS NTB".into()),
            owner_org_id: Some(lkks),
            owner_org_name: Some("LKKS Provinsi NTB".into()),
            deadline: date(2026, 1, 31),
            link: None,
        },
    )
    .await?;
    demo.mark_held(meeting).await?;
    demo.close_meeting(
        meeting,
        Some(
            "Forum dibuka Ketua LKKS NTB. Bappeda memaparkan arah RPJMD; para pihak menyepakati \
             rancangan strategi lima tahun dan sinkronisasi program 2026."
                .into(),
        ),
        None,
        None,
    )
    .await?;
    Ok(())
}

async fn lombok_training(demo: &Scoped<'_>, orgs: &Registered) -> anyhow::Result<()> {
    let lkks = lkks_at(demo, "52").await?;
    let forum = demo
        .create_forum(&NewForum {
            lkks_id: lkks,
            name: "Peningkatan Kapasitas Pengurus LKKS Kab/Kota Lombok".into(),
            kind: MeetingKind::Pelatihan,
            description: None,
        })
        .await?;
    let meeting = demo
        .create_meeting(&NewMeeting {
            forum_id: forum,
            title: "Peningkatan kapasitas dan sinkronisasi program 2026".into(),
            kind: MeetingKind::Pelatihan,
            date: date(2026, 12, 8),
            time: at(8, 30),
            place: Some("Praya, Lombok Tengah".into()),
            online_link: None,
            organiser: Some("LKKS Provinsi NTB".into()),
            commissions: vec![],
            topics: vec![
                "Literasi data".into(),
                "Penggunaan DTSEN dan SIKS-NG".into(),
                "Baseline dan monitoring-evaluasi".into(),
                "Indikator gender, disabilitas dan anak".into(),
            ],
            agenda: vec![("Sinkronisasi program kab/kota 2026".into(), None)],
        })
        .await?;
    // About fifty invitees: board members of the five Lombok kab/kota LKKS, each invited as
    // its registered LKKS where the registry has it; most have answered.
    let kabkota = [
        ("52.01", "Lombok Barat"),
        ("52.02", "Lombok Tengah"),
        ("52.03", "Lombok Timur"),
        ("52.08", "Lombok Utara"),
        ("52.71", "Kota Mataram"),
    ];
    for (i, (code, k)) in kabkota.iter().enumerate() {
        let org = lkks_at(demo, code).await.ok();
        for n in 0..10 {
            let (id, _) = demo
                .invite(
                    meeting,
                    &NewInvitee {
                        organisation_id: org,
                        organisation_name: Some(format!("LKKS {k}")),
                        helix: Some(Helix::Masyarakat),
                        person_name: Some(format!("Pengurus {} {}", i + 1, n + 1)),
                        sex: Some(if n % 2 == 0 { "P" } else { "L" }.into()),
                        disability: n == 7,
                    },
                )
                .await?;
            let (answer, rep) = match n {
                0..=5 => (Rsvp::Hadir, None),
                6 => (Rsvp::Diwakili, Some("Wakil Sekretaris".to_string())),
                7 => (Rsvp::Tidak, None),
                _ => continue,
            };
            demo.answer_invitation(meeting, id, answer, rep).await?;
        }
    }
    // Baznas NTB speaks on data for zakat programmes; its account is yet to answer.
    demo.invite(
        meeting,
        &registered(
            orgs.baznas,
            invitee(
                "Baznas Provinsi NTB",
                Helix::Filantropi,
                "Narasumber Baznas",
                "P",
            ),
        ),
    )
    .await?;
    Ok(())
}

async fn jateng_coordination(demo: &Scoped<'_>, today: NaiveDate) -> anyhow::Result<()> {
    let lkks = lkks_at(demo, "33").await?;
    let target = demo
        .formation_targets()
        .await?
        .into_iter()
        .find(|t| t.province == "33")
        .map(|t| t.id.to_string())
        .context("target pembentukan Jawa Tengah")?;
    let forum = demo
        .create_forum(&NewForum {
            lkks_id: lkks,
            name: "Rapat Koordinasi BK3S Kab/Kota Jawa Tengah".into(),
            kind: MeetingKind::Koordinasi,
            description: Some("Koordinasi 35 BK3S kab/kota".into()),
        })
        .await?;
    let meeting = demo
        .create_meeting(&NewMeeting {
            forum_id: forum,
            title: "Rapat Koordinasi BK3S Kab/Kota se-Jawa Tengah".into(),
            kind: MeetingKind::Koordinasi,
            date: date(2025, 6, 25),
            time: at(9, 0),
            place: Some("Semarang".into()),
            online_link: None,
            organiser: Some("BK3S Provinsi Jawa Tengah".into()),
            commissions: vec!["Komisi A".into(), "Komisi B".into()],
            topics: vec![],
            agenda: vec![
                (
                    "Pembentukan BK3S di semua kab/kota".into(),
                    Some("Komisi A".into()),
                ),
                ("Penguatan koordinasi LKS".into(), Some("Komisi B".into())),
                (
                    "Sinergi dengan pemerintah daerah".into(),
                    Some("Komisi B".into()),
                ),
            ],
        })
        .await?;
    let rec = demo.meeting(meeting).await?.context("rapat demo")?;
    // 35 kab/kota boards, one delegate each (a few represented).
    for i in 0..35 {
        let (id, _) = demo
            .invite(
                meeting,
                &NewInvitee {
                    organisation_name: Some(format!("BK3S kab/kota {:02}", i + 1)),
                    helix: Some(Helix::Masyarakat),
                    person_name: Some(format!("Delegasi {:02}", i + 1)),
                    sex: Some(if i % 3 == 0 { "P" } else { "L" }.into()),
                    ..NewInvitee::default()
                },
            )
            .await?;
        let rep = (i % 9 == 0).then(|| "Sekretaris".to_string());
        demo.mark_present(meeting, id, i != 34, rep).await?;
    }
    let decisions = [
        (
            "Semua kab/kota membentuk BK3S paling lambat 31 Desember 2025",
            Some((LinkKind::TargetPembentukan, target.clone())),
            "Surat Ketua BK3S ke bupati/wali kota yang belum membentuk BK3S",
            date(2025, 8, 31),
        ),
        (
            "Memperkuat koordinasi LKS melalui BK3S kab/kota",
            None,
            "Pemetaan LKS per kab/kota dan jadwal rapat koordinasi triwulanan",
            date(2025, 9, 30),
        ),
        (
            "Membangun sinergi dengan pemerintah daerah",
            None,
            "Audiensi dengan Dinas Sosial dan Bappeda kab/kota",
            date(2026, 3, 31),
        ),
    ];
    let mut actions = Vec::new();
    for (i, (text, link, action, deadline)) in decisions.into_iter().enumerate() {
        let d = demo
            .add_decision(
                meeting,
                &NewDecision {
                    agenda_item_id: rec.agenda.get(i).map(|a| a.id),
                    text: text.into(),
                    kind: Some("keputusan".into()),
                    decided_by: Some("Pleno".into()),
                    link: link.clone(),
                },
            )
            .await?;
        actions.push(
            demo.add_action(
                meeting,
                &NewAction {
                    decision_id: Some(d),
                    title: action.into(),
                    owner_person: Some("Sekretaris BK3S Jawa Tengah".into()),
                    owner_org_id: Some(lkks),
                    owner_org_name: Some("BK3S Provinsi Jawa Tengah".into()),
                    deadline,
                    link: Some((LinkKind::TargetPembentukan, target.clone())),
                },
            )
            .await?,
        );
    }
    demo.mark_held(meeting).await?;
    demo.close_meeting(
        meeting,
        Some(
            "Rapat koordinasi 35 BK3S kab/kota dalam Komisi A dan B menghasilkan tiga keputusan; \
             pemantauan dan evaluasi berkala oleh BK3S provinsi."
                .into(),
        ),
        None,
        None,
    )
    .await?;
    // The mapping is under way, the letters were sent; the audience is still open (overdue
    // once its deadline passes).
    demo.update_action(
        actions[0],
        ActionStatus::Selesai,
        Some("Surat 400/112/BK3S/VII/2025".into()),
        date(2025, 7, 20),
    )
    .await?;
    demo.update_action(actions[1], ActionStatus::Berjalan, None, today)
        .await?;
    Ok(())
}
