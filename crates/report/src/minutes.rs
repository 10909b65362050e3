//! The minutes of a forum meeting as a document with the deployment's letterhead: when and
//! where, the agenda, who came (counts and the participants present), decisions, follow-up
//! actions and the minutes text with its frozen hash. The caller gives plain, already
//! labelled data; this only lays it out.

use crate::{Block, Cell, Document, Labels, Letterhead, TableBlock, cells};

/// What the minutes show, labelled by the caller.
#[derive(Debug, Clone, Default)]
pub struct MinutesInput {
    pub title: String,
    pub forum: String,
    /// The meeting type, as a label.
    pub kind: String,
    /// Date, time and zone ("2025-06-25 09:30 WITA").
    pub when: String,
    pub place: Option<String>,
    pub organiser: Option<String>,
    /// The status, as a label.
    pub status: String,
    pub commissions: Vec<String>,
    pub agenda: Vec<String>,
    pub invited: usize,
    pub present: usize,
    /// The count recorded at closing (a paper sheet's count when nobody was ticked).
    pub attendance_count: Option<i64>,
    /// Participants present: name, organisation, penta-helix role (labelled).
    pub participants: Vec<[String; 3]>,
    pub decisions: Vec<String>,
    /// Actions: what, owner, deadline, status (labelled).
    pub actions: Vec<[String; 4]>,
    pub minutes: Option<String>,
    pub minutes_file: Option<String>,
    pub minutes_hash: Option<String>,
}

/// The minutes as a document (print blocks, and the participants and actions as sheets).
pub fn minutes_document(m: &MinutesInput, l: &dyn Labels, letterhead: Letterhead) -> Document {
    let mut fields = vec![
        (l.get("forum.report.minutes.forum"), m.forum.clone()),
        (l.get("forum.kind"), m.kind.clone()),
        (l.get("forum.when"), m.when.clone()),
    ];
    for (key, value) in [("forum.place", &m.place), ("forum.organiser", &m.organiser)] {
        if let Some(v) = value {
            fields.push((l.get(key), v.clone()));
        }
    }
    fields.push((l.get("forum.status"), m.status.clone()));
    if !m.commissions.is_empty() {
        fields.push((l.get("forum.commissions"), m.commissions.join(", ")));
    }
    let mut blocks = vec![Block::Fields(fields)];
    blocks.push(Block::Heading(1, l.get("forum.agenda")));
    blocks.push(Block::Paragraph(if m.agenda.is_empty() {
        l.get("forum.no_agenda")
    } else {
        numbered(&m.agenda)
    }));
    blocks.push(Block::Heading(1, l.get("forum.attendance")));
    let mut counts = vec![
        (l.get("forum.invited"), l.num(m.invited as f64)),
        (l.get("forum.present"), l.num(m.present as f64)),
    ];
    if let Some(n) = m.attendance_count {
        counts.push((l.get("forum.attendance_count"), l.num(n as f64)));
    }
    blocks.push(Block::Fields(counts));
    let participants = participant_table(m, l);
    if !m.participants.is_empty() {
        blocks.push(Block::Table(participants.clone()));
    }
    blocks.push(Block::Heading(1, l.get("forum.decisions")));
    blocks.push(Block::Paragraph(if m.decisions.is_empty() {
        l.get("forum.no_decisions")
    } else {
        numbered(&m.decisions)
    }));
    blocks.push(Block::Heading(1, l.get("forum.actions")));
    let actions = action_table(m, l);
    if m.actions.is_empty() {
        blocks.push(Block::Paragraph(l.get("forum.no_actions")));
    } else {
        blocks.push(Block::Table(actions.clone()));
    }
    blocks.push(Block::Heading(1, l.get("forum.minutes")));
    if let Some(text) = &m.minutes {
        blocks.push(Block::Paragraph(text.clone()));
    }
    if let Some(file) = &m.minutes_file {
        blocks.push(Block::Fields(vec![(
            l.get("forum.minutes_file"),
            file.clone(),
        )]));
    }
    if m.minutes.is_none() && m.minutes_file.is_none() {
        blocks.push(Block::Paragraph(l.get("forum.report.minutes.not_closed")));
    }
    if let Some(hash) = &m.minutes_hash {
        blocks.push(Block::Fields(vec![(
            l.get("forum.report.minutes.hash"),
            hash.clone(),
        )]));
    }
    Document {
        title: format!("{} — {}", l.get("forum.report.minutes.title"), m.title),
        subtitle: format!("{} · {}", m.forum, m.when),
        letterhead,
        footer: format!("{} · {}", m.title, m.when),
        page_label: l.get("strategy.report.page"),
        blocks,
        sheets: vec![participants, actions],
    }
}

fn numbered(items: &[String]) -> String {
    items
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {s}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

fn participant_table(m: &MinutesInput, l: &dyn Labels) -> TableBlock {
    TableBlock {
        sheet: l.get("forum.attendance"),
        widths: vec![2.5, 2.5, 1.5],
        header: vec![
            l.get("forum.person"),
            l.get("forum.organisation"),
            l.get("forum.helix"),
        ],
        rows: m
            .participants
            .iter()
            .map(|p| cells(p.to_vec()))
            .collect::<Vec<Vec<Cell>>>(),
    }
}

fn action_table(m: &MinutesInput, l: &dyn Labels) -> TableBlock {
    TableBlock {
        sheet: l.get("forum.actions"),
        widths: vec![3.0, 2.0, 1.0, 1.2],
        header: vec![
            l.get("forum.action"),
            l.get("forum.owner_person"),
            l.get("forum.deadline"),
            l.get("forum.status"),
        ],
        rows: m.actions.iter().map(|a| cells(a.to_vec())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Keys;

    impl Labels for Keys {
        fn get(&self, key: &str) -> String {
            key.to_string()
        }
        fn num(&self, v: f64) -> String {
            format!("{v}")
        }
        fn english(&self) -> bool {
            false
        }
    }

    #[test]
    fn minutes_hold_agenda_attendance_decisions_actions_and_the_hash() {
        let m = MinutesInput {
            title: "Rakor LKKS Kab/Kota".into(),
            forum: "Rapat Koordinasi".into(),
            when: "2025-06-25 09:00 WIB".into(),
            agenda: vec!["Pembentukan LKKS".into(), "Sinergi dengan pemda".into()],
            invited: 35,
            present: 2,
            participants: vec![["Hj. Nurhayati".into(), "Baznas".into(), "Filantropi".into()]],
            decisions: vec!["Bentuk LKKS paling lambat 31 Desember 2025".into()],
            actions: vec![[
                "Surat edaran".into(),
                "Sekretaris".into(),
                "2025-07-31".into(),
                "terbuka".into(),
            ]],
            minutes: Some("Rapat dibuka 09.00.".into()),
            minutes_hash: Some("ab12".into()),
            ..MinutesInput::default()
        };
        let doc = minutes_document(&m, &Keys, Letterhead::default());
        let text = format!("{:?}", doc.blocks);
        assert!(text.contains("1. Pembentukan LKKS\\n2. Sinergi dengan pemda"));
        assert!(text.contains("Hj. Nurhayati"));
        assert!(text.contains("Bentuk LKKS paling lambat"));
        assert!(text.contains("Rapat dibuka 09.00."));
        assert!(text.contains("\"ab12\""));
        assert!(!text.contains("forum.report.minutes.not_closed"));
        assert_eq!(doc.sheets.len(), 2);
        let pdf = crate::pdf::render(&doc, &|_| {}).unwrap();
        assert!(crate::pdf::extract_text(&pdf).contains("Surat edaran"));
        let open = MinutesInput::default();
        let doc = minutes_document(&open, &Keys, Letterhead::default());
        assert!(format!("{:?}", doc.blocks).contains("forum.report.minutes.not_closed"));
    }
}
