//! Plots (to be written).
