//! Conformity reports (to be written).
