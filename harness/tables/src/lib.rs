//! radcheck-tables (to be written).
#![deny(missing_docs)]
