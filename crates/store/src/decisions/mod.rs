//! 四议两公开: village matters decided by the legal procedure (`matters`), the county's list of
//! categories and each village's 一肩挑 setting (`categories`).

pub mod categories;
pub mod matters;
