//! Reliability and agreement statistics (to be written).
