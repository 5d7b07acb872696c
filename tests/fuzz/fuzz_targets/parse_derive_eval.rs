#![no_main]
//! Parse, derive and evaluate arbitrary bytes (see `../exercise.rs` for what must hold).

#[path = "../exercise.rs"]
mod exercise;

libfuzzer_sys::fuzz_target!(|data: &[u8]| exercise::exercise(data));
