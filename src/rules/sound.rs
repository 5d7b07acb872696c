//! Every rule is checked for soundness by sampling, as Herbie does: its pattern
//! variables are filled with random terms, the rule is run on an e-graph (so it fires
//! only where its own conditions are proved), and both sides are evaluated by an
//! interpreter written here, independent of the crate's evaluator:
//! - real terms in f64, derivatives `Dc` by central differences;
//! - probabilities `cdf` by Monte Carlo: the random terms are simulated forward from
//!   Normal draws, never through a derived formula. Both sides use the same draws, and
//!   the tolerance comes from the Dvoretzky–Kiefer–Wolfowitz bound for the sample size.

use crate::lang::{EGraph, Expr, Facts, Need, Node, Sign};
use crate::rules::{self, Family, Rule, When};
use egg::{Id, Language, RecExpr, Runner};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr_free::standard_normal;

/// Box–Muller, so that the test needs nothing beyond `rand`.
mod rand_distr_free {
    use rand::Rng;
    pub fn standard_normal(rng: &mut impl Rng) -> f64 {
        let u1: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
        let u2: f64 = rng.gen();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

const SAMPLES: usize = 100_000;
const COPIES: usize = 4;
/// P(the DKW bound fails) for one empirical CDF.
const ALPHA: f64 = 1e-9;

fn dkw_epsilon() -> f64 {
    ((2.0 / ALPHA).ln() / (2.0 * SAMPLES as f64)).sqrt()
}

struct Draws {
    z: Vec<Vec<f64>>,
    /// Values of the symbols `pos` (assumed > 0) and `neg` (assumed < 0).
    pos: std::cell::Cell<f64>,
    neg: std::cell::Cell<f64>,
}

impl Draws {
    fn new(rng: &mut StdRng) -> Draws {
        Draws {
            z: (0..COPIES)
                .map(|_| (0..SAMPLES).map(|_| standard_normal(rng)).collect())
                .collect(),
            pos: 0.5.into(),
            neg: (-0.5).into(),
        }
    }
}

fn is_random(e: &Expr, id: Id) -> bool {
    match &e[id] {
        Node::Normal(_) | Node::Law(_) => true,
        // a probability of a random term is a number
        Node::Cdf(_) | Node::CdfLt(_) | Node::CdfIn(_) | Node::PdfIn(_) => false,
        n => n.children().iter().any(|c| is_random(e, *c)),
    }
}

/// Samples of a random term, copy `k` of the iid copies.
fn sample(e: &Expr, id: Id, d: &Draws, k: usize, t: f64) -> Vec<f64> {
    let real = |i: &Id| value(e, *i, t, d);
    let map = |i: &Id, f: &dyn Fn(f64) -> f64| sample(e, *i, d, k, t).into_iter().map(f).collect();
    match &e[id] {
        Node::Normal([m, s]) => {
            let (m, s) = (real(m), real(s));
            d.z[k].iter().map(|z| m + s * z).collect()
        }
        // a numeric law, drawn as the sum of copies it stands for
        Node::Law(_) => {
            let sum = crate::lang::implicit::unleaf(&crate::lang::subterm(e, id));
            sample(&sum, Id::from(sum.as_ref().len() - 1), d, k, t)
        }
        Node::MaxPool([a, n]) => {
            let n = real(n) as usize;
            assert!(n <= COPIES, "pool larger than the copies drawn");
            let copies: Vec<Vec<f64>> = (0..n).map(|j| sample(e, *a, d, j, t)).collect();
            (0..SAMPLES)
                .map(|i| {
                    copies
                        .iter()
                        .map(|c| c[i])
                        .fold(f64::NEG_INFINITY, f64::max)
                })
                .collect()
        }
        Node::Conv([a, w]) => {
            let mut weights = Vec::new();
            let mut cur = *w;
            while let Node::Cons([h, r]) = &e[cur] {
                weights.push(real(h));
                cur = *r;
            }
            let mut out = vec![0.0; SAMPLES];
            for (j, wj) in weights.iter().enumerate() {
                for (o, s) in out.iter_mut().zip(sample(e, *a, d, j, t)) {
                    *o += wj * s;
                }
            }
            out
        }
        Node::Relu(a) => map(a, &|x| x.max(0.0)),
        Node::Abs(a) => map(a, &f64::abs),
        Node::Softsign(a) => map(a, &|x| x / (1.0 + x.abs())),
        Node::Elu([a, s]) => {
            let s = real(s);
            map(a, &|x| if x > 0.0 { x } else { s * x.exp_m1() })
        }
        Node::Clamp([a, lo, hi]) => {
            let (lo, hi) = (real(lo), real(hi));
            map(a, &|x| x.max(lo).min(hi))
        }
        Node::Max([a, c]) => {
            let c = real(c);
            map(a, &|x| x.max(c))
        }
        Node::Min([a, c]) => {
            let c = real(c);
            map(a, &|x| x.min(c))
        }
        Node::Pow([a, n]) if is_random(e, *a) => {
            let n = real(n) as i32;
            map(a, &|x| x.powi(n))
        }
        Node::Order([a, k, n]) => {
            let (k, n) = (real(k) as usize, real(n) as usize);
            assert!(n <= COPIES, "pool larger than the copies drawn");
            let copies: Vec<Vec<f64>> = (0..n).map(|j| sample(e, *a, d, j, t)).collect();
            (0..SAMPLES)
                .map(|i| {
                    let mut row: Vec<f64> = copies.iter().map(|c| c[i]).collect();
                    row.sort_by(|x, y| x.total_cmp(y));
                    row[k.clamp(1, n) - 1]
                })
                .collect()
        }
        Node::MinPool([a, n]) => {
            let n = real(n) as usize;
            assert!(n <= COPIES, "pool larger than the copies drawn");
            let copies: Vec<Vec<f64>> = (0..n).map(|j| sample(e, *a, d, j, t)).collect();
            (0..SAMPLES)
                .map(|i| copies.iter().map(|c| c[i]).fold(f64::INFINITY, f64::min))
                .collect()
        }
        Node::LeakyRelu([a, s]) => {
            let s = real(s);
            map(a, &|x| if x >= 0.0 { x } else { s * x })
        }
        Node::Tanh(a) => map(a, &f64::tanh),
        Node::Exp(a) => map(a, &f64::exp),
        Node::Log(a) => map(a, &f64::ln),
        Node::Sqrt(a) => map(a, &f64::sqrt),
        Node::Sigmoid(a) => map(a, &|x| 1.0 / (1.0 + (-x).exp())),
        Node::Softplus(a) => map(a, &|x| x.exp().ln_1p()),
        Node::Neg(a) => map(a, &|x| -x),
        Node::Add([a, b]) | Node::Sub([a, b]) | Node::Mul([a, b]) | Node::Div([a, b]) => {
            let (ra, rb) = (is_random(e, *a), is_random(e, *b));
            let (sa, sb): (Vec<f64>, Vec<f64>) = (
                if ra {
                    sample(e, *a, d, k, t)
                } else {
                    vec![real(a); SAMPLES]
                },
                if rb {
                    sample(e, *b, d, k, t)
                } else {
                    vec![real(b); SAMPLES]
                },
            );
            let op = |x: f64, y: f64| match &e[id] {
                Node::Add(_) => x + y,
                Node::Sub(_) => x - y,
                Node::Mul(_) => x * y,
                _ => x / y,
            };
            sa.into_iter().zip(sb).map(|(x, y)| op(x, y)).collect()
        }
        // any other function of the registry: by its value (its first argument random,
        // the others constants)
        other => match (other.function(), other.children()) {
            (Some(f), [a]) => map(a, &|x| (f.value)(&[x])),
            _ => panic!("cannot sample {other:?}"),
        },
    }
}

/// Composite Simpson's rule with `n` (even) panels on [a, b]; its error is at most
/// (b − a)·h⁴·max|f⁗|/180 for h = (b − a)/n.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let sum: f64 = (0..=n)
        .map(|i| {
            let w = if i == 0 || i == n {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            w * f(a + h * i as f64)
        })
        .sum();
    sum * h / 3.0
}

fn std_normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Φ by numerical integration of φ (Simpson, 4000 panels on [-12, x]).
fn std_normal_cdf(x: f64) -> f64 {
    if x.is_infinite() {
        return if x > 0.0 { 1.0 } else { 0.0 };
    }
    let lo = (-12.0f64).min(x - 1.0);
    simpson(std_normal_pdf, lo, x, 4000)
}

/// Where a strictly monotone map of one Normal crosses u: the standard Normal draw z*
/// at which the program run forward (one value) gives u, by bisection, and the map's
/// slope in z there (a central difference). `None` outside its range.
fn chain_at(e: &Expr, y: Id, u: f64, d: &Draws, t: f64) -> Option<(f64, f64)> {
    let g = |z: f64| {
        let one = Draws {
            z: vec![vec![z]; COPIES],
            pos: d.pos.clone(),
            neg: d.neg.clone(),
        };
        sample(e, y, &one, 0, t)[0]
    };
    let (mut lo, mut hi) = (-30.0, 30.0);
    let (glo, ghi) = (g(lo), g(hi));
    let increasing = ghi > glo;
    if u.is_nan() || u <= glo.min(ghi) || u >= glo.max(ghi) {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if (g(mid) < u) == increasing {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let z = 0.5 * (lo + hi);
    let h = 1e-4;
    Some((z, (g(z + h) - g(z - h)) / (2.0 * h)))
}

/// The value of a real term at t.
/// The inverse the rules through `(inverse K u)` are sampled with: x³ + x, increasing
/// on the whole line.
fn test_inverse() -> crate::lang::implicit::Inverse {
    use crate::lang::implicit::{End, Inverse};
    let end = |value: f64| End {
        term: None,
        value,
        turn: false,
    };
    Inverse {
        g: crate::lang::expr("(+ (^ t 3) t)").expect("a term"),
        dg: crate::lang::expr("(+ (* 3 (^ t 2)) 1)").expect("a term"),
        lo: end(f64::NEG_INFINITY),
        hi: end(f64::INFINITY),
        increasing: true,
    }
}

/// The law the rules through `(law K A L)` are sampled with: S = (R₁ + R₂)/2 for iid
/// relu of N(0, 1), an atom 1/4 at 0; its leaf as the strings of K, A and L.
fn test_law() -> &'static [String; 3] {
    static LAW: std::sync::OnceLock<[String; 3]> = std::sync::OnceLock::new();
    LAW.get_or_init(|| {
        let d = crate::derive_source("x ~ Normal(0, 1)\ny = relu(conv(relu(x), [0.5, 0.5]))")
            .expect("the test law derives");
        let y = &d.model.y;
        let Some(Node::Law([k, a, l])) = y.as_ref().iter().find(|n| matches!(n, Node::Law(_)))
        else {
            panic!("the test program has no numeric leaf")
        };
        let part = |i: &Id| crate::lang::subterm(y, *i).to_string();
        [part(k), part(a), part(l)]
    })
}

/// The test law's continuous CDF or density at u, written out here: for u > 0, one
/// copy positive (probability 1/2 each way) gives Φ(2u) − 1/2 in all, and both
/// positive P(X, Y > 0, X + Y ≤ 2u) = ∫₀^{2u} φ(x)(Φ(2u − x) − 1/2) dx, by Simpson's
/// rule; the density is the derivative, 2φ(2u) + 2∫₀^{2u} φ(x)φ(2u − x) dx.
fn numeric(k: &str, cdf: bool, u: f64) -> f64 {
    assert_eq!(k, test_law()[0], "only the test law is sampled");
    if u <= 0.0 {
        return 0.0;
    }
    let phi = std_normal_pdf;
    // Φ by statrs' erfc here, as Simpson's Φ inside Simpson's rule would be slow
    let big_phi = |x: f64| 0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2);
    if cdf {
        let both = simpson(
            |x| phi(x) * (big_phi(2.0 * u - x) - 0.5),
            0.0,
            2.0 * u,
            2000,
        );
        big_phi(2.0 * u) - 0.5 + both
    } else {
        2.0 * phi(2.0 * u) + 2.0 * simpson(|x| phi(x) * phi(2.0 * u - x), 0.0, 2.0 * u, 2000)
    }
}

fn value(e: &Expr, id: Id, t: f64, d: &Draws) -> f64 {
    let v = |i: &Id| value(e, *i, t, d);
    let phi = std_normal_pdf;
    let inverse = |k: &Id| match &e[*k] {
        Node::Ref(r) => crate::lang::implicit::get_inverse(r.0 as usize),
        _ => None,
    };
    match &e[id] {
        // the inverse by lang::implicit's own bisection and Newton steps (not the
        // evaluator's), its derivative as 1/g′ there
        Node::Inverse([k, u]) => {
            inverse(k).map_or(f64::NAN, |i| crate::lang::implicit::solve(&i, v(u)))
        }
        Node::InverseD([k, u]) => {
            inverse(k).map_or(f64::NAN, |i| crate::lang::implicit::solve_d(&i, v(u)))
        }
        Node::LawCdf([k, _, u]) => numeric(&crate::lang::subterm(e, *k).to_string(), true, v(u)),
        Node::ConvPdf([k, u]) => numeric(&crate::lang::subterm(e, *k).to_string(), false, v(u)),
        Node::Jumps([list, u]) | Node::JumpsLt([list, u]) => {
            let (u, strict) = (v(u), matches!(e[id], Node::JumpsLt(_)));
            let mut sum = 0.0;
            let mut cur = *list;
            while let Node::Cons([pair, rest]) = &e[cur] {
                if let Node::Cons([at, mass]) = &e[*pair] {
                    let at = v(at);
                    if (strict && u > at) || (!strict && u >= at) {
                        sum += v(mass);
                    }
                }
                cur = *rest;
            }
            sum
        }
        Node::Num(n) => n.to_f64(),
        Node::T => t,
        Node::Symbol(s) if s.as_str() == "pos" => d.pos.get(),
        Node::Symbol(s) if s.as_str() == "neg" => d.neg.get(),
        Node::Symbol(s) => panic!("unbound symbol {s}"),
        Node::Add([a, b]) => v(a) + v(b),
        Node::Sub([a, b]) => v(a) - v(b),
        Node::Mul([a, b]) => {
            let (x, y) = (v(a), v(b));
            // Iverson's strong zero
            if x == 0.0 || y == 0.0 {
                0.0
            } else {
                x * y
            }
        }
        Node::Div([a, b]) => v(a) / v(b),
        Node::Pow([a, b]) => v(a).powf(v(b)),
        Node::Neg(a) => -v(a),
        Node::Abs(a) => v(a).abs(),
        Node::Exp(a) => v(a).exp(),
        Node::Log(a) => v(a).ln(),
        Node::Sqrt(a) => v(a).sqrt(),
        Node::Tanh(a) => v(a).tanh(),
        Node::Atanh(a) => v(a).atanh(),
        Node::Sigmoid(a) => 1.0 / (1.0 + (-v(a)).exp()),
        Node::Logit(a) => (v(a) / (1.0 - v(a))).ln(),
        Node::Softplus(a) => v(a).exp().ln_1p(),
        Node::Relu(a) => v(a).max(0.0),
        Node::Softsign(a) => v(a) / (1.0 + v(a).abs()),
        Node::SoftsignInv(a) => v(a) / (1.0 - v(a).abs()),
        Node::Root([a, n]) => {
            let (x, n) = (v(a), v(n));
            if x < 0.0 && (n as i64) % 2 != 0 {
                -(-x).powf(1.0 / n)
            } else {
                x.powf(1.0 / n)
            }
        }
        Node::Max([a, b]) => v(a).max(v(b)),
        // P(Binomial(n, u) >= k), summed directly
        Node::OrderCdf([k, n, u]) => {
            let (k, n, u) = (v(k) as i64, v(n) as i64, v(u));
            let choose =
                |n: i64, j: i64| (0..j).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64);
            (k..=n)
                .map(|j| choose(n, j) * u.powi(j as i32) * (1.0 - u).powi((n - j) as i32))
                .sum()
        }
        Node::Factorial(a) => (1..=v(a) as i64).product::<i64>() as f64,
        Node::Min([a, b]) => v(a).min(v(b)),
        Node::Clamp([a, lo, hi]) => v(a).max(v(lo)).min(v(hi)),
        Node::Elu([a, s]) => {
            let x = v(a);
            if x > 0.0 {
                x
            } else {
                v(s) * x.exp_m1()
            }
        }
        Node::LeakyRelu([a, s]) => {
            let x = v(a);
            if x >= 0.0 {
                x
            } else {
                v(s) * x
            }
        }
        Node::Phi(a) => std_normal_cdf(v(a)),
        Node::NPdf(a) => phi(v(a)),
        Node::Ge([a, b]) => f64::from(u8::from(v(a) >= v(b))),
        Node::Gt([a, b]) => f64::from(u8::from(v(a) > v(b))),
        Node::Cons([h, r]) => v(h) + 0.0 * v(r),
        Node::Nil => 0.0,
        Node::WSum(w) => list(e, *w, t, d).iter().sum(),
        Node::WSq(w) => list(e, *w, t, d).iter().map(|x| x * x).sum(),
        Node::Dc(a) => {
            let h = 1e-5;
            (value(e, *a, t + h, d) - value(e, *a, t - h, d)) / (2.0 * h)
        }
        Node::Cdf([y, u]) | Node::CdfLt([y, u]) => {
            let u = v(u);
            let strict = matches!(e[id], Node::CdfLt(_));
            let s = sample(e, *y, d, 0, t);
            s.iter()
                .filter(|x| if strict { **x < u } else { **x <= u })
                .count() as f64
                / SAMPLES as f64
        }
        // P(Y <= u) and the density of Y at u, inside the support of Y (a strictly
        // monotone map of one Normal), undefined elsewhere: exactly, from where the
        // program run forward crosses u (so that central differences of them are exact)
        Node::CdfIn([y, u]) => match chain_at(e, *y, v(u), d, t) {
            Some((z, slope)) => {
                let p = std_normal_cdf(z);
                if slope > 0.0 {
                    p
                } else {
                    1.0 - p
                }
            }
            None => f64::NAN,
        },
        Node::PdfIn([y, u]) => match chain_at(e, *y, v(u), d, t) {
            Some((z, slope)) => phi(z) / slope.abs(),
            None => f64::NAN,
        },
        other => match other.function() {
            Some(f) => {
                let args: Vec<f64> = other.children().iter().map(v).collect();
                (f.value)(&args)
            }
            None => panic!("cannot evaluate {other:?}"),
        },
    }
}

fn list(e: &Expr, mut id: Id, t: f64, d: &Draws) -> Vec<f64> {
    let mut out = Vec::new();
    while let Node::Cons([h, r]) = &e[id] {
        out.push(value(e, *h, t, d));
        id = *r;
    }
    out
}

/// A random decimal in ±[lo, hi] (or [lo, hi] when `positive`), written exactly.
fn number(rng: &mut StdRng, lo: f64, hi: f64, positive: bool) -> String {
    let x: f64 = rng.gen_range(lo..hi);
    let sign = if positive || rng.gen_bool(0.5) { 1 } else { -1 };
    format!("{}/100", sign * (x * 100.0).round().max(1.0) as i64)
}

fn conditions(rule: &Rule) -> Vec<When> {
    rule.when.clone()
}

/// A filling for one pattern variable of a rule.
fn fill(rule: &Rule, var: &str, rng: &mut StdRng) -> String {
    let when = conditions(rule);
    let family = rule.info.family;
    let is = |f: &dyn Fn(&When) -> bool| when.iter().any(f);
    let m = number(rng, 0.0, 1.5, false);
    let s = number(rng, 0.3, 1.5, true);
    let normal = format!("(normal {m} {s})");
    if rule.info.lhs.contains("law") && matches!(var, "?k" | "?a" | "?l") {
        // the test law's index, atoms and lower end
        let [k, a, l] = test_law();
        return match var {
            "?k" => k.clone(),
            "?a" => a.clone(),
            _ => l.clone(),
        };
    }
    if var == "?rest" {
        // a list of atoms (at, mass)
        return if rng.gen_bool(0.5) {
            "nil".to_string()
        } else {
            format!(
                "(cons (cons {} {}) nil)",
                number(rng, -0.5, 0.5, false),
                number(rng, 0.05, 0.5, true)
            )
        };
    }
    if var == "?k" && rule.info.lhs.contains("(inverse ?k") {
        // a piece's inverse: of x³ + x on the whole line
        let k = crate::lang::implicit::inverse(test_inverse());
        return format!("#{k}");
    }
    if is(&|w| matches!(w, When::Bracket(v) if *v == var)) {
        return format!("(>= t {})", number(rng, 0.05, 0.9, false));
    }
    if var == "?w" || var == "?r" {
        return format!(
            "(cons {} (cons {} nil))",
            number(rng, 0.2, 2.0, false),
            number(rng, 0.2, 2.0, false)
        );
    }
    if is(&|w| matches!(w, When::EvenInt(v) if *v == var)) {
        return ["2", "4"][rng.gen_range(0..2)].to_string();
    }
    if is(&|w| matches!(w, When::OddInt(v) if *v == var)) {
        return ["1", "3"][rng.gen_range(0..2)].to_string();
    }
    if is(&|w| matches!(w, When::OrderPair(k, n) if *k == var || *n == var)) {
        // 1 <= K <= N, as numbers
        return if var == "?k" {
            "1".to_string()
        } else {
            "3".to_string()
        };
    }
    if is(&|w| matches!(w, When::IsNum(v) if *v == var)) {
        // a number, as the condition asks
        return number(rng, 0.05, 1.5, false);
    }
    if is(&|w| matches!(w, When::Inside(v, ..) if *v == var)) {
        // inside both (-1, 1) and (0, 1)
        return number(rng, 0.05, 0.95, true);
    }
    if is(&|w| matches!(w, When::Parametric(a, b) if *a == var || *b == var)) {
        // a parameter with a known sign, or a number beside one
        return ["pos", "neg", "1/2"][rng.gen_range(0..3)].to_string();
    }
    if var == "?n" && family != Family::Algebra {
        return format!("{}", rng.gen_range(1..=3));
    }
    if var == "?k" && family != Family::Algebra {
        // K of an order statistic: 1 ≤ K ≤ N holds for N = 3
        return format!("{}", rng.gen_range(1..=1));
    }
    if is(&|w| matches!(w, When::Chain(v) if *v == var)) {
        // strictly monotone maps of a Normal, increasing and decreasing
        let pool = [
            normal.clone(),
            format!("(tanh {normal})"),
            format!("(exp (* -2 {normal}))"),
            format!("(+ 1 (neg (sigmoid {normal})))"),
            format!("(^ (- {normal} 1/2) 3)"),
        ];
        return pool[rng.gen_range(0..pool.len())].clone();
    }
    if rule.info.name.starts_with("pdf-in-") && matches!(var, "?c" | "?a") {
        // a constant inside a random term, of the sign the rule asks for
        let negative = is(&|w| matches!(w, When::Proves(v, Need::Negative) if *v == var));
        let sign = if negative { -1 } else { 1 };
        return format!("{}/100", sign * rng.gen_range(20..150));
    }
    let lhs_random = rule.info.lhs.contains("cdf")
        || rule.info.lhs.contains("pdf-in")
        || family == Family::Normal;
    match (family, var) {
        (_, "?s") if lhs_random => s,
        (Family::Cdf, "?e") => {
            // a random term the rule's domain condition can be proved for
            let pool = if is(&|w| matches!(w, When::Proves("?e", _))) {
                vec![
                    format!("(exp {normal})"),
                    format!("(relu {normal})"),
                    format!("(sigmoid {normal})"),
                ]
            } else {
                let mut pool = vec![
                    normal.clone(),
                    format!("(relu {normal})"),
                    format!("(tanh {normal})"),
                    format!("(neg (exp {normal}))"),
                ];
                // iid copies of iid copies would reuse this interpreter's draws
                if !rule.info.lhs.contains("pool") && !rule.info.lhs.contains("order") {
                    pool.push(format!("(maxpool {normal} 2)"));
                }
                pool
            };
            pool[rng.gen_range(0..pool.len())].clone()
        }
        (Family::Diff, _) if !is(&|w| matches!(w, When::NoT(v) if *v == var)) => {
            // smooth terms in t, inside every domain for t in (0.1, 0.9)
            let pool = [
                "t",
                "(/ t 3)",
                "(* t t)",
                "(sigmoid t)",
                "(- 1 (/ t 2))",
                "(exp (neg t))",
            ];
            pool[rng.gen_range(0..pool.len())].to_string()
        }
        (Family::Algebra, _) => {
            // constants where a condition asks about the value; elsewhere terms in t,
            // which the analysis cannot fold away before the rule sees them
            let constant = is(&|w| match w {
                When::Proves(v, _) | When::Known(v, _) | When::NoT(v) => *v == var,
                When::NumLe(a, b) | When::NumLt(a, b) => *a == var || *b == var,
                _ => false,
            });
            let numeric = is(
                &|w| matches!(w, When::NumLe(a, b) | When::NumLt(a, b) if *a == var || *b == var),
            );
            let transcendental =
                is(&|w| matches!(w, When::SurelyGreater(a, b) if *a == var || *b == var));
            if transcendental {
                // a constant the analysis cannot fold to a rational
                format!("(tanh {})", number(rng, 0.05, 2.0, false))
            } else if numeric && rng.gen_bool(0.5) {
                number(rng, 0.05, 0.95, false)
            } else if numeric {
                // a constant such as tanh(0.3), which constant folding leaves in place
                format!("(tanh {})", number(rng, 0.05, 2.0, false))
            } else if constant {
                // a parameter with a known sign, which is not folded away
                match rng.gen_range(0..3) {
                    0 => "pos".to_string(),
                    1 => "neg".to_string(),
                    _ => number(rng, 0.05, 0.95, false),
                }
            } else if rng.gen_bool(0.5) {
                format!("(* t {})", number(rng, 0.05, 0.95, false))
            } else {
                format!("(+ t {})", number(rng, 0.05, 0.5, false))
            }
        }
        _ => number(rng, 0.05, 0.95, false),
    }
}

fn instantiate(pattern: &str, subst: &[(String, String)]) -> Expr {
    let spaced = pattern.replace('(', " ( ").replace(')', " ) ");
    let filled: Vec<String> = spaced
        .split_whitespace()
        .map(|tok| {
            subst
                .iter()
                .find(|(v, _)| v == tok)
                .map_or(tok.to_string(), |(_, f)| f.clone())
        })
        .collect();
    filled
        .join(" ")
        .replace("( ", "(")
        .replace(" )", ")")
        .parse::<RecExpr<Node>>()
        .unwrap()
}

fn vars(pattern: &str) -> Vec<String> {
    let mut out: Vec<String> = pattern
        .replace(['(', ')'], " ")
        .split_whitespace()
        .filter(|t| t.starts_with('?'))
        .map(String::from)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether the rule fires on the instance, that is, its conditions were proved.
fn fires(rule: &Rule, lhs: &Expr) -> bool {
    let signs = [("pos", Sign::POS), ("neg", Sign::NEG)]
        .into_iter()
        .map(|(n, s)| (egg::Symbol::from(n), s))
        .collect();
    let mut egraph = EGraph::new(Facts::new(signs));
    egraph.add_expr(lhs);
    let runner = Runner::default()
        .with_egraph(egraph)
        .with_iter_limit(1)
        .run([&rule.rewrite]);
    runner
        .iterations
        .first()
        .is_some_and(|it| it.applied.get(&rule.rewrite.name).copied().unwrap_or(0) > 0)
}

fn count(e: &Expr, f: fn(&Node) -> bool) -> usize {
    e.as_ref().iter().filter(|n| f(n)).count()
}

#[test]
fn every_rule_is_sound_at_random_points() {
    let mut rng = StdRng::seed_from_u64(20261127);
    let draws = Draws::new(&mut rng);
    let eps = dkw_epsilon();
    let mut report = Vec::new();
    for rule in rules::all() {
        let mut names = vars(&rule.info.lhs);
        names.extend(vars(&rule.info.rhs));
        names.sort();
        names.dedup();
        let mut checked = 0;
        for _attempt in 0..60 {
            if checked >= 6 {
                break;
            }
            let subst: Vec<(String, String)> = names
                .iter()
                .map(|v| (v.clone(), fill(rule, v, &mut rng)))
                .collect();
            let lhs = instantiate(&rule.info.lhs, &subst);
            let rhs = instantiate(&rule.info.rhs, &subst);
            if !fires(rule, &lhs) {
                continue;
            }
            draws.pos.set(rng.gen_range(0.05..0.95));
            draws.neg.set(-rng.gen_range(0.05..0.95));
            // a rewrite of random terms (closure of the Normal, leaky relu with slope 0)
            let random_terms = is_random(&lhs, Id::from(lhs.as_ref().len() - 1));
            for _ in 0..3 {
                let t: f64 = match rule.info.family {
                    Family::Diff => loop {
                        let t = rng.gen_range(0.1..0.9);
                        if (t - 0.5f64).abs() > 0.06 && t > 0.15 {
                            break t;
                        }
                    },
                    Family::Algebra => rng.gen_range(-0.5..0.5),
                    _ => rng.gen_range(-2.0..2.0),
                };
                let (l, r, tol) = if random_terms {
                    // compare the laws: both CDFs at t, each within the DKW bound
                    let cdf = |e: &Expr| {
                        let root = Id::from(e.as_ref().len() - 1);
                        let s = sample(e, root, &draws, 0, t);
                        s.iter().filter(|x| **x <= t).count() as f64 / SAMPLES as f64
                    };
                    (cdf(&lhs), cdf(&rhs), 2.0 * eps)
                } else {
                    let root = |e: &Expr| Id::from(e.as_ref().len() - 1);
                    let l = value(&lhs, root(&lhs), t, &draws);
                    let r = value(&rhs, root(&rhs), t, &draws);
                    let cdfs = count(&lhs, |n| {
                        matches!(n, Node::Cdf(_) | Node::CdfLt(_) | Node::CdfIn(_))
                    }) + count(&rhs, |n| {
                        matches!(n, Node::Cdf(_) | Node::CdfLt(_) | Node::CdfIn(_))
                    });
                    let tol = if cdfs > 0 {
                        // each empirical CDF is within eps; a power n multiplies by n
                        let n = subst
                            .iter()
                            .find(|(v, _)| v == "?n")
                            .map_or(1.0, |(_, f)| f.parse().unwrap_or(1.0));
                        eps * cdfs as f64 * n
                    } else if rule.info.family == Family::Diff {
                        1e-5 * (1.0 + l.abs())
                    } else {
                        1e-9 * (1.0 + l.abs())
                    };
                    (l, r, tol)
                };
                if l.is_nan() && r.is_nan() {
                    continue;
                }
                assert!(
                    (l - r).abs() <= tol || (l.is_infinite() && l == r),
                    "rule {} is unsound at t = {t}:\n  {lhs} = {l}\n  {rhs} = {r}\n  tolerance {tol}",
                    rule.info.name
                );
            }
            checked += 1;
        }
        report.push((rule.info.name.clone(), checked));
    }
    let never: Vec<&String> = report
        .iter()
        .filter(|(_, c)| *c < 3)
        .map(|(n, _)| n)
        .collect();
    assert!(
        never.is_empty(),
        "rules checked at fewer than 3 instances (conditions never met?): {never:?}"
    );
}
