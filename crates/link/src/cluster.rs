//! Clusters from matched pairs, strongest first, under constraints: a maximum size, no two
//! incompatible person keys (NIKs) in one cluster, and no pair a reviewer rejected.

use rustc_hash::FxHashMap as HashMap;

/// Union–find whose roots carry the constraint state of their cluster.
pub struct Clusters {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// The first valid person key per root; most clusters have zero or one…
    key: Vec<Option<u64>>,
    /// …and the few with more keep the others here.
    more_keys: HashMap<u32, Vec<u64>>,
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
        let key = (0..n).map(person_keys).collect();
        let mut rejected: HashMap<u32, Vec<u32>> = HashMap::default();
        for (a, b) in rejected_pairs {
            rejected.entry(*a).or_default().push(*b);
            rejected.entry(*b).or_default().push(*a);
        }
        Clusters {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            key,
            more_keys: HashMap::default(),
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
        if self.key[ra as usize].is_some()
            && self.key[rb as usize].is_some()
            && self
                .keys(ra)
                .any(|x| self.keys(rb).any(|y| !compatible(x, y)))
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
        if self.key[small as usize].is_some() {
            let moved: Vec<u64> = self.keys(small).collect();
            self.key[small as usize] = None;
            self.more_keys.remove(&small);
            for k in moved {
                if self.keys(big).any(|x| x == k) {
                    continue;
                }
                match self.key[big as usize] {
                    None => self.key[big as usize] = Some(k),
                    Some(_) => self.more_keys.entry(big).or_default().push(k),
                }
            }
        }
        if let Some(ms) = self.rejecting.remove(&small) {
            self.rejecting.entry(big).or_default().extend(ms);
        }
        Ok(())
    }

    /// The distinct valid person keys of the cluster rooted at `root`.
    fn keys(&self, root: u32) -> impl Iterator<Item = u64> + '_ {
        self.key[root as usize]
            .into_iter()
            .chain(self.more_keys.get(&root).into_iter().flatten().copied())
    }

    /// Cluster number per record, numbered 1.. in order of each cluster's first record.
    pub fn labels(&mut self) -> Vec<u32> {
        let n = self.parent.len();
        let mut number = vec![0u32; n];
        let mut next = 0u32;
        (0..n as u32)
            .map(|r| {
                let root = self.find(r) as usize;
                if number[root] == 0 {
                    next += 1;
                    number[root] = next;
                }
                number[root]
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
