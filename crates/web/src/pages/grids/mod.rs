//! 网格 pages: a village's or town's grids with coverage read from the roll-ups (`overview`),
//! and one grid with its staff, households, 建档 and 党员联户 (`grid`).

pub mod grid;
pub mod overview;
