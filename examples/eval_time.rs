//! The median time to evaluate a program's PDF (the continuous part) at 10^6 points
//! in [LO, HI], on one core and on every core:
//! `cargo run --release --example eval_time -- FILE LO HI NAME=VALUE...`.
//! Prints `one_core_seconds every_core_seconds` (used by benches/peers/sympy_compare.py).

use pushforward::eval::{Law, Values};

/// The allocator the command line uses (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a program file");
    let lo: f64 = args.next().and_then(|a| a.parse().ok()).expect("LO");
    let hi: f64 = args.next().and_then(|a| a.parse().ok()).expect("HI");
    let mut values = Values::default();
    for a in args {
        let (k, v) = a.split_once('=').expect("NAME=VALUE");
        values.insert(k, v.parse().expect("a number"));
    }
    let src = std::fs::read_to_string(path).expect("a readable program");
    let d = pushforward::derive_source(&src).expect("a program that derives");
    let law = Law::new(&d, &values).expect("values for every parameter");
    let n = 1_000_000;
    let ts: Vec<f64> = (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / n as f64)
        .collect();
    let mut out = vec![0.0; n];
    let median = |f: &mut dyn FnMut()| {
        let mut times: Vec<f64> = (0..21)
            .map(|_| {
                let start = std::time::Instant::now();
                f();
                start.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let one = median(&mut || law.density.eval_batch(&ts, &mut out));
    let all = median(&mut || law.density.eval_parallel(&ts, &mut out));
    println!("{one} {all}");
}
