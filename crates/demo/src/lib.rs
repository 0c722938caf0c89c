//! Generated data for 先锋, outside the production store: the demo county (`seed`) and the
//! benchmarks that compare maintained roll-ups with the obvious SQL on the same data (`bench`).
//! The `xianfeng` binary calls both (`demo`, `gen`, `bench`); nothing in the served
//! application depends on this crate.

pub mod bench;
pub mod seed;
