//! `sinergi audit verify [--kepala HASH]`: recomputes the audit chain (keyed with the audit
//! key derived from the personal-data key) and, with `--kepala`, checks that a head recorded
//! earlier outside the database is still part of the chain (nothing was cut off or rewritten
//! since it was recorded).

use anyhow::bail;
use sinergi_core::audit::ChainBreak;

use crate::args::KeyArgs;

pub async fn verify(database: &str, key: &KeyArgs, kepala: Option<&str>) -> anyhow::Result<()> {
    let store = crate::setup::open_with_key(database, key).await?;
    let report = store.verify_audit_chain().await?;
    let anchored = match kepala {
        Some(hash) => Some((
            hash.trim().to_string(),
            store.audit_entry_with_hash(hash).await?,
        )),
        None => None,
    };
    store.close().await;
    match report.broken {
        Some(ChainBreak::Altered { seq }) => bail!(
            "log audit RUSAK: entri #{seq} telah diubah (isinya tidak cocok dengan hash berkuncinya); {} entri sebelumnya utuh",
            report.checked
        ),
        Some(ChainBreak::Missing { after, seq }) => bail!(
            "log audit RUSAK: entri setelah #{after} sampai sebelum #{seq} telah dihapus; {} entri sebelumnya utuh",
            report.checked
        ),
        Some(ChainBreak::Relinked { seq }) => bail!(
            "log audit RUSAK: entri #{seq} tidak menunjuk hash entri sebelumnya (disisipkan atau disusun ulang); {} entri sebelumnya utuh",
            report.checked
        ),
        None if report.head_mismatch => bail!(
            "log audit RUSAK: kepala rantai mencatat entri #{} tetapi entri terakhir adalah #{} — entri terakhir telah dihapus",
            report.head_seq,
            report.checked
        ),
        None => {}
    }
    if let Some((hash, found)) = anchored {
        match found {
            Some(seq) => {
                println!("Kepala yang dicatat ({hash}) ada di rantai sebagai entri #{seq}.")
            }
            None => bail!(
                "log audit RUSAK: kepala yang dicatat ({hash}) tidak ada lagi di rantai — entri sesudahnya dipotong atau rantai ditulis ulang"
            ),
        }
    }
    println!(
        "Log audit utuh: {} entri diperiksa. Kepala rantai: #{} {}",
        report.checked, report.head_seq, report.head_hash
    );
    println!(
        "Simpan hash kepala ini di luar basis data dan periksa nanti dengan `sinergi audit verify --kepala HASH`."
    );
    Ok(())
}
