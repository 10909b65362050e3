//! The fuzz targets (fuzz/targets.rs) as property tests, always on: each target gets its
//! committed corpus, mutations of it and random bytes. A hand-rolled generator instead of
//! proptest: nothing more to compile, and the inputs are the same on every run.

#[path = "../../../../fuzz/targets.rs"]
mod targets;

/// xorshift64*: deterministic, so a failure reproduces with the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that make parsers branch: separators, quotes, digits, dots, multi-byte UTF-8.
const INTERESTING: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"\"",
    b"\n",
    b"\r\n",
    b".",
    b"|",
    b"5203",
    b"0",
    b"E+15",
    b"'",
    b"\xef\xbb\xbf",
    "é".as_bytes(),
    b"\xff",
    b"{",
    b"}",
    b"[",
    b"]",
    b"=",
    b"PK\x03\x04",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..=rng.below(8) {
        let at = rng.below(out.len() + 1);
        match rng.below(4) {
            0 if !out.is_empty() => {
                let end = (at + rng.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            1 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
            2 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            _ => {
                let piece: Vec<u8> = (0..rng.below(24)).map(|_| rng.next() as u8).collect();
                out.splice(at..at, piece);
            }
        }
    }
    out
}

#[test]
fn every_fuzz_target_survives_its_corpus_mutations_and_random_bytes() {
    let corpus_root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    for (name, target) in targets::TARGETS {
        let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(corpus_root.join(name))
            .unwrap_or_else(|e| panic!("{name}: no committed corpus: {e}"))
            .map(|f| std::fs::read(f.unwrap().path()).unwrap())
            .collect();
        assert!(!seeds.is_empty(), "{name}: empty corpus");
        seeds.push(Vec::new());
        let mut rng = Rng(0x5eed_0000 ^ name.len() as u64 ^ (name.as_bytes()[0] as u64) << 32);
        let mut runs = 0;
        for seed in &seeds {
            target(seed);
            runs += 1;
        }
        for _ in 0..1_500 {
            let input = if rng.below(4) == 0 {
                (0..rng.below(200)).map(|_| rng.next() as u8).collect()
            } else {
                let seed = &seeds[rng.below(seeds.len())];
                mutate(&mut rng, seed)
            };
            let result = std::panic::catch_unwind(|| target(&input));
            assert!(
                result.is_ok(),
                "{name} panicked on {:?}",
                String::from_utf8_lossy(&input)
            );
            runs += 1;
        }
        eprintln!("{name}: {runs} inputs");
    }
}
