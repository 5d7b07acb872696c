//! The median time to evaluate a program's PDF (the continuous part) at 10^6 points
//! in [LO, HI], on one core and on every core:
//! `cargo run --release --example eval_time -- FILE LO HI NAME=VALUE... [--cdf] [--repeat=N]`.
//! Prints `one_core_seconds every_core_seconds` (used by benches/peers/sympy_compare.py
//! and benches/peers/gelu_peers.py). `--cdf` times the CDF instead of the PDF;
//! `--repeat=N` takes the median of N runs (21 by default).

use pushforward::eval::{Law, Values};

/// The allocator the command line uses (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // flags may come anywhere; the rest are FILE LO HI NAME=VALUE...
    let (flags, mut args): (Vec<String>, Vec<String>) =
        std::env::args().skip(1).partition(|a| a.starts_with("--"));
    let mut cdf = false;
    let mut repeat = 21;
    for f in &flags {
        match f.split_once('=') {
            None if f == "--cdf" => cdf = true,
            Some(("--repeat", n)) => repeat = n.parse().expect("--repeat=N, N a count"),
            _ => panic!("unknown flag {f} (--cdf, --repeat=N)"),
        }
    }
    assert!(repeat > 0, "--repeat=N needs N > 0");
    args.reverse();
    let path = args.pop().expect("a program file");
    let lo: f64 = args.pop().and_then(|a| a.parse().ok()).expect("LO");
    let hi: f64 = args.pop().and_then(|a| a.parse().ok()).expect("HI");
    let mut values = Values::default();
    for a in args.iter().rev() {
        let (k, v) = a.split_once('=').expect("NAME=VALUE");
        values.insert(k, v.parse().expect("a number"));
    }
    let src = std::fs::read_to_string(path).expect("a readable program");
    let d = pushforward::derive_source(&src).expect("a program that derives");
    let law = Law::new(&d, &values).expect("values for every parameter");
    let formula = if cdf { &law.cdf } else { &law.density };
    let n = 1_000_000;
    let ts: Vec<f64> = (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / n as f64)
        .collect();
    let mut out = vec![0.0; n];
    let median = |f: &mut dyn FnMut()| {
        let mut times: Vec<f64> = (0..repeat)
            .map(|_| {
                let start = std::time::Instant::now();
                f();
                start.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let one = median(&mut || formula.eval_batch(&ts, &mut out));
    let all = median(&mut || formula.eval_parallel(&ts, &mut out));
    println!("{one} {all}");
}
