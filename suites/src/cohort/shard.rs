//! Shards: which part of a cohort run one process computes.
//!
//! A run of `N` shards numbers them `1..=N`. The cases of the manifest are assigned to shards
//! once, from the manifest alone: by expected cost (the size of each case's image and mask files,
//! a proxy for voxels to read and process), largest first, each to the shard with the least cost
//! so far (the lower shard number on a tie; cases of equal cost in manifest order). The same
//! manifest and `N` give the same assignment on every machine, in every process and on every
//! rerun, so each shard can compute its part alone and a rerun of one shard recomputes the same
//! cases. All units of a case (its perturbed copies) go to the case's shard: the case is loaded
//! and prepared once.
//!
//! The shard number can come from a scheduler's environment (`--shard env/N`):
//! - Slurm job arrays: `SLURM_ARRAY_TASK_ID` is the shard number itself (submit `--array=1-N`,
//!   as `radcheck ... --executor slurm` does; a rerun of shards 2 and 4 is `--array=2,4`);
//! - Kubernetes indexed jobs: `JOB_COMPLETION_INDEX` (0-based) is the shard number minus 1;
//! - AWS Batch array jobs: `AWS_BATCH_JOB_ARRAY_INDEX` (0-based) is the shard number minus 1.

use std::fmt;
use std::str::FromStr;

/// One shard of a run: number `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shard {
    /// Shard number, `1..=count`.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// The whole run as one shard.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Shard `index` of `count`; errors when `index` is not in `1..=count`.
    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        if count == 0 {
            return Err(ShardError::Invalid(
                "the number of shards must be at least 1".into(),
            ));
        }
        if !(1..=count).contains(&index) {
            return Err(ShardError::Invalid(format!(
                "shard {index} of {count}: shard numbers run from 1 to {count}"
            )));
        }
        Ok(Shard { index, count })
    }

    /// Whether this is the whole run.
    pub fn is_whole(&self) -> bool {
        self.count == 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Environment variables that carry a scheduler's task index, with the shard number each gives.
pub const SHARD_ENV: [(&str, ShardBase); 3] = [
    ("SLURM_ARRAY_TASK_ID", ShardBase::One),
    ("JOB_COMPLETION_INDEX", ShardBase::Zero),
    ("AWS_BATCH_JOB_ARRAY_INDEX", ShardBase::Zero),
];

/// How a scheduler numbers its tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardBase {
    /// The index is the shard number (Slurm arrays submitted as `--array=1-N`).
    One,
    /// The index is the shard number minus 1.
    Zero,
}

/// A `--shard` argument: `K/N`, or `env/N` (the number from the scheduler's environment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSpec {
    /// `K/N`.
    Fixed(Shard),
    /// `env/N`.
    FromEnv(u32),
}

impl FromStr for ShardSpec {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            ShardError::Invalid(format!(
                "`{s}` is not K/N (shard K of N, 1 <= K <= N) or env/N (K from SLURM_ARRAY_TASK_ID, \
                 JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX)"
            ))
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        match k.trim() {
            "env" => {
                Shard::new(1, n)?;
                Ok(ShardSpec::FromEnv(n))
            }
            k => Ok(ShardSpec::Fixed(Shard::new(
                k.parse().map_err(|_| bad())?,
                n,
            )?)),
        }
    }
}

impl ShardSpec {
    /// The shard, reading the environment for `env/N` through `var`.
    pub fn resolve(&self, var: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        match *self {
            ShardSpec::Fixed(s) => Ok(s),
            ShardSpec::FromEnv(n) => {
                for (name, base) in SHARD_ENV {
                    let Some(value) = var(name) else { continue };
                    let index: u32 = value.trim().parse().map_err(|_| {
                        ShardError::Invalid(format!("{name}={value:?} is not a task index"))
                    })?;
                    let k = match base {
                        ShardBase::One => index,
                        ShardBase::Zero => index + 1,
                    };
                    return Shard::new(k, n).map_err(|e| {
                        ShardError::Invalid(format!(
                            "{name}={value}: {e}{}",
                            if base == ShardBase::One {
                                "; submit the Slurm array as --array=1-N"
                            } else {
                                ""
                            }
                        ))
                    });
                }
                Err(ShardError::NoEnvironment)
            }
        }
    }

    /// The shard, from the process environment for `env/N`.
    pub fn resolve_env(&self) -> Result<Shard, ShardError> {
        self.resolve(|name| std::env::var(name).ok())
    }
}

/// A bad shard argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// The argument or the index is not valid.
    #[error("--shard: {0}")]
    Invalid(String),
    /// `env/N` outside a scheduler's task.
    #[error(
        "--shard env/N: none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is set; \
         give the shard as K/N"
    )]
    NoEnvironment,
}

/// The shard (1-based) of each case, from each case's expected cost (see the module
/// documentation): largest cost first, to the least-loaded shard.
pub fn assign(costs: &[u64], count: u32) -> Vec<u32> {
    let count = count.max(1) as usize;
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[b].cmp(&costs[a]).then(a.cmp(&b)));
    let mut load = vec![0u128; count];
    let mut out = vec![0u32; costs.len()];
    for case in order {
        let (shard, _) = load
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(&b.0)))
            .expect("at least one shard");
        // Every case costs at least 1, so that cases of unknown size still spread.
        load[shard] += u128::from(costs[case].max(1));
        out[case] = shard as u32 + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fixed_and_env_shards() {
        assert_eq!(
            "2/4".parse::<ShardSpec>().unwrap(),
            ShardSpec::Fixed(Shard { index: 2, count: 4 })
        );
        assert_eq!("env/3".parse::<ShardSpec>().unwrap(), ShardSpec::FromEnv(3));
        for bad in ["0/4", "5/4", "1/0", "x/2", "3", "env/0", "1/2/3"] {
            let e = bad.parse::<ShardSpec>().unwrap_err().to_string();
            assert!(e.starts_with("--shard"), "{bad}: {e}");
        }
    }

    #[test]
    fn scheduler_indices() {
        let spec = ShardSpec::FromEnv(4);
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            spec.resolve(env(&[("SLURM_ARRAY_TASK_ID", "3")])).unwrap(),
            Shard { index: 3, count: 4 }
        );
        assert_eq!(
            spec.resolve(env(&[("JOB_COMPLETION_INDEX", "0")])).unwrap(),
            Shard { index: 1, count: 4 }
        );
        assert_eq!(
            spec.resolve(env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "3")]))
                .unwrap(),
            Shard { index: 4, count: 4 }
        );
        let e = spec
            .resolve(env(&[("SLURM_ARRAY_TASK_ID", "0")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("--array=1-N"), "{e}");
        assert_eq!(spec.resolve(env(&[])), Err(ShardError::NoEnvironment));
    }

    #[test]
    fn assignment_balances_cost_and_is_stable() {
        // Costs 10, 1, 7, 3, 3, 6 on 2 shards: 10 -> 1, 7 -> 2, 6 -> 2 (13), 3 -> 1 (13),
        // 3 -> 1 (16; 13 = 13 goes to shard 1), 1 -> 2 (14).
        let costs = [10, 1, 7, 3, 3, 6];
        assert_eq!(assign(&costs, 2), [1, 2, 2, 1, 1, 2]);
        assert_eq!(assign(&costs, 2), assign(&costs, 2));
        assert_eq!(assign(&costs, 1), [1; 6]);
        // More shards than cases: each case alone, the rest empty.
        assert_eq!(assign(&[5, 5], 4), [1, 2]);
        // Unknown sizes (0) still spread round the shards.
        assert_eq!(assign(&[0, 0, 0], 3), [1, 2, 3]);
    }
}
