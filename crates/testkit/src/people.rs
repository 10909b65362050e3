//! Small synthetic person lists with known duplicates, for linkage tests. Deterministic per
//! seed. Duplicates carry the recording errors the engine must see through: name variants,
//! titles, swapped name order, typos, transposed or Excel-truncated NIKs, missing NIKs,
//! day/month swaps. Benchmarks use the full synthetic world instead.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

const MALE: &[&str] = &[
    "muhammad",
    "ahmad",
    "abdul",
    "rizki",
    "fauzi",
    "hasan",
    "ilham",
    "yusuf",
    "zainuddin",
    "wahyu",
    "agus",
    "budi",
    "dedi",
    "eko",
    "hendra",
    "joko",
    "lukman",
    "nurdin",
    "saiful",
    "syamsul",
    "taufik",
    "wayan",
    "made",
    "ketut",
    "gede",
    "arif",
    "bayu",
    "dimas",
    "fajar",
];
const FEMALE: &[&str] = &[
    "siti", "nur", "aminah", "fatimah", "aisyah", "khadijah", "zahra", "dewi", "sri", "wulan",
    "rina", "yuliana", "luh", "ayu", "putri", "lestari", "wahyuni", "kartini", "susanti",
    "hidayah", "halimah", "rohani", "sumarni", "salmah", "hartini", "murni", "rosita",
];
const FAMILY: &[&str] = &[
    "hidayat", "rahman", "saputra", "wijaya", "setiawan", "kusuma", "pratama", "santoso", "hakim",
    "ramadhan", "maulana", "nugraha", "gunawan", "suryadi", "firdaus", "hamdani",
];

/// `records` rows as CSV (`id,nik,nama,jenis_kelamin,tanggal_lahir,no_kk,kode_desa`) and the
/// truth as CSV (`id,person_id`).
pub fn people_csv(records: usize, seed: u64) -> (String, String) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows = Vec::new();
    let mut truth = Vec::new();
    let mut person = 0;
    while rows.len() < records {
        person += 1;
        let female = rng.random_bool(0.5);
        let pool = if female { FEMALE } else { MALE };
        let mut tokens = Vec::new();
        if rng.random_bool(0.15) {
            tokens.push(if female { "baiq" } else { "lalu" }.to_string());
        }
        tokens.push(pool[rng.random_range(0..pool.len())].to_string());
        tokens.push(FAMILY[rng.random_range(0..FAMILY.len())].to_string());
        let (y, m, d) = (
            rng.random_range(1950..2015u32),
            rng.random_range(1..13u32),
            rng.random_range(1..29u32),
        );
        let kec = format!(
            "52{:02}{:02}",
            rng.random_range(1..11),
            rng.random_range(1..13)
        );
        let nik = format!(
            "{kec}{:02}{m:02}{:02}{:04}",
            if female { d + 40 } else { d },
            y % 100,
            rng.random_range(1..10000)
        );
        let kk = format!(
            "{kec}{:02}0{}1{:04}",
            rng.random_range(1..29),
            rng.random_range(1..10),
            rng.random_range(1..10000)
        );
        let desa = format!("{kec}{}", rng.random_range(2001..2010));
        let copies = if rng.random_bool(0.3) {
            rng.random_range(2..4)
        } else {
            1
        };
        for copy in 0..copies {
            if rows.len() >= records {
                break;
            }
            let mut t = tokens.clone();
            let mut nik = nik.clone();
            let mut date = format!("{y:04}-{m:02}-{d:02}");
            let mut kk = kk.clone();
            if copy > 0 {
                match rng.random_range(0..10) {
                    0 => t.swap(0, 1),
                    1 => {
                        let w = &mut t[rng.random_range(0..2)];
                        let i = rng.random_range(1..w.len());
                        w.replace_range(i..=i, "x");
                    }
                    2 => t.insert(0, if female { "Hj." } else { "H." }.to_string()),
                    3 if t.contains(&"muhammad".to_string()) => {
                        for w in &mut t {
                            if w == "muhammad" {
                                *w = "Moh.".into();
                            }
                        }
                    }
                    _ => {}
                }
                match rng.random_range(0..10) {
                    0 => nik.clear(),
                    1 => nik.truncate(15),
                    2 => {
                        let b = nik.as_bytes();
                        nik = format!(
                            "{}{}{}{}",
                            &nik[..13],
                            b[14] as char,
                            b[13] as char,
                            &nik[15..]
                        );
                    }
                    _ => {}
                }
                if d <= 12 && rng.random_bool(0.1) {
                    date = format!("{y:04}-{d:02}-{m:02}");
                }
                if rng.random_bool(0.2) {
                    kk.clear();
                }
            }
            let id = format!("R{:05}", rows.len() + 1);
            let name = t
                .iter()
                .map(|w| capitalise(w))
                .collect::<Vec<_>>()
                .join(" ");
            let sex = if female { "P" } else { "L" };
            rows.push(format!("{id},{nik},{name},{sex},{date},{kk},{desa}"));
            truth.push(format!("{id},P{person}"));
        }
    }
    (
        format!(
            "id,nik,nama,jenis_kelamin,tanggal_lahir,no_kk,kode_desa\n{}\n",
            rows.join("\n")
        ),
        format!("id,person_id\n{}\n", truth.join("\n")),
    )
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
