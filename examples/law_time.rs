//! Where the time of a numeric law goes, as in the `numeric-law-derive-and-1000-points`
//! benchmark: the median over repeated runs of deriving the program, making its laws
//! (μ moved by 1e-12 each run, so none comes from the cache) and evaluating its CDF and
//! density at 1 000 points of [LO, HI].
//! `cargo run --release --example law_time -- FILE LO HI [REPEAT] [name=value ...]`.

use pushforward::eval::{Law, Values};

/// The allocator the command line uses (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, lo, hi, rest @ ..] = &args[..] else {
        panic!("usage: law_time FILE LO HI [REPEAT] [name=value ...]");
    };
    let src = std::fs::read_to_string(path).expect("a readable program");
    let (lo, hi): (f64, f64) = (lo.parse().expect("LO"), hi.parse().expect("HI"));
    let repeat: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(21);
    let values: Vec<(String, f64)> = rest
        .iter()
        .filter_map(|a| a.split_once('='))
        .map(|(k, v)| (k.to_string(), v.parse().expect("a number")))
        .collect();
    let ts: Vec<f64> = (0..1000)
        .map(|i| lo + (hi - lo) * i as f64 / 999.0)
        .collect();
    let (mut cdf, mut pdf) = (vec![0.0; 1000], vec![0.0; 1000]);
    let mut times: [Vec<f64>; 4] = Default::default();
    for run in 0..repeat.max(1) {
        let t0 = std::time::Instant::now();
        let d = pushforward::derive_source(&src).expect("a derivation");
        let t1 = std::time::Instant::now();
        let mut v = Values::default();
        for (k, x) in &values {
            v.insert(k, x + 1e-12 * run as f64);
        }
        let law = Law::new(&d, &v).expect("a law");
        let t2 = std::time::Instant::now();
        law.cdf.eval_batch(&ts, &mut cdf);
        let t3 = std::time::Instant::now();
        law.density.eval_batch(&ts, &mut pdf);
        let t4 = std::time::Instant::now();
        for (k, (a, b)) in [(t0, t1), (t1, t2), (t2, t3), (t3, t4)].iter().enumerate() {
            times[k].push((*b - *a).as_secs_f64() * 1e3);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let names = ["derive", "laws", "cdf x1000", "pdf x1000"];
    let mut total = 0.0;
    for (name, v) in names.iter().zip(times.iter_mut()) {
        let m = median(v);
        total += m;
        println!("{name:>10}: {m:.3} ms");
    }
    println!("{:>10}: {total:.3} ms (sum of medians)", "total");
}
