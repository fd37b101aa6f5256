//! Routes served on the health port beside `/healthz` and `/metrics`.

pub mod calendar;
