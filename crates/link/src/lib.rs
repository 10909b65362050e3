//! Record linkage: find the same person (or organisation) across lists, or within one.
//!
//! Fellegi–Sunter: each compared column falls into a level (exact, swapped, close, …), each
//! level carries a weight log2(m/u) learnt from the data, and a pair's weights add up to a
//! match probability. Blocking rules with error-tolerant keys choose the pairs worth
//! comparing; clusters join matched pairs under constraints. Every pair's weights can be
//! shown field by field, and a reviewer's accept/reject decisions are honoured.
//!
//! The engine reads columns ([`sinergi_core::Table`]) and returns results; files are the
//! caller's business.

pub mod blocking;
pub mod cluster;
pub mod encoded;
pub mod evaluate;
mod features;
pub mod mapping;
pub mod model;
pub mod names;
pub mod settings;

use std::collections::HashMap;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use rayon::prelude::*;
use serde::Serialize;
use sinergi_core::{Localized, Msg, Table};
use thiserror::Error;

pub use blocking::RuleStats;
pub use evaluate::Evaluation;
pub use model::Model;
pub use settings::Settings;

use cluster::{Clusters, Refusal};
use features::Prepared;
use features::{Rows, gamma};
use model::level_of;

/// Why linkage cannot run. Each variant is a catalogue message ([`Localized`]), rendered by
/// the face in the user's language; `Display` is for logs only.
#[derive(Debug, Error)]
pub enum LinkError {
    /// Every problem of a settings file.
    #[error("settings invalid: {0:?}")]
    Settings(Vec<Msg>),
    #[error("{file}: id column {column:?} missing")]
    MissingIdColumn {
        file: String,
        column: String,
        available: String,
    },
    #[error("{file}: column {column:?} missing")]
    MissingColumn {
        file: String,
        column: String,
        available: String,
    },
    /// The first repeats (each naming both lines) and how many more there are.
    #[error("{file}: repeated ids")]
    DuplicateIds {
        file: String,
        list: Vec<Msg>,
        more: usize,
    },
    /// The first lines with an empty id and how many more there are.
    #[error("{file}: empty ids")]
    EmptyIds {
        file: String,
        list: Vec<Msg>,
        more: usize,
    },
    #[error("{file}: no data rows")]
    EmptyFile { file: String },
    #[error("{file}: {rows} rows over the limit of {max}")]
    TooManyRows {
        file: String,
        rows: usize,
        max: usize,
    },
    #[error("model invalid: {0:?}")]
    Model(Msg),
    /// The first problems of a decisions file and how many more there are.
    #[error("decisions refused: {list:?}")]
    Decisions { list: Vec<Msg>, more: usize },
    #[error("unknown id {0:?}")]
    UnknownId(String),
}

/// `list` with "… and N more" when `more` items were left out.
fn with_more(list: &[Msg], more: usize) -> Vec<Msg> {
    let mut out = list.to_vec();
    if more > 0 {
        out.push(Msg::new("linkage.and_more").arg("n", more));
    }
    out
}

impl Localized for LinkError {
    fn msg(&self) -> Msg {
        match self {
            LinkError::Settings(problems) => {
                Msg::new("linkage.settings_invalid").arg_list("problems", problems.clone())
            }
            LinkError::MissingIdColumn {
                file,
                column,
                available,
            } => Msg::new("linkage.missing_id_column")
                .arg("file", file)
                .arg("column", column)
                .arg("available", available),
            LinkError::MissingColumn {
                file,
                column,
                available,
            } => Msg::new("linkage.missing_column")
                .arg("file", file)
                .arg("column", column)
                .arg("available", available),
            LinkError::DuplicateIds { file, list, more } => Msg::new("linkage.duplicate_ids")
                .arg("file", file)
                .arg_list("list", with_more(list, *more)),
            LinkError::EmptyIds { file, list, more } => Msg::new("linkage.empty_ids")
                .arg("file", file)
                .arg_list("list", with_more(list, *more)),
            LinkError::EmptyFile { file } => Msg::new("linkage.empty_file").arg("file", file),
            LinkError::TooManyRows { file, rows, max } => Msg::new("linkage.too_many_rows")
                .arg("file", file)
                .arg("rows", rows)
                .arg("max", max),
            LinkError::Model(m) => Msg::new("linkage.model_invalid").arg_msg("reason", m.clone()),
            LinkError::Decisions { list, more } => {
                Msg::new("linkage.decisions_refused").arg_list("list", with_more(list, *more))
            }
            LinkError::UnknownId(id) => Msg::new("linkage.unknown_id").arg("id", id),
        }
    }
}

/// A reviewer's verdict on a pair: the same type the review queue stores.
pub use sinergi_core::review::Decision;

/// A compared pair kept in the results (probability at or above the review floor, or decided).
#[derive(Debug, Clone, Serialize)]
pub struct ScoredPair {
    /// Record numbers (0-based, the first file's records first).
    pub a: u32,
    pub b: u32,
    /// Total match weight: log2 of the posterior odds (prior included).
    pub weight: f64,
    pub probability: f64,
    pub decision: Option<Decision>,
    /// Whether the clustering put both records together (constraints may refuse).
    pub same_cluster: bool,
    /// The comparison levels, packed (read back with [`Linker::field_weights`]).
    #[serde(skip)]
    pub gamma: u64,
}

/// What a run did, for the summary and the benchmark.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub records: Vec<usize>,
    pub candidate_pairs: u64,
    pub rules: Vec<RuleStats>,
    pub lambda: f64,
    pub model_trained: bool,
    pub matches: u64,
    pub review: u64,
    pub clusters: u64,
    pub clusters_with_several: u64,
    pub refused_too_large: u64,
    pub refused_person_keys: u64,
    pub refused_rejected: u64,
    /// Non-empty values that could not be read, per column (treated as missing).
    pub unreadable: Vec<(String, u64)>,
    /// Records whose NIK field held their own No. KK (treated as missing).
    pub kk_in_nik_field: u64,
    /// Seconds spent per stage, in order.
    pub stages: Vec<(&'static str, f64)>,
}

pub struct Outcome {
    pub model: Model,
    pub pairs: Vec<ScoredPair>,
    /// Cluster number per record.
    pub clusters: Vec<u32>,
    pub stats: Stats,
    pub evaluation: Option<Evaluation>,
}

/// One field of an explained pair.
#[derive(Debug, Clone, Serialize)]
pub struct FieldWeight {
    pub column: String,
    pub left: String,
    pub right: String,
    pub level: String,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub prior: f64,
    pub fields: Vec<FieldWeight>,
    pub weight: f64,
    pub probability: f64,
}

/// A named input table.
pub struct Input<'a> {
    pub name: String,
    pub table: &'a Table,
}

/// Lists prepared for linkage under one settings file.
pub struct Linker<'a> {
    pub settings: Settings,
    inputs: Vec<Input<'a>>,
    id_columns: Vec<usize>,
    value_columns: Vec<Vec<usize>>,
    columns: Vec<Prepared>,
    /// The columns' cells record by record, for comparing pairs.
    rows: Rows,
    /// Per input, record number by id: built on the first look-up (decisions, ground truth,
    /// explaining a pair), which a plain run never needs.
    ids: [OnceLock<FxHashMap<&'a str, u32>>; 2],
    n: usize,
    split: usize,
    /// Seconds spent preparing the columns (reported as the first stage).
    prepare_secs: f64,
    kk_in_nik_field: u64,
}

pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// Empty and repeated ids of column `id`: the first ten of each as messages (in row order,
/// a repeat naming the row that first held the id) and their counts. Ids are hashed and
/// grouped into buckets by hash and sorted bucket by bucket, side by side, rather than
/// inserted one by one into a map.
fn check_ids(t: &Table, id: usize) -> (Vec<Msg>, usize, Vec<Msg>, usize) {
    let column = &t.columns[id];
    let empty_rows: Vec<u32> = (0..column.len() as u32)
        .into_par_iter()
        .filter(|row| column.get(*row as usize).is_empty())
        .collect();
    let empty: Vec<Msg> = empty_rows
        .iter()
        .take(10)
        .map(|row| Msg::new("linkage.line").arg("line", t.lines[*row as usize]))
        .collect();
    let parts: Vec<Vec<(u64, u32)>> = (0..column.len() as u32)
        .into_par_iter()
        .with_min_len(1 << 14)
        .fold(Vec::new, |mut part, row| {
            part.push((features::hash_of(column.get(row as usize)), row));
            part
        })
        .collect();
    // Equal hashes meet in one bucket; buckets side by side.
    let mut keyed = Vec::new();
    let bounds = blocking::scatter_by_hash(parts, &mut keyed);
    let mut repeats: Vec<(u32, u32)> = blocking::split_buckets(&mut keyed, &bounds)
        .into_par_iter()
        .flat_map_iter(|bucket| {
            bucket.sort_unstable();
            // Equal hashes are runs; within a run, rows with equal text repeat the earliest.
            let mut found = Vec::new();
            let mut start = 0;
            while start < bucket.len() {
                let mut end = start + 1;
                while end < bucket.len() && bucket[end].0 == bucket[start].0 {
                    end += 1;
                }
                // A lone hash is a unique id: its text is not read.
                let run = &bucket[start..end];
                for (i, (_, row)) in run.iter().enumerate().skip(1) {
                    let value = column.get(*row as usize);
                    if value.is_empty() {
                        continue;
                    }
                    if let Some((_, first)) = run[..i]
                        .iter()
                        .find(|(_, r)| column.get(*r as usize) == value)
                    {
                        found.push((*row, *first));
                    }
                }
                start = end;
            }
            found
        })
        .collect();
    repeats.sort_unstable();
    let dups = repeats
        .iter()
        .take(10)
        .map(|(row, first)| {
            Msg::new("linkage.repeated_id")
                .arg("id", column.get(*row as usize))
                .arg("first", t.lines[*first as usize])
                .arg("line", t.lines[*row as usize])
        })
        .collect();
    (empty, empty_rows.len(), dups, repeats.len())
}

fn available(t: &Table) -> String {
    t.header.join(", ")
}

impl<'a> Linker<'a> {
    /// Checks the inputs against the settings (id column, compared columns, unique ids) and
    /// prepares the compared columns. One input de-duplicates; two link.
    pub fn new(settings: Settings, inputs: Vec<Input<'a>>) -> Result<Linker<'a>, LinkError> {
        assert!(matches!(inputs.len(), 1 | 2), "one or two inputs");
        let mut id_columns = Vec::new();
        let mut value_columns = Vec::new();
        let total: usize = inputs.iter().map(|i| i.table.rows()).sum();
        for input in &inputs {
            let t = input.table;
            // An empty second list would otherwise look like de-duplicating the first.
            if t.rows() == 0 {
                return Err(LinkError::EmptyFile {
                    file: input.name.clone(),
                });
            }
            if total > blocking::MAX_RECORDS {
                return Err(LinkError::TooManyRows {
                    file: input.name.clone(),
                    rows: total,
                    max: blocking::MAX_RECORDS,
                });
            }
            let id =
                t.column_index(&settings.id_column)
                    .ok_or_else(|| LinkError::MissingIdColumn {
                        file: input.name.clone(),
                        column: settings.id_column.clone(),
                        available: available(t),
                    })?;
            let mut cols = Vec::new();
            for c in &settings.comparisons {
                cols.push(
                    t.column_index(&c.column)
                        .ok_or_else(|| LinkError::MissingColumn {
                            file: input.name.clone(),
                            column: c.column.clone(),
                            available: available(t),
                        })?,
                );
            }
            let (empty, empty_count, dups, dup_count) = check_ids(t, id);
            if empty_count > 0 {
                return Err(LinkError::EmptyIds {
                    file: input.name.clone(),
                    more: empty_count - empty.len(),
                    list: empty,
                });
            }
            if dup_count > 0 {
                return Err(LinkError::DuplicateIds {
                    file: input.name.clone(),
                    more: dup_count - dups.len(),
                    list: dups,
                });
            }
            id_columns.push(id);
            value_columns.push(cols);
        }
        let split = inputs[0].table.rows();
        let clock = std::time::Instant::now();
        // Columns side by side too: each has sequential parts (interning).
        let columns: Vec<Prepared> = settings
            .comparisons
            .par_iter()
            .enumerate()
            .map(|(k, spec)| {
                let raw: Vec<_> = inputs
                    .iter()
                    .zip(&value_columns)
                    .map(|(i, cols)| &i.table.columns[cols[k]])
                    .collect();
                Prepared::new(spec, &raw)
            })
            .collect();
        let mut columns = columns;
        let kk_in_nik_field = features::clear_kk_in_nik_field(&mut columns);
        let region = settings
            .sources
            .iter()
            .find(|s| s.transform == settings::Transform::Wilayah)
            .and_then(|s| {
                settings
                    .comparisons
                    .iter()
                    .position(|c| c.column == s.column)
            });
        let rows = Rows::new(&columns, total, region);
        Ok(Linker {
            settings,
            inputs,
            id_columns,
            value_columns,
            columns,
            rows,
            ids: Default::default(),
            n: total,
            split: if total == split { total } else { split },
            prepare_secs: clock.elapsed().as_secs_f64(),
            kk_in_nik_field,
        })
    }

    pub fn records(&self) -> usize {
        self.n
    }

    pub fn is_dedupe(&self) -> bool {
        self.inputs.len() == 1
    }

    fn locate(&self, r: u32) -> (usize, usize) {
        let r = r as usize;
        if r < self.inputs[0].table.rows() {
            (0, r)
        } else {
            (1, r - self.inputs[0].table.rows())
        }
    }

    /// Which input (0 or 1) and the record's id.
    pub fn id(&self, r: u32) -> (usize, &'a str) {
        let (s, row) = self.locate(r);
        (s, self.inputs[s].table.columns[self.id_columns[s]].get(row))
    }

    /// The raw value of compared column `k` for record `r`.
    pub fn value(&self, r: u32, k: usize) -> &'a str {
        let (s, row) = self.locate(r);
        self.inputs[s].table.columns[self.value_columns[s][k]].get(row)
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.settings
            .comparisons
            .iter()
            .map(|c| c.column.as_str())
            .collect()
    }

    /// The record with `id` in input `source`.
    pub fn find(&self, source: usize, id: &str) -> Option<u32> {
        let offset = if source == 0 {
            0
        } else {
            self.inputs[0].table.rows() as u32
        };
        let input = self.inputs.get(source)?;
        let column = &input.table.columns[self.id_columns[source]];
        let map = self.ids[source].get_or_init(|| {
            // Ids were checked unique and non-empty.
            column
                .iter()
                .enumerate()
                .map(|(row, id)| (id, row as u32))
                .collect()
        });
        map.get(id).map(|row| row + offset)
    }

    /// Record numbers of a pair of ids: the first in the first file, the second in the
    /// second file (or the same file when de-duplicating).
    pub fn find_pair(&self, left: &str, right: &str) -> Result<(u32, u32), LinkError> {
        let a = self
            .find(0, left)
            .ok_or_else(|| LinkError::UnknownId(left.to_string()))?;
        let b = self
            .find(if self.is_dedupe() { 0 } else { 1 }, right)
            .ok_or_else(|| LinkError::UnknownId(right.to_string()))?;
        Ok((a.min(b), a.max(b)))
    }

    /// Reads decisions (`id_kiri,id_kanan,keputusan`; other columns ignored, empty verdicts
    /// skipped): a review file filled in by a reviewer can be passed back as it is.
    pub fn decisions(&self, table: &Table) -> Result<Vec<(u32, u32, Decision)>, LinkError> {
        let col = |name: &str| {
            table
                .column_index(name)
                .ok_or_else(|| LinkError::Decisions {
                    list: vec![
                        Msg::new("linkage.decisions_column_missing")
                            .arg("column", name)
                            .arg("available", available(table)),
                    ],
                    more: 0,
                })
        };
        let (l, r, d) = (col("id_kiri")?, col("id_kanan")?, col("keputusan")?);
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for row in 0..table.rows() {
            let line = table.lines[row];
            let verdict = match Decision::parse(table.columns[d].get(row)) {
                Ok(Some(v)) => v,
                Ok(None) => continue,
                Err(e) => {
                    problems.push(
                        Msg::new("linkage.decision_verdict")
                            .arg("line", line)
                            .arg_msg("reason", e.msg()),
                    );
                    continue;
                }
            };
            match self.find_pair(table.columns[l].get(row), table.columns[r].get(row)) {
                Ok((a, b)) if a != b => out.push((a, b, verdict)),
                Ok(_) => problems.push(
                    Msg::new("linkage.decision_line")
                        .arg("line", line)
                        .arg_msg("reason", Msg::new("linkage.decision_same_id")),
                ),
                Err(e) => problems.push(
                    Msg::new("linkage.decision_line")
                        .arg("line", line)
                        .arg_msg("reason", e.msg()),
                ),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            let more = problems.len().saturating_sub(10);
            problems.truncate(10);
            Err(LinkError::Decisions {
                list: problems,
                more,
            })
        }
    }

    fn field_weight(&self, w: &[Vec<f64>], model: &Model, k: usize, level: usize, a: usize) -> f64 {
        if level == 0 {
            return 0.0;
        }
        if level == 1
            && let Some(freq) = self.columns[k].exact_frequency(a)
        {
            // Agreeing on a common value (Muhammad, Siti) says less than on a rare one.
            return (model.perbandingan[k].m[0] / freq.max(1e-12)).log2();
        }
        w[k][level - 1]
    }

    fn pair_weight(&self, w: &[Vec<f64>], model: &Model, g: u64, a: usize) -> f64 {
        model.prior_weight()
            + (0..self.columns.len())
                .map(|k| self.field_weight(w, model, k, level_of(g, k), a))
                .sum::<f64>()
    }

    /// Per column, the exact-agreement weight of each value where term frequency adjusts it
    /// (the same numbers [`Self::field_weight`] computes, looked up instead of recomputed).
    fn exact_weights(&self, model: &Model) -> Vec<Option<Vec<f64>>> {
        self.columns
            .par_iter()
            .zip(&model.perbandingan)
            .map(|(c, cm)| c.exact_weights(cm.m[0]))
            .collect()
    }

    /// [`Self::pair_weight`] with the exact weights looked up.
    fn pair_weight_fast(
        &self,
        w: &[Vec<f64>],
        exact: &[Option<Vec<f64>>],
        prior: f64,
        g: u64,
        a: usize,
    ) -> f64 {
        prior
            + (0..self.columns.len())
                .map(|k| match (level_of(g, k), &exact[k]) {
                    (0, _) => 0.0,
                    (1, Some(e)) => e[self.rows.cell(a, k) as usize],
                    (l, _) => w[k][l - 1],
                })
                .sum::<f64>()
    }

    /// Every field's level and weight for records `a` and `b`.
    pub fn explain(&self, model: &Model, a: u32, b: u32) -> Explanation {
        let w = model.weights();
        let g = self.rows.counted_once(
            gamma(&self.columns, &self.rows, a as usize, b as usize),
            a as usize,
            b as usize,
        );
        let fields: Vec<FieldWeight> = (0..self.columns.len())
            .map(|k| {
                let l = level_of(g, k);
                FieldWeight {
                    column: self.settings.comparisons[k].column.clone(),
                    left: self.value(a, k).to_string(),
                    right: self.value(b, k).to_string(),
                    level: if l == 0 {
                        "kosong (tidak dihitung)".into()
                    } else {
                        model.perbandingan[k].tingkat[l - 1].clone()
                    },
                    weight: self.field_weight(&w, model, k, l, a as usize),
                }
            })
            .collect();
        let weight = model.prior_weight() + fields.iter().map(|f| f.weight).sum::<f64>();
        Explanation {
            prior: model.prior_weight(),
            fields,
            weight,
            probability: probability(weight),
        }
    }

    /// Per-field weights of a scored pair, in comparison order (for the pairs file);
    /// `weights` is [`Model::weights`], computed once by the caller.
    pub fn field_weights(&self, model: &Model, weights: &[Vec<f64>], p: &ScoredPair) -> Vec<f64> {
        (0..self.columns.len())
            .map(|k| self.field_weight(weights, model, k, level_of(p.gamma, k), p.a as usize))
            .collect()
    }

    fn all_pairs(&self) -> f64 {
        if self.split == self.n {
            self.n as f64 * (self.n as f64 - 1.0) / 2.0
        } else {
            self.split as f64 * (self.n - self.split) as f64
        }
    }

    /// Blocks, compares, trains (unless `model` is given), scores, applies `decisions` and
    /// clusters. With `truth` (a person label per record) the run is also evaluated.
    pub fn run(
        &self,
        model: Option<Model>,
        decisions: &[(u32, u32, Decision)],
        truth: Option<&[u64]>,
    ) -> Outcome {
        let s = &self.settings;
        let mut clock = std::time::Instant::now();
        let mut stages = vec![("siapkan", self.prepare_secs)];
        let mut lap = |name: &'static str| {
            stages.push((name, clock.elapsed().as_secs_f64()));
            clock = std::time::Instant::now();
        };
        let cands = blocking::candidates(s, &self.columns, self.n, self.split);
        lap("blok");
        let gammas = features::gammas(&self.columns, &self.rows, &cands.pairs);
        lap("banding");
        let model_trained = model.is_none();
        let counts = model::pattern_counts(&cands.pairs, &gammas);
        let mut model = match model {
            Some(m) => m,
            None => {
                let u = model::estimate_u(&self.columns, &self.rows, s, self.n, self.split);
                Model::train(s, &self.columns, u, &counts)
            }
        };
        model.estimate_lambda(&counts, self.all_pairs());
        lap("latih");
        let w = model.weights();
        let decided: HashMap<(u32, u32), Decision> =
            decisions.iter().map(|(a, b, d)| ((*a, *b), *d)).collect();
        let floor_weight = (s.review_floor / (1.0 - s.review_floor)).log2();
        let exact = self.exact_weights(&model);
        let prior = model.prior_weight();
        let mut pairs: Vec<ScoredPair> = cands
            .pairs
            .par_iter()
            .zip(gammas.par_iter())
            .filter_map(|(p, g)| {
                let (a, b, _) = blocking::unpack(*p);
                let g = self.rows.counted_once(*g, a as usize, b as usize);
                let weight = self.pair_weight_fast(&w, &exact, prior, g, a as usize);
                let decision = decided.get(&(a, b)).copied();
                (weight >= floor_weight || decision.is_some()).then(|| ScoredPair {
                    a,
                    b,
                    weight,
                    probability: probability(weight),
                    decision,
                    same_cluster: false,
                    gamma: g,
                })
            })
            .collect();
        let evaluation_blocking = truth.map(|t| {
            evaluate::blocking_recall(
                t,
                &cands.pairs,
                self.split,
                self.n,
                &self
                    .settings
                    .blocking
                    .iter()
                    .map(|r| r.keys.join(" + "))
                    .collect::<Vec<_>>(),
            )
        });
        let candidate_pairs = cands.pairs.len() as u64;
        drop(gammas);
        drop(cands.pairs);
        // Decided pairs the blocking did not reach are scored too.
        let mut present: HashMap<(u32, u32), ()> = HashMap::new();
        if !decided.is_empty() {
            present = pairs.iter().map(|p| ((p.a, p.b), ())).collect();
        }
        for ((a, b), d) in &decided {
            if !present.contains_key(&(*a, *b)) {
                let g = self.rows.counted_once(
                    gamma(&self.columns, &self.rows, *a as usize, *b as usize),
                    *a as usize,
                    *b as usize,
                );
                let weight = self.pair_weight(&w, &model, g, *a as usize);
                pairs.push(ScoredPair {
                    a: *a,
                    b: *b,
                    weight,
                    probability: probability(weight),
                    decision: Some(*d),
                    same_cluster: false,
                    gamma: g,
                });
            }
        }
        pairs.par_sort_unstable_by(|x, y| {
            let rank = |p: &ScoredPair| match p.decision {
                Some(Decision::Accept) => 0,
                _ => 1,
            };
            rank(x)
                .cmp(&rank(y))
                .then(y.weight.total_cmp(&x.weight))
                .then((x.a, x.b).cmp(&(y.a, y.b)))
        });
        let rejected: Vec<(u32, u32)> = decisions
            .iter()
            .filter(|d| d.2 == Decision::Reject)
            .map(|d| (d.0, d.1))
            .collect();
        let key_column = s.comparisons.iter().position(|c| c.person_key);
        let mut clusters = Clusters::new(
            self.n,
            s.max_cluster_size,
            |r| key_column.and_then(|k| self.columns[k].person_key(r)),
            &rejected,
        );
        let mut stats = Stats::default();
        for p in &pairs {
            let is_match = match p.decision {
                Some(Decision::Accept) => true,
                Some(Decision::Reject) => false,
                None => p.probability >= s.threshold,
            };
            if !is_match {
                if p.decision.is_none() {
                    stats.review += 1;
                }
                continue;
            }
            stats.matches += 1;
            let compatible = |x: u64, y: u64| match key_column {
                Some(k) => self.columns[k].keys_compatible(x, y, s.strict_person_key),
                None => true,
            };
            match clusters.merge(p.a, p.b, compatible) {
                Ok(()) => {}
                Err(Refusal::TooLarge) => stats.refused_too_large += 1,
                Err(Refusal::PersonKeys) => stats.refused_person_keys += 1,
                Err(Refusal::Rejected) => stats.refused_rejected += 1,
            }
        }
        lap("skor");
        let labels = clusters.labels();
        for p in &mut pairs {
            p.same_cluster = labels[p.a as usize] == labels[p.b as usize];
        }
        // Labels are numbered 1.. without gaps.
        let mut sizes = vec![0u32; labels.iter().copied().max().unwrap_or(0) as usize + 1];
        for l in &labels {
            sizes[*l as usize] += 1;
        }
        stats.clusters = sizes.iter().filter(|v| **v > 0).count() as u64;
        stats.clusters_with_several = sizes.iter().filter(|v| **v > 1).count() as u64;
        lap("klaster");
        stats.stages = stages;
        stats.records = self.inputs.iter().map(|i| i.table.rows()).collect();
        stats.candidate_pairs = candidate_pairs;
        stats.rules = cands.rules;
        stats.lambda = model.lambda;
        stats.kk_in_nik_field = self.kk_in_nik_field;
        stats.model_trained = model_trained;
        stats.unreadable = self
            .columns
            .iter()
            .filter(|c| c.unreadable > 0)
            .map(|c| (c.spec.column.clone(), c.unreadable))
            .collect();
        let evaluation = truth.map(|t| {
            evaluate::evaluate(
                t,
                &pairs,
                &labels,
                s.threshold,
                self.split,
                self.n,
                evaluation_blocking.unwrap_or_default(),
            )
        });
        Outcome {
            model,
            pairs,
            clusters: labels,
            stats,
            evaluation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(ids: &[&str]) -> Table {
        Table {
            header: vec!["id".into()],
            columns: vec![ids.iter().copied().collect()],
            lines: (2..).take(ids.len()).collect(),
        }
    }

    #[test]
    fn repeated_and_empty_ids_are_named_in_row_order() {
        let t = table(&["a", "b", "", "a", "c", "b", "a", ""]);
        let (empty, empty_count, dups, dup_count) = check_ids(&t, 0);
        let line = |n: u32| Msg::new("linkage.line").arg("line", n);
        let repeat = |id: &str, first: u32, n: u32| {
            Msg::new("linkage.repeated_id")
                .arg("id", id)
                .arg("first", first)
                .arg("line", n)
        };
        assert_eq!(empty, [line(4), line(9)]);
        assert_eq!(empty_count, 2);
        assert_eq!(
            dups,
            [repeat("a", 2, 5), repeat("b", 3, 7), repeat("a", 2, 8)]
        );
        assert_eq!(dup_count, 3);
        let many: Vec<String> = (0..30).map(|i| format!("x{}", i % 12)).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let (_, _, dups, dup_count) = check_ids(&table(&many), 0);
        assert_eq!((dups.len(), dup_count), (10, 18));
        assert_eq!(dups[0], repeat("x0", 2, 14));
        assert_eq!(check_ids(&table(&["p", "q"]), 0).3, 0);
        // Large enough to be checked in buckets side by side.
        let mut large: Vec<String> = (0..40_000).map(|i| format!("id-{i}")).collect();
        large[30_000] = "id-7".into();
        large[20_000] = "id-39999".into();
        large[35_000] = String::new();
        let large: Vec<&str> = large.iter().map(String::as_str).collect();
        let (empty, empty_count, dups, dup_count) = check_ids(&table(&large), 0);
        assert_eq!((empty, empty_count), (vec![line(35002)], 1));
        assert_eq!(
            (dups, dup_count),
            (
                vec![repeat("id-7", 9, 30002), repeat("id-39999", 20002, 40001)],
                2
            )
        );
    }
}
