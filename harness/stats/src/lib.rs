//! radcheck stats (in progress).
