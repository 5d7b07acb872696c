//! Where `derive` spends its time on one program: run it with a path.
fn main() {
    let path = std::env::args().nth(1).expect("a program file");
    let src = std::fs::read_to_string(path).expect("readable");
    let t0 = std::time::Instant::now();
    let m = pushforward::model(&src).expect("a model");
    let t1 = std::time::Instant::now();
    let d = pushforward::derive(&m, pushforward::Limits::default());
    let t2 = std::time::Instant::now();
    if let Ok(d) = &d {
        let _ = pushforward::render::to_latex(d);
        let _ = pushforward::render::to_text(d);
        println!("cdf nodes {:?} pdf nodes {:?}", d.cdf_stats, d.pdf_stats);
    }
    let t3 = std::time::Instant::now();
    println!(
        "parse+lower {:?} derive {:?} render {:?}",
        t1 - t0,
        t2 - t1,
        t3 - t2
    );
}
