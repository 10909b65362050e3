//! `sinergi siklus …`: program cycles from the shell, as a named user (their scope applies),
//! through the same use cases as the pages (`sinergi_activity::cycles`).

use anyhow::Context;
use chrono::NaiveDate;
use sinergi_activity::cycles::{
    ExtraFacts, act_on_cycle, add_note, count_rule, create_cycle, create_rule, cycle_duplicates,
    decide_duplicate, donor_report, enrol_from_registry, enrol_manually, import_payment_results,
    import_person_facts, payment_batch, publish_rule,
};
use sinergi_core::cycle::{AmountRule, CycleAction, VerificationStep};
use sinergi_core::eligibility::RuleCase;
use sinergi_core::{Localized, Msg, Viewer};
use sinergi_i18n::{Lang, Messages};
use sinergi_store::{NewCycle, NewNote, Store};

use crate::args::SiklusCommand;

async fn viewer(store: &Store, user: &str, t: &Messages) -> anyhow::Result<Viewer> {
    let p = store.principal_by_username(user).await?.ok_or_else(|| {
        anyhow::anyhow!(t.render(&Msg::new("programs.cli_no_user").arg("user", user)))
    })?;
    Ok(Viewer::User(p))
}

fn said(t: &Messages, e: impl Localized) -> anyhow::Error {
    anyhow::anyhow!(t.render(&e.msg()))
}

fn date(s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").with_context(|| format!("tanggal {s}"))
}

pub async fn run(cmd: SiklusCommand) -> anyhow::Result<()> {
    let t = Messages::new(Lang::Id);
    match cmd {
        SiklusCommand::Aturan {
            program,
            aturan,
            kasus,
            terbitkan,
            sebagai,
            db,
        } => {
            let cases: Vec<RuleCase> = match kasus {
                Some(path) => serde_json::from_slice(&std::fs::read(&path)?)
                    .with_context(|| path.display().to_string())?,
                None => Vec::new(),
            };
            let store = crate::setup::open(&db.database).await?;
            let v = viewer(&store, &sebagai, &t).await?;
            let id = create_rule(&store, &v, program, &aturan, &cases)
                .await
                .map_err(|e| said(&t, e))?;
            let count = count_rule(&store, &v, id).await.map_err(|e| said(&t, e))?;
            println!(
                "{}",
                t.render(
                    &Msg::new("cycles.cli_rule")
                        .arg("id", id)
                        .arg("matched", count.matched)
                        .arg("checked", count.checked)
                        .arg("undecided", count.undecided)
                )
            );
            if terbitkan {
                publish_rule(&store, &v, id)
                    .await
                    .map_err(|e| said(&t, e))?;
                println!(
                    "{}",
                    t.render(&Msg::new("cycles.cli_published").arg("id", id))
                );
            }
        }
        SiklusCommand::Buat {
            program,
            nama,
            mulai,
            selesai,
            jumlah,
            tahap,
            aturan,
            verifikasi,
            sebagai,
            db,
        } => {
            let amount = AmountRule::parse(&jumlah).map_err(|m| anyhow::anyhow!(t.render(&m)))?;
            let steps =
                VerificationStep::split(&verifikasi).map_err(|m| anyhow::anyhow!(t.render(&m)))?;
            let store = crate::setup::open(&db.database).await?;
            let v = viewer(&store, &sebagai, &t).await?;
            let new = NewCycle {
                program_id: program,
                name: nama,
                start: date(&mulai)?,
                end: date(&selesai)?,
                rule_id: aturan,
                amount,
                tranches: tahap,
                steps,
            };
            let id = create_cycle(&store, &v, &new)
                .await
                .map_err(|e| said(&t, e))?;
            println!(
                "{}",
                t.render(&Msg::new("cycles.cli_created").arg("id", id))
            );
        }
        SiklusCommand::Daftarkan {
            siklus,
            daftar,
            wilayah,
            sebagai,
            db,
        } => {
            let store = crate::setup::open(&db.database).await?;
            let v = viewer(&store, &sebagai, &t).await?;
            let done = enrol_from_registry(
                &store,
                &v,
                siklus,
                daftar,
                wilayah.as_deref(),
                &ExtraFacts::new(),
            )
            .await
            .map_err(|e| said(&t, e))?;
            println!(
                "{}",
                t.render(
                    &Msg::new("cycles.cli_enrolled")
                        .arg("checked", done.checked)
                        .arg("added", done.added)
                        .arg("not_eligible", done.not_eligible)
                        .arg("undecided", done.undecided)
                        .arg("exited_before", done.exited_before)
                )
            );
            println!(
                "{}",
                t.render(
                    &Msg::new("cycles.cli_checks")
                        .arg("duplicates", done.duplicates_pending)
                        .arg("double_aid", done.double_aid)
                )
            );
        }
        SiklusCommand::Ganda {
            siklus,
            pasangan,
            putusan,
            sebagai,
            db,
        } => {
            let store = crate::setup::open(&db.database).await?;
            let v = viewer(&store, &sebagai, &t).await?;
            if let (Some(pair), Some(decision)) = (pasangan, putusan) {
                let same = match decision.trim() {
                    "sama" => true,
                    "beda" => false,
                    other => {
                        return Err(said(
                            &t,
                            sinergi_activity::ActivityError::Refused(
                                Msg::new("cycles.field_invalid")
                                    .arg_msg("field", Msg::new("cycles.dup.decision"))
                                    .arg("value", other),
                            ),
                        ));
                    }
                };
                decide_duplicate(&store, &v, siklus, pair, same)
                    .await
                    .map_err(|e| said(&t, e))?;
                println!(
                    "{}",
                    t.render(&Msg::new("cycles.cli_decided").arg("id", pair))
                );
            } else {
                for p in cycle_duplicates(&store, &v, siklus)
                    .await
                    .map_err(|e| said(&t, e))?
                {
                    let decision = match p.same {
                        None => "cycles.cli_pair_waiting",
                        Some(true) => "cycles.dup.decided_same",
                        Some(false) => "cycles.dup.decided_different",
                    };
                    println!(
                        "{}",
                        t.render(
                            &Msg::new("cycles.cli_pair")
                                .arg("id", p.id)
                                .arg("a", &p.name_a)
                                .arg("region_a", &p.region_a)
                                .arg("b", &p.name_b)
                                .arg("region_b", &p.region_b)
                                .arg("probability", format!("{:.2}", p.probability))
                                .arg_msg("decision", Msg::new(decision))
                        )
                    );
                }
            }
        }
        SiklusCommand::Verifikasi {
            siklus,
            penerima,
            langkah,
            hasil,
            catatan,
            tanggal,
            sebagai,
            db,
        } => {
            let step = VerificationStep::from_key(&langkah).ok_or_else(|| {
                anyhow::anyhow!(t.render(&Msg::new("cycles.step_unknown").arg("value", &langkah)))
            })?;
            let passed = match hasil.trim() {
                "lulus" => true,
                "gagal" => false,
                other => anyhow::bail!(
                    t.render(&Msg::new("cycles.cli_outcome_unknown").arg("value", other))
                ),
            };
            let on = match tanggal {
                Some(d) => date(&d)?,
                None => chrono::Utc::now().date_naive(),
            };
            let store = crate::setup::open(&db.database).await?;
            let v = viewer(&store, &sebagai, &t).await?;
            let note = NewNote {
                member_id: penerima,
                kind: "verifikasi",
                on_date: on,
                body: catatan,
                follow_up: None,
                status: None,
                entitlement_id: None,
                step: Some(step),
                passed: Some(passed),
            };
            add_note(&store, &v, siklus, &note)
                .await
                .map_err(|e| said(&t, e))?;
            println!(
                "{}",
                t.render(
                    &Msg::new("cycles.cli_verified")
                        .arg("member", penerima)
                        .arg_msg("step", step.label())
                        .arg_msg(
                            "outcome",
                            Msg::new(if passed {
                                "cycles.outcome.lulus"
                            } else {
                                "cycles.outcome.gagal"
                            })
                        )
                )
            );
        }
        SiklusCommand::Fakta { file, sebagai, db } => {
            let bytes = std::fs::read(&file).with_context(|| file.display().to_string())?;
            let store = crate::setup::open(&db.database).await?;
            let v = viewer(&store, &sebagai, &t).await?;
            let done = import_person_facts(&store, &v, &file.display().to_string(), &bytes)
                .await
                .map_err(|e| said(&t, e))?;
            println!(
                "{}",
                t.render(
                    &Msg::new("cycles.cli_facts")
                        .arg("updated", done.updated)
                        .arg("rejected", done.rejected.len())
                )
            );
            for (line, m) in &done.rejected {
                eprintln!("  {line}: {}", t.render(m));
            }
            if !done.rejected.is_empty() {
                anyhow::bail!(t.render(&Msg::new("cycles.cli_facts_refused")));
            }
        }
        SiklusCommand::Tambah {
            siklus,
            orang,
            alasan,
            sebagai,
            db,
        } => {
            let store = crate::setup::open(&db.database).await?;
            let v = viewer(&store, &sebagai, &t).await?;
            let verdict = enrol_manually(&store, &v, siklus, orang, None, &alasan)
                .await
                .map_err(|e| said(&t, e))?;
            println!(
                "{}",
                t.render(
                    &Msg::new("cycles.cli_added")
                        .arg("person", orang)
                        .arg("verdict", verdict.key())
                )
            );
        }
        SiklusCommand::Langkah {
            aksi,
            siklus,
            sebagai,
            db,
        } => {
            let action = CycleAction::from_key(aksi.trim()).ok_or_else(|| {
                anyhow::anyhow!(
                    t.render(&Msg::new("cycles.cli_action_unknown").arg("value", &aksi))
                )
            })?;
            let store = crate::setup::open(&db.database).await?;
            let v = viewer(&store, &sebagai, &t).await?;
            let state = act_on_cycle(&store, &v, siklus, action)
                .await
                .map_err(|e| said(&t, e))?;
            println!(
                "{}",
                t.render(&Msg::new("cycles.cli_state").arg_msg("state", state.label()))
            );
        }
        SiklusCommand::Bayar {
            siklus,
            tahap,
            keluar,
            sebagai,
            db,
        } => {
            let store = crate::setup::open(&db.database).await?;
            let v = viewer(&store, &sebagai, &t).await?;
            let rows = payment_batch(&store, &v, siklus, tahap)
                .await
                .map_err(|e| said(&t, e))?;
            let n = rows.len();
            std::fs::write(&keluar, sinergi_web::payment_batch_csv(rows))?;
            println!(
                "{}",
                t.render(
                    &Msg::new("cycles.cli_batch")
                        .arg("rows", n)
                        .arg("path", keluar.display())
                )
            );
        }
        SiklusCommand::Hasil {
            file,
            siklus,
            sebagai,
            db,
        } => {
            let bytes = std::fs::read(&file).with_context(|| file.display().to_string())?;
            let store = crate::setup::open(&db.database).await?;
            let v = viewer(&store, &sebagai, &t).await?;
            let done =
                import_payment_results(&store, &v, siklus, &file.display().to_string(), &bytes)
                    .await
                    .map_err(|e| said(&t, e))?;
            println!(
                "{}",
                t.render(
                    &Msg::new("cycles.cli_results")
                        .arg("updated", done.updated)
                        .arg("paid", done.paid)
                        .arg("failed", done.failed)
                        .arg("rejected", done.rejected.len())
                )
            );
            for (line, m) in &done.rejected {
                eprintln!("  {line}: {}", t.render(m));
            }
        }
        SiklusCommand::Laporan {
            program,
            keluar,
            sebagai,
            db,
        } => {
            let store = crate::setup::open(&db.database).await?;
            let v = viewer(&store, &sebagai, &t).await?;
            let report = donor_report(&store, &v, program)
                .await
                .map_err(|e| said(&t, e))?;
            let pdf = keluar
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
            let bytes = if pdf {
                sinergi_web::donor_report_pdf(t, &report).map_err(|e| anyhow::anyhow!("{e:?}"))?
            } else {
                sinergi_web::donor_report_xlsx(t, &report).map_err(|e| anyhow::anyhow!("{e:?}"))?
            };
            std::fs::write(&keluar, bytes)?;
            println!(
                "{}",
                t.render(
                    &Msg::new("cycles.cli_report")
                        .arg("cycles", report.per_cycle.len())
                        .arg("beneficiaries", report.total.beneficiaries)
                        .arg("path", keluar.display())
                )
            );
        }
    }
    Ok(())
}
