//! The three engines every area reuses: the roll-up of maintained counts up the tree, the
//! cadence engine (obligations per period), and the multi-level workflow engine.

pub mod cadence;
pub mod rollup;
pub mod workflow;
