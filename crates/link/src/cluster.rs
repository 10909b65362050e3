//! Clusters from matched pairs, strongest first, under constraints: a maximum size, no two
//! incompatible person keys (NIKs) in one cluster, and no pair a reviewer rejected.

use std::collections::HashMap;

/// Union–find whose roots carry the constraint state of their cluster.
pub struct Clusters {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Distinct valid person keys per root (most clusters have zero or one).
    keys: HashMap<u32, Vec<u64>>,
    /// Members with rejected partners, per root.
    rejecting: HashMap<u32, Vec<u32>>,
    rejected: HashMap<u32, Vec<u32>>,
    max_size: u32,
}

/// Why a merge was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    TooLarge,
    PersonKeys,
    Rejected,
}

impl Clusters {
    pub fn new(
        n: usize,
        max_size: usize,
        person_keys: impl Fn(usize) -> Option<u64>,
        rejected_pairs: &[(u32, u32)],
    ) -> Clusters {
        let mut keys = HashMap::new();
        for r in 0..n {
            if let Some(k) = person_keys(r) {
                keys.insert(r as u32, vec![k]);
            }
        }
        let mut rejected: HashMap<u32, Vec<u32>> = HashMap::new();
        for (a, b) in rejected_pairs {
            rejected.entry(*a).or_default().push(*b);
            rejected.entry(*b).or_default().push(*a);
        }
        Clusters {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            keys,
            rejecting: rejected.keys().map(|r| (*r, vec![*r])).collect(),
            rejected,
            max_size: max_size as u32,
        }
    }

    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Joins the clusters of `a` and `b` unless a constraint forbids it.
    /// `compatible` says whether two person keys may belong to one person.
    pub fn merge(
        &mut self,
        a: u32,
        b: u32,
        compatible: impl Fn(u64, u64) -> bool,
    ) -> Result<(), Refusal> {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return Ok(());
        }
        if self.size[ra as usize] + self.size[rb as usize] > self.max_size {
            return Err(Refusal::TooLarge);
        }
        if let (Some(ka), Some(kb)) = (self.keys.get(&ra), self.keys.get(&rb))
            && ka.iter().any(|x| kb.iter().any(|y| !compatible(*x, *y)))
        {
            return Err(Refusal::PersonKeys);
        }
        if let (Some(ma), Some(_)) = (self.rejecting.get(&ra), self.rejecting.get(&rb)) {
            let ma = ma.clone();
            for x in ma {
                let partners = self.rejected.get(&x).cloned().unwrap_or_default();
                for y in partners {
                    if self.find(y) == rb {
                        return Err(Refusal::Rejected);
                    }
                }
            }
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        if let Some(ks) = self.keys.remove(&small) {
            let into = self.keys.entry(big).or_default();
            for k in ks {
                if !into.contains(&k) {
                    into.push(k);
                }
            }
        }
        if let Some(ms) = self.rejecting.remove(&small) {
            self.rejecting.entry(big).or_default().extend(ms);
        }
        Ok(())
    }

    /// Cluster number per record, numbered 1.. in order of each cluster's first record.
    pub fn labels(&mut self) -> Vec<u32> {
        let n = self.parent.len();
        let mut number: HashMap<u32, u32> = HashMap::new();
        (0..n as u32)
            .map(|r| {
                let root = self.find(r);
                let next = number.len() as u32 + 1;
                *number.entry(root).or_insert(next)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_hold() {
        // Records 0 and 2 carry different person keys; 3 and 4 were rejected as a pair.
        let keys = [Some(10), None, Some(20), None, None, None];
        let mut c = Clusters::new(6, 3, |r| keys[r], &[(3, 4)]);
        let same = |a: u64, b: u64| a == b;
        assert_eq!(c.merge(0, 1, same), Ok(()));
        assert_eq!(c.merge(1, 2, same), Err(Refusal::PersonKeys));
        assert_eq!(c.merge(3, 5, same), Ok(()));
        assert_eq!(c.merge(5, 4, same), Err(Refusal::Rejected));
        assert_eq!(
            c.merge(1, 5, same),
            Err(Refusal::TooLarge),
            "0,1 + 3,5 would be 4 > 3"
        );
        let labels = c.labels();
        assert_eq!(labels[0], labels[1]);
        assert_ne!(labels[0], labels[2]);
        assert_ne!(labels[3], labels[4]);
    }
}
