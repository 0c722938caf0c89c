//! 品牌示范 (brands and demonstration sites): 党建品牌 projects with their declarations for
//! 登记备案 through the workflow engine, register numbers and the yearly record (`projects`);
//! 示范点 with their standards, checks and acceptance visits (`sites`); 经费 budget lines and
//! spending (`funds`).

pub mod funds;
pub mod projects;
pub mod sites;
