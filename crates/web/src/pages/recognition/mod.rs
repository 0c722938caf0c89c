//! Evaluation, commitments and awards pages: award kinds and nominations with the public
//! notice, 民主评议 rounds and the public rating page, commitments, stars, and their schemes.

pub mod awards;
pub mod commitments;
pub mod evaluations;
pub mod schemes;
pub mod stars;
