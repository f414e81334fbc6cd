//! radcheck suites (in progress).
