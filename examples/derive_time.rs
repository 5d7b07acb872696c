//! The median time of `derive` (parse, CDF, PDF, derivation, LaTeX and text) on one
//! program, in process: `cargo run --release --example derive_time -- FILE [REPEAT]`.
//! The SymPy comparison (`benches/peers/sympy_compare.py`) uses it; criterion
//! (`cargo bench --bench derive`) gives the same figures with confidence intervals.

/// The allocator the command line uses (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a program file");
    let repeat: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(50);
    let src = std::fs::read_to_string(path).expect("a readable program");
    let mut times = Vec::with_capacity(repeat);
    for _ in 0..repeat.max(1) {
        let start = std::time::Instant::now();
        let d = pushforward::derive_source(&src).expect("a program that derives");
        std::hint::black_box((
            pushforward::render::to_latex(&d),
            pushforward::render::to_text(&d),
        ));
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!("{}", times[times.len() / 2]);
}
