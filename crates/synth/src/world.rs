//! The plan of a world: which desa exist, how many people and families each holds, how many
//! families are Desil I, and where each person's id starts. Cheap (no people are made), so it
//! is computed once, up front; the people are generated per kecamatan from it.

use std::ops::Range;

use rand::RngExt;
use rayon::prelude::*;
use sinergi_core::Level;

use crate::SynthError;
use crate::facts::{self, KabKotaFacts, NATIONAL_POVERTY_PCT, ProvinceFacts};
use crate::rng::{Rng, apportion, stream};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Province code: `52` (NTB), `33` (Jawa Tengah) or `63` (Kalimantan Selatan).
    pub province: String,
    /// 1.0 = the real population; must be in (0, 2].
    pub scale: f64,
    pub seed: u64,
}

impl Config {
    pub fn new(province: &str, scale: f64, seed: u64) -> Config {
        Config {
            province: province.to_string(),
            scale,
            seed,
        }
    }
}

#[derive(Debug, Clone)]
pub struct DesaPlan {
    /// Dotted Kemendagri code, e.g. `52.03.05.2003`.
    pub code: String,
    pub name: String,
    /// Kelurahan (urban ward, code 1xxx) rather than desa (2xxx).
    pub kelurahan: bool,
    pub people: u32,
    pub families: u32,
    /// Families in Desil I (exact; the generator ranks the desa's families to meet it).
    pub desil1: u32,
    /// How much poorer than its kab/kota this desa is (1.0 = average).
    pub poverty_factor: f64,
    /// `id_orang` of the desa's first person; ids run on in code order.
    pub first_person_id: u64,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct KecamatanPlan {
    pub code: String,
    pub name: String,
    /// Position in the province, used to give migrants' NIK serials a disjoint block.
    pub index: u32,
    pub kabkota: usize,
    pub desa: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct KabKotaPlan {
    pub facts: &'static KabKotaFacts,
    pub kecamatan: Range<usize>,
    pub people: u64,
    pub families: u64,
    pub desil1: u64,
}

/// Everything decided before people are generated.
#[derive(Debug, Clone)]
pub struct World {
    pub config: Config,
    pub facts: &'static ProvinceFacts,
    pub kabkota: Vec<KabKotaPlan>,
    pub kecamatan: Vec<KecamatanPlan>,
    pub desa: Vec<DesaPlan>,
    /// Kecamatan codes (6 digits) of the province, for NIKs first registered elsewhere.
    pub province_kecamatan_digits: Vec<String>,
    /// Kecamatan codes (6 digits) of other provinces.
    pub other_kecamatan_digits: Vec<String>,
}

/// Family sizes of a desa, in order, summing exactly to `people`. Mean ≈ 3.6 (NTB: 5.75 M
/// people in ≈ 1.6 M families).
pub(crate) fn family_sizes(seed: u64, desa_code: &str, people: u32) -> Vec<u8> {
    const WEIGHTS: [u32; 9] = [11, 18, 21, 22, 14, 7, 4, 2, 1];
    let total: u32 = WEIGHTS.iter().sum();
    let mut rng = stream(seed, desa_code, "ukuran");
    let mut sizes = Vec::with_capacity(people as usize / 3 + 1);
    let mut left = people;
    while left > 0 {
        let mut r = rng.random_range(0..total);
        let mut size = 1u32;
        for (i, w) in WEIGHTS.iter().enumerate() {
            if r < *w {
                size = i as u32 + 1;
                break;
            }
            r -= w;
        }
        let size = size.min(left);
        sizes.push(size as u8);
        left -= size;
    }
    sizes
}

/// A standard normal draw (Box–Muller).
pub(crate) fn normal(rng: &mut Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl World {
    /// Plans the world for `config`, checking the province and the scale.
    pub fn plan(config: &Config) -> Result<World, SynthError> {
        let facts = facts::province(&config.province)
            .ok_or_else(|| SynthError::UnknownProvince(config.province.clone()))?;
        // Written so that NaN fails too.
        if !(config.scale > 0.0 && config.scale <= 2.0) {
            return Err(SynthError::BadScale(config.scale));
        }
        let regions = sinergi_refdata::wilayah().map_err(|e| SynthError::Refdata(e.to_string()))?;
        let seed = config.seed;
        let prefix = format!("{}.", facts.code);

        let mut kabkota = Vec::new();
        let mut kecamatan: Vec<KecamatanPlan> = Vec::new();
        let mut desa: Vec<DesaPlan> = Vec::new();
        let mut province_kecamatan_digits = Vec::new();
        let mut other_kecamatan_digits = Vec::new();
        for r in &regions {
            if r.code.level() == Level::Kecamatan {
                if r.code.as_str().starts_with(&prefix) {
                    province_kecamatan_digits.push(r.code.digits());
                } else {
                    other_kecamatan_digits.push(r.code.digits());
                }
            }
        }
        for kk in facts.kabkota {
            let kk_prefix = format!("{}.", kk.code);
            let kec_start = kecamatan.len();
            for r in regions
                .iter()
                .filter(|r| r.code.as_str().starts_with(&kk_prefix))
            {
                match r.code.level() {
                    Level::Kecamatan => kecamatan.push(KecamatanPlan {
                        code: r.code.as_str().to_string(),
                        name: r.name.clone(),
                        index: kecamatan.len() as u32,
                        kabkota: kabkota.len(),
                        desa: desa.len()..desa.len(),
                    }),
                    Level::Desa => {
                        let kec = kecamatan.last_mut().ok_or_else(|| {
                            SynthError::Refdata(format!("desa {} tanpa kecamatan", r.code))
                        })?;
                        kec.desa.end = desa.len() + 1;
                        let code = r.code.as_str().to_string();
                        let kelurahan = code.as_bytes()[9] == b'1';
                        desa.push(DesaPlan {
                            kelurahan,
                            name: r.name.clone(),
                            people: 0,
                            families: 0,
                            desil1: 0,
                            poverty_factor: 1.0,
                            first_person_id: 0,
                            latitude: r.latitude,
                            longitude: r.longitude,
                            code,
                        });
                    }
                    _ => {}
                }
            }
            if kecamatan.len() == kec_start {
                return Err(SynthError::Refdata(format!(
                    "kab/kota {} tanpa kecamatan",
                    kk.code
                )));
            }
            kabkota.push(KabKotaPlan {
                facts: kk,
                kecamatan: kec_start..kecamatan.len(),
                people: 0,
                families: 0,
                desil1: 0,
            });
        }

        // People per desa: skewed (log-normal) weights, towns larger.
        for kk in &mut kabkota {
            let range =
                kecamatan[kk.kecamatan.start].desa.start..kecamatan[kk.kecamatan.end - 1].desa.end;
            let weights: Vec<f64> = desa[range.clone()]
                .iter()
                .map(|d| {
                    let mut rng = stream(seed, &d.code, "bobot");
                    let w = (0.7 * normal(&mut rng)).exp();
                    if d.kelurahan { w * 1.8 } else { w }
                })
                .collect();
            let target = (f64::from(kk.facts.population()) * config.scale).round() as u64;
            let people = apportion(target, &weights, None);
            for (d, p) in desa[range].iter_mut().zip(people) {
                d.people = p as u32;
                let mut rng = stream(seed, &d.code, "miskin");
                let factor = (0.5 * normal(&mut rng)).exp().clamp(0.35, 2.8);
                d.poverty_factor = if d.kelurahan { factor * 0.6 } else { factor };
            }
            kk.people = target;
        }
        desa.par_iter_mut()
            .for_each(|d| d.families = family_sizes(seed, &d.code, d.people).len() as u32);

        // Desil I: the province total (DTSEN where published, else estimated from P0), split
        // over kab/kota by P0 × families, then over desa by families × poverty factor.
        let mut next_id = 1u64;
        for d in &mut desa {
            d.first_person_id = next_id;
            next_id += u64::from(d.people);
        }
        for kk in &mut kabkota {
            let range =
                kecamatan[kk.kecamatan.start].desa.start..kecamatan[kk.kecamatan.end - 1].desa.end;
            kk.families = desa[range].iter().map(|d| u64::from(d.families)).sum();
        }
        let all_families: u64 = kabkota.iter().map(|k| k.families).sum();
        let province_desil1 = match facts.desil1_families {
            Some(t) => (f64::from(t) * config.scale).round() as u64,
            None => (all_families as f64 * 0.10 * facts.poverty_pct / NATIONAL_POVERTY_PCT).round()
                as u64,
        };
        let weights: Vec<f64> = kabkota
            .iter()
            .map(|k| k.facts.poverty_pct * k.families as f64)
            .collect();
        let caps: Vec<u64> = kabkota.iter().map(|k| k.families).collect();
        let per_kabkota = apportion(province_desil1, &weights, Some(&caps));
        for (kk, quota) in kabkota.iter_mut().zip(per_kabkota) {
            kk.desil1 = quota;
            let range =
                kecamatan[kk.kecamatan.start].desa.start..kecamatan[kk.kecamatan.end - 1].desa.end;
            let weights: Vec<f64> = desa[range.clone()]
                .iter()
                .map(|d| f64::from(d.families) * d.poverty_factor)
                .collect();
            let caps: Vec<u64> = desa[range.clone()]
                .iter()
                .map(|d| u64::from(d.families))
                .collect();
            for (d, q) in desa[range]
                .iter_mut()
                .zip(apportion(quota, &weights, Some(&caps)))
            {
                d.desil1 = q as u32;
            }
        }
        Ok(World {
            config: config.clone(),
            facts,
            kabkota,
            kecamatan,
            desa,
            province_kecamatan_digits,
            other_kecamatan_digits,
        })
    }

    pub fn people(&self) -> u64 {
        self.kabkota.iter().map(|k| k.people).sum()
    }

    pub fn families(&self) -> u64 {
        self.kabkota.iter().map(|k| k.families).sum()
    }

    pub fn desil1(&self) -> u64 {
        self.kabkota.iter().map(|k| k.desil1).sum()
    }

    /// The desa of a kab/kota, in code order.
    pub fn kabkota_desa(&self, kabkota: usize) -> &[DesaPlan] {
        let k = &self.kabkota[kabkota];
        &self.desa[self.kecamatan[k.kecamatan.start].desa.start
            ..self.kecamatan[k.kecamatan.end - 1].desa.end]
    }

    /// Index of the desa with this dotted code.
    pub fn desa_index(&self, code: &str) -> Option<usize> {
        self.desa
            .binary_search_by(|d| d.code.as_str().cmp(code))
            .ok()
    }

    pub fn kecamatan_of_desa(&self, desa: usize) -> usize {
        self.kecamatan.partition_point(|k| k.desa.end <= desa)
    }
}
