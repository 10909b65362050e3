//! `sinergi forum impor`: an attendance sheet for a meeting, recorded as a user (whose scope
//! applies) through the same use case as the meeting page; or a past meeting created from its
//! sheet.

use std::path::Path;

use anyhow::{Context, bail};
use chrono::NaiveTime;
use sinergi_activity::forums::{SheetImport, import_attendance_sheet, import_past_meeting};
use sinergi_core::forum::MeetingKind;
use sinergi_core::{Localized, Msg, Viewer};
use sinergi_store::{NewMeeting, Store};

/// Which meeting the sheet is for: an existing one, or a past one to create.
pub struct Target {
    pub meeting: Option<i64>,
    pub forum: Option<i64>,
    pub title: Option<String>,
    pub date: Option<String>,
    pub time: String,
    pub kind: String,
}

pub async fn import(
    file: &Path,
    target: Target,
    as_user: &str,
    database: &str,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file)
        .with_context(|| format!("berkas {} tidak bisa dibaca", file.display()))?;
    let store = crate::setup::open(database).await?;
    let result = run(&store, file, &bytes, target, as_user).await;
    store.close().await;
    result
}

async fn run(
    store: &Store,
    file: &Path,
    bytes: &[u8],
    target: Target,
    as_user: &str,
) -> anyhow::Result<()> {
    let t = crate::lang::messages();
    let principal = store
        .principal_by_username(as_user)
        .await?
        .with_context(|| t.render(&Msg::new("forum.cli.user_unknown").arg("user", as_user)))?;
    let viewer = Viewer::User(principal);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fail = |e: sinergi_activity::ActivityError| anyhow::anyhow!(t.render(&e.msg()));
    let outcome = match (target.meeting, target.forum) {
        (Some(meeting), None) => import_attendance_sheet(store, &viewer, meeting, &name, bytes)
            .await
            .map_err(fail)?,
        (None, Some(forum)) => {
            let date_text = target.date.unwrap_or_default();
            let date = sinergi_core::parse_date(date_text.trim()).map_err(|_| {
                anyhow::anyhow!(
                    t.render(
                        &Msg::new("forum.bad_date")
                            .arg("field", "--tanggal")
                            .arg("value", date_text.trim())
                    )
                )
            })?;
            let time = NaiveTime::parse_from_str(target.time.trim(), "%H:%M").map_err(|_| {
                anyhow::anyhow!(
                    t.render(&Msg::new("forum.bad_time").arg("value", target.time.trim()))
                )
            })?;
            let kind = MeetingKind::from_key(&target.kind).with_context(|| {
                t.render(&Msg::new("forum.kind_unknown").arg("value", target.kind.trim()))
            })?;
            let input = NewMeeting {
                forum_id: forum,
                title: target.title.unwrap_or_default(),
                kind,
                date,
                time,
                place: None,
                online_link: None,
                organiser: None,
                commissions: Vec::new(),
                topics: Vec::new(),
                agenda: Vec::new(),
            };
            import_past_meeting(store, &viewer, &input, &name, bytes)
                .await
                .map_err(fail)?
        }
        _ => bail!("{}", t.render(&Msg::new("forum.cli.meeting_or_forum"))),
    };
    match outcome {
        SheetImport::Stored {
            meeting_id,
            outcome,
        } => {
            println!(
                "{}",
                t.render(
                    &Msg::new("forum.cli.stored")
                        .arg_msg(
                            "meeting",
                            Msg::new("forum.cli.meeting").arg("id", meeting_id)
                        )
                        .arg("matched", outcome.matched)
                        .arg("added", outcome.added)
                        .arg("present", outcome.present)
                )
            );
            Ok(())
        }
        SheetImport::Refused(rows) => bail!("{}", crate::lang::row_errors(&t, &rows, 0)),
    }
}
