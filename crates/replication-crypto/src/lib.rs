//! AES-256-GCM envelope encryption and the chunked object format.
