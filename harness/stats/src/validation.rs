//! Model validation statistics (to be written).
