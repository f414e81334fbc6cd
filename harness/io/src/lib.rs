//! radcheck io (in progress).
