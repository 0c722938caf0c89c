//! 品牌示范 (brands and demonstration sites): 党建品牌 projects, their declarations for 登记备案
//! through the workflow engine, register numbers and the yearly record.

pub mod brands;
