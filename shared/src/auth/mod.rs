//! Establishing who a caller is: staff passwords, Leadflow's own access and refresh
//! tokens, managed API keys, and tokens from an external identity provider (JWKS).
//! HTTP-free; `api::auth` reads the headers and calls in here.

pub mod jwks;
