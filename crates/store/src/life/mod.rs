//! Organisational life: meetings and attendance, training, contact points, cadence compliance.

pub mod compliance;
pub mod contacts;
pub mod meetings;
pub mod training;
