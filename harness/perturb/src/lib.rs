//! radcheck-perturb (to be written).
#![deny(missing_docs)]
