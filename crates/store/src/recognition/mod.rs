//! Evaluation, commitments and awards: award kinds and nominations, 民主评议 rounds and their
//! scores, commitments, leader reviews and star ratings.

pub mod awards;
pub mod commitments;
pub mod evaluation_scores;
pub mod evaluations;
pub mod leader_reviews;
pub mod stars;
