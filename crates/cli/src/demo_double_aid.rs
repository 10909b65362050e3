//! Demo double-aid rounds (issue 19): NTB's partners holding beneficiary lists are checked
//! for 2025 — a first round closed (results frozen), and a second one run but still open,
//! compared with the first, so the pages show both states, each viewer's share and the
//! comparison. Joined with their held lists, linked in memory on the server.

use anyhow::Context;
use sinergi_activity::double_aid::{Join, join, open_round, round_page, run_round};
use sinergi_core::{Period, RegionCode, Viewer};
use sinergi_store::{NewRound, Store};

/// Opens, joins and runs the demo rounds; `preferred` are the partners with demo accounts
/// (invited first), `skip` the register's owner (its list is the population, not aid).
pub async fn load(store: &Store, preferred: &[i64], skip: i64) -> anyhow::Result<()> {
    let demo = Viewer::System("demo");
    let holding = store.as_system("demo").double_aid_invitable().await?;
    let holds = |id: i64| holding.iter().any(|(o, _)| *o == id);
    let mut invite: Vec<i64> = preferred.iter().copied().filter(|o| holds(*o)).collect();
    for (o, _) in &holding {
        if invite.len() >= 4 {
            break;
        }
        if *o != skip && !invite.contains(o) {
            invite.push(*o);
        }
    }
    if invite.len() < 2 {
        tracing::info!(
            "bantuan ganda: kurang dari dua mitra memegang daftar; tidak ada putaran demo"
        );
        return Ok(());
    }
    let input = NewRound {
        region: RegionCode::parse("52")?,
        period: Period::parse("2025")?,
        aid_types: Vec::new(),
        invite: invite.iter().map(|o| (*o, None)).collect(),
    };
    for close in [true, false] {
        let round = open_round(store, &demo, &input).await?;
        let page = round_page(store, &demo, round)
            .await?
            .context("putaran demo tidak terbaca")?;
        let mut joined = 0;
        for m in &page.round.members {
            // The largest list of each partner.
            if let Some(list) = page
                .joinable
                .iter()
                .filter(|l| l.organisation_id == m.organisation_id)
                .max_by_key(|l| (l.row_count, l.id))
            {
                join(
                    store,
                    &demo,
                    round,
                    m.organisation_id,
                    Join::Held { list_id: list.id },
                )
                .await?;
                joined += 1;
            }
        }
        if joined < 2 {
            continue;
        }
        let summary = run_round(store, &demo, round, close).await?;
        tracing::info!(
            "putaran bantuan ganda {round}: {} mitra, {} rekaman, {} penerima ganda",
            summary.members,
            summary.records,
            summary.overlaps
        );
    }
    Ok(())
}
