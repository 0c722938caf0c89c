//! Organisational life pages: the overview, heat map, missing list and members' year
//! (overview), meetings and check-in, training, contact points, and the cadence settings.

pub mod cadence;
pub mod contacts;
pub mod meetings;
pub mod overview;
pub mod training;
