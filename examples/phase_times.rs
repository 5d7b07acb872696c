//! Where `derive` spends its time on one program: the median over repeated runs of
//! parsing, deriving (e-graphs, explanations), LaTeX and text, with the sizes of the
//! two renderings. `cargo run --release --example phase_times -- FILE [REPEAT]`.

/// The allocator the command line uses (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a program file");
    let repeat: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(21);
    let src = std::fs::read_to_string(path).expect("a readable program");
    let mut times: [Vec<f64>; 4] = Default::default();
    let mut sizes = (0, 0);
    let mut stats = String::new();
    for _ in 0..repeat.max(1) {
        let t0 = std::time::Instant::now();
        let m = pushforward::model(&src).expect("a model");
        let t1 = std::time::Instant::now();
        let d = pushforward::derive(&m, pushforward::Limits::default()).expect("a derivation");
        let t2 = std::time::Instant::now();
        let latex = pushforward::render::to_latex(&d);
        let t3 = std::time::Instant::now();
        let text = pushforward::render::to_text(&d);
        let t4 = std::time::Instant::now();
        for (k, (a, b)) in [(t0, t1), (t1, t2), (t2, t3), (t3, t4)].iter().enumerate() {
            times[k].push((*b - *a).as_secs_f64() * 1e3);
        }
        sizes = (latex.len(), text.len());
        stats = format!("CDF {:?}\nPDF {:?}", d.cdf_stats, d.pdf_stats);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let [parse, derive, latex, text] = &mut times;
    println!("{stats}");
    println!(
        "parse {:.3} ms, derive {:.3} ms, latex {:.3} ms ({} bytes), text {:.3} ms ({} bytes)",
        median(parse),
        median(derive),
        median(latex),
        sizes.0,
        median(text),
        sizes.1
    );
}
