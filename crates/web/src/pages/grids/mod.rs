//! 网格 pages: a village's or town's grids with coverage read from the roll-ups (`overview`),
//! one grid with its staff, households, 建档 and 党员联户 (`grid`), and 走访 with a member's
//! 我的联户 (`visits`), and the 设岗定责 register (`posts`).

pub mod grid;
pub mod overview;
pub mod posts;
pub mod visits;
