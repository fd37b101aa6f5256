//! HTTP routes beyond `/healthz` and `/metrics`, each module returning an
//! `axum::Router` that `health` serves on `PORT` with its limits.

pub mod alerts;
