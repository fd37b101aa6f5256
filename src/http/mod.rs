//! Routes served on the health port beside `/healthz` and `/metrics`, each
//! module returning an `axum::Router` that `health` serves on `PORT` with
//! its limits.

pub mod alerts;
pub mod calendar;
