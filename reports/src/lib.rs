//! radcheck reports (in progress).
