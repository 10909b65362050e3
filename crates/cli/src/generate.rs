//! `sinergi generate`: writes the synthetic world of a province to a folder.

use crate::args::GenerateArgs;

pub fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    let config = sinergi_synth::Config::new(args.province.trim(), args.scale, args.seed);
    let progress = crate::progress::Steps::spinner("membuat dunia sintetis");
    let summary = sinergi_synth::write_world(&config, &args.out, args.linkage)?;
    drop(progress);
    let facts = sinergi_synth::facts::province(&config.province).map_or("", |p| p.name);
    println!(
        "Dunia sintetis {facts} (skala {}, benih {}) ditulis ke {}:",
        args.scale,
        args.seed,
        args.out.display()
    );
    println!(
        "  {} penduduk dalam {} keluarga di {} desa/kelurahan; {} keluarga Desil I",
        thousands(summary.people),
        thousands(summary.families),
        thousands(summary.desa as u64),
        thousands(summary.desil1_families)
    );
    if let Some(scale) = summary.linkage_scale {
        let from = if (scale - args.scale).abs() < f64::EPSILON {
            String::new()
        } else {
            format!(
                " (diambil dari dunia skala {scale}, karena skala {} kurang penduduknya)",
                args.scale
            )
        };
        println!(
            "  {} rekaman uji pencocokan{from}",
            thousands(summary.linkage_records)
        );
    }
    if let Some(p) = summary.partner_lists {
        println!(
            "  linkage/mitra: register {}, Baznas {}, CSR {}, LSM {} rekaman (tata letak dan kesalahan daftar mitra)",
            thousands(p.register),
            thousands(p.baznas),
            thousands(p.csr),
            thousands(p.lsm)
        );
    }
    println!(
        "  {} berkas dalam {:.1} detik",
        summary.files.len(),
        summary.elapsed.as_secs_f64()
    );
    Ok(())
}

/// 5751295 → "5.751.295", as Indonesian text writes numbers.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_use_dots() {
        assert_eq!(super::thousands(5_751_295), "5.751.295");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_000), "1.000");
    }
}
