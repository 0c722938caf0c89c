//! Pure types and rules of 先锋: no I/O. Everything else depends on this crate.

pub mod audit;
pub mod auth;
pub mod award;
pub mod brand;
pub mod cadence;
pub mod campaign;
pub mod checkin;
pub mod commitment;
pub mod contact;
pub mod date;
pub mod decision;
pub mod demo_site;
pub mod error;
pub mod evaluation;
pub mod evaluation_form;
pub mod files;
pub mod funds;
pub mod grid;
pub mod household;
pub mod idcard;
pub mod life;
pub mod login;
pub mod member;
pub mod org;
pub mod path;
pub mod phone;
pub mod plan_rules;
pub mod points;
pub mod rules;
pub mod stars;
pub mod supervision;
pub mod text;
pub mod todo;
pub mod units;
pub mod workflow;

pub use error::{FieldError, Invalid};
