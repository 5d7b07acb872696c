//! Formulas to numbers. An extracted term is already a flat array in topological order
//! (children before parents), so it compiles to a list of instructions evaluated
//! without recursion: the parts that do not depend on t once, the rest a batch of
//! points at a time, one tight loop per instruction.
//!
//! Products with an Iverson bracket use Knuth's strong zero: `[false]·anything = 0`,
//! which is what lets `[|t| < 1]·Φ(artanh t)` be evaluated on all of R.
//!
//! Laws without a closed form are numbers of another kind, in [`numeric`]: atoms and a
//! piecewise Chebyshev density with an error bound.

mod compile;
mod convolve;
pub mod numeric;
mod params;
mod solve;

use compile::{log_product, Compiling, Factor, LogForm};

pub use params::{bind, Values};

use crate::derive::Derivation;
use crate::error::{Error, ErrorKind, Result};
use crate::lang::functions::Function;
use crate::lang::{simd, special, Expr};
use egg::Language;

#[derive(Clone, Copy, Debug)]
enum Op {
    T,
    Const,
    Add(usize, usize),
    Sub(usize, usize),
    Mul(usize, usize),
    Div(usize, usize),
    /// A quotient whose numerator has a Gaussian factor φ(u) in every term: 0 where
    /// that numerator is 0. It is 0 where brackets zero every term (beyond the support,
    /// where a common denominator left outside them may be NaN), or where φ(u)
    /// underflows (|u| > 38.6) at the edge of a support, where the Jacobian it is
    /// divided by may round to 0 or overflow (softsign's inverse at ±1: φ(∞)/0); the
    /// density's limit there is 0, since φ vanishes faster than any power of the
    /// Jacobian grows.
    DivGauss(usize, usize),
    /// A quotient by a number that does not depend on t, as a product by its
    /// reciprocal (a division costs several multiplications; this adds at most an
    /// ulp of rounding).
    Scale(usize, f64),
    Pow(usize, usize),
    PowI(usize, i32),
    /// Φ(u)^n as exp(n·log Φ(u)), with log Φ accurate near 1 (maxpool with large N).
    PowPhi(usize, usize),
    Neg(usize),
    Abs(usize),
    Exp(usize),
    Log(usize),
    Sqrt(usize),
    Tanh(usize),
    Atanh(usize),
    Sigmoid(usize),
    Logit(usize),
    Softplus(usize),
    /// log(e^u − 1), softplus's inverse, without the cancellation near u = log 2.
    SoftplusInv(usize),
    /// e^u − 1, without the cancellation near u = 0.
    Expm1(usize),
    /// log(1 + u), without the cancellation near u = 0 (elu's inverse).
    Log1p(usize),
    /// log(1 − u), the same for a difference (log(1 − t) is 0 in f64 for t < 1e-17).
    Log1pNeg(usize),
    /// 1 − e^u, without the cancellation near u = 0 (1 − e^(−u) in softplus's inverse's
    /// derivative).
    OneMinusExp(usize),
    /// 1 − u², as (1 − u)(1 + u): no cancellation near u = ±1
    OneMinusSquare(usize),
    Relu(usize),
    Leaky(usize, usize),
    Elu(usize, usize),
    Softsign(usize),
    SoftsignInv(usize),
    Root(usize, usize),
    /// An even root of an odd root, as one root of their product's degree: √(∛u) is
    /// u^(1/6). An odd root magnifies rounding below 0 (∛(−5e-17) = −4e-6, where
    /// log(e^t − 1) rounds at t = fl(log 2)), and the even root after it was NaN where
    /// `special::root` treats a hair below 0 as its domain's edge.
    RootN(usize, f64),
    Max(usize, usize),
    Min(usize, usize),
    Clamp(usize, usize, usize),
    OrderCdf(usize, usize, usize),
    Factorial(usize),
    Phi(usize),
    NPdf(usize),
    Ge(usize, usize),
    Gt(usize, usize),
    /// A product of factors with factorials in it, such as the order statistic's
    /// N!/((K−1)!(N−K)!)·F^(K−1)·(1−F)^(N−K)·f, as the exponential of a sum of
    /// logarithms (N! overflows past N = 170; the product does not): the index of its
    /// factor list.
    LogProduct(usize),
    /// A function of the registry that has no instruction of its own: by its vector
    /// kernel, or its scalar value.
    Call(&'static Function, usize),
    /// The inverse on a piece and its derivative (`solve`): the index of its solver,
    /// and the row of its argument.
    Inverse(usize, usize),
    InverseD(usize, usize),
    /// The derivative, reading g⁻¹(t) from the row of the inverse beside it: (solver,
    /// row of g⁻¹(t), row of t).
    InverseDAt(usize, usize, usize),
    /// The inverse and its derivative in one pass (`Solver::solve_with_derivative`),
    /// where the derivative of the same inverse at the same t follows: (solver, row of
    /// t, row of the derivative, which it fills) ...
    InverseAnd(usize, usize, usize),
    /// ... and that derivative's instruction, which has nothing left to do: the row of
    /// the inverse that filled it.
    Filled(usize),
    /// The CDF and density of a numeric law (a weighted sum of iid copies): its index
    /// among the formula's numeric laws, and the row of its argument.
    NumericCdf(usize, usize),
    NumericPdf(usize, usize),
    /// The continuous part of a numeric law's CDF (its atoms are steps of the formula).
    NumericCdfC(usize, usize),
}

impl Op {
    /// The rows an instruction reads.
    fn operands(self, products: &[Vec<Factor>]) -> Vec<usize> {
        use Op::*;
        match self {
            T | Const => vec![],
            PowI(a, _)
            | Neg(a)
            | Abs(a)
            | Exp(a)
            | Log(a)
            | Sqrt(a)
            | Tanh(a)
            | Atanh(a)
            | Sigmoid(a)
            | Logit(a)
            | Softplus(a)
            | SoftplusInv(a)
            | Expm1(a)
            | Log1p(a)
            | Log1pNeg(a)
            | OneMinusExp(a)
            | OneMinusSquare(a)
            | Relu(a)
            | Scale(a, _)
            | RootN(a, _)
            | Softsign(a)
            | SoftsignInv(a)
            | NumericCdf(_, a)
            | NumericPdf(_, a)
            | NumericCdfC(_, a)
            | Factorial(a)
            | Phi(a)
            | NPdf(a)
            | Call(_, a)
            | Inverse(_, a)
            | InverseD(_, a) => vec![a],
            InverseDAt(_, x, a) => vec![x, a],
            InverseAnd(_, a, _) => vec![a],
            Filled(x) => vec![x],
            Add(a, b)
            | Sub(a, b)
            | Mul(a, b)
            | Div(a, b)
            | DivGauss(a, b)
            | Pow(a, b)
            | PowPhi(a, b)
            | Leaky(a, b)
            | Elu(a, b)
            | Root(a, b)
            | Max(a, b)
            | Min(a, b)
            | Ge(a, b)
            | Gt(a, b) => vec![a, b],
            Clamp(a, b, c) | OrderCdf(a, b, c) => vec![a, b, c],
            LogProduct(k) => products[k]
                .iter()
                .flat_map(|f| {
                    let mut rows = vec![f.row];
                    match f.log {
                        LogForm::Plain => {}
                        LogForm::Factorial(a) => rows.push(a),
                        LogForm::PowPhi(a, b) | LogForm::Pow(a, b) => rows.extend([a, b]),
                    }
                    rows
                })
                .collect(),
        }
    }
}

/// Points evaluated per inner loop: small enough that every row stays in cache.
const CHUNK: usize = 256;

/// A formula in t, compiled for fast evaluation with the parameters bound.
#[derive(Clone, Debug)]
pub struct Compiled {
    ops: Vec<Op>,
    /// Whether each instruction depends on t.
    varying: Vec<bool>,
    /// Values of the instructions that do not depend on t.
    values: Vec<f64>,
    /// The factor lists of `LogProduct` instructions.
    products: Vec<Vec<Factor>>,
    /// The solvers of `Inverse` instructions.
    solvers: Vec<std::sync::Arc<solve::Solver>>,
    /// The numeric laws of `NumericCdf` and `NumericPdf` instructions.
    numeric: Vec<std::sync::Arc<numeric::NumericLaw>>,
}

impl Compiled {
    /// Compile a real term in t; every parameter must have a value.
    pub fn new(e: &Expr, values: &Values) -> Result<Compiled> {
        let n = e.as_ref().len();
        let mut ops = Vec::with_capacity(n);
        let mut b = Compiling {
            e,
            values,
            varying: vec![false; n],
            vals: vec![0.0; n],
            products: Vec::new(),
            solvers: Vec::new(),
            numeric: Vec::new(),
            numeric_of: Vec::new(),
        };
        for (i, node) in e.as_ref().iter().enumerate() {
            let op = b.instruction(i, node)?;
            b.varying[i] =
                matches!(op, Op::T) || node.children().iter().any(|ch| b.varying[usize::from(*ch)]);
            if !b.varying[i] && !matches!(op, Op::Const) {
                b.vals[i] = apply_scalar(op, &b.vals, &(&b.products, &b.solvers, &b.numeric), 0.0);
            }
            ops.push(op);
        }
        let Compiling {
            varying,
            vals,
            products,
            solvers,
            numeric,
            ..
        } = b;
        // instructions no other reads (Φ(u) under a fused Φ(u)^n, the factors inside
        // a log-space product) are not evaluated per point
        let mut needed = vec![false; n];
        if n > 0 {
            needed[n - 1] = true;
        }
        for i in (0..n).rev() {
            if needed[i] {
                for r in ops[i].operands(&products) {
                    needed[r] = true;
                }
            }
        }
        let varying: Vec<bool> = varying.iter().zip(&needed).map(|(v, k)| *v && *k).collect();
        // an inverse whose derivative at the same t follows computes both at once
        for j in 0..n {
            if let (Op::InverseDAt(_, x, a), true) = (ops[j], varying[j]) {
                if let Op::Inverse(k, b) = ops[x] {
                    if a == b && varying[x] {
                        ops[x] = Op::InverseAnd(k, a, j);
                        ops[j] = Op::Filled(x);
                    }
                }
            }
        }
        Ok(Compiled {
            ops,
            varying,
            values: vals,
            products,
            solvers,
            numeric,
        })
    }

    /// The error bound of the formula's numeric laws: the sum of their CDF error bounds
    /// (0 for a formula in closed form). A formula holds at most a few, each once.
    pub fn error_bound(&self) -> f64 {
        self.numeric.iter().map(|l| l.error).sum()
    }

    /// The value at one point.
    pub fn eval(&self, t: f64) -> f64 {
        let mut out = [0.0];
        self.eval_batch(&[t], &mut out);
        out[0]
    }

    /// Values at many points on every core: the batch split into one part per core
    /// (below 65536 points, or on one core, this is `eval_batch`).
    pub fn eval_parallel(&self, ts: &[f64], out: &mut [f64]) {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores == 1 || ts.len() < 1 << 16 {
            return self.eval_batch(ts, out);
        }
        let part = ts.len().div_ceil(cores);
        std::thread::scope(|scope| {
            for (tc, oc) in ts.chunks(part).zip(out.chunks_mut(part)) {
                scope.spawn(move || self.eval_batch(tc, oc));
            }
        });
    }

    /// Values at many points: `out[i]` is the formula at `ts[i]`.
    pub fn eval_batch(&self, ts: &[f64], out: &mut [f64]) {
        let n = self.ops.len();
        if n == 0 {
            return;
        }
        let root = n - 1;
        if !self.varying[root] {
            out.iter_mut().for_each(|o| *o = self.values[root]);
            return;
        }
        let mut rows = vec![0.0; n * CHUNK];
        // constant children of varying instructions are broadcast once
        for i in 0..n {
            if !self.varying[i] {
                rows[i * CHUNK..(i + 1) * CHUNK].fill(self.values[i]);
            }
        }
        for (tc, oc) in ts.chunks(CHUNK).zip(out.chunks_mut(CHUNK)) {
            let len = tc.len();
            for i in 0..n {
                if !self.varying[i] {
                    continue;
                }
                let (before, rest) = rows.split_at_mut(i * CHUNK);
                if let Op::InverseAnd(k, a, d) = self.ops[i] {
                    let (dst, after) = rest.split_at_mut((d - i) * CHUNK);
                    self.solvers[k].solve_with_derivative(
                        row(before, CHUNK, a, len),
                        &mut dst[..len],
                        &mut after[..len],
                    );
                    continue;
                }
                let dst = &mut rest[..len];
                run(
                    self.ops[i],
                    before,
                    CHUNK,
                    &(&self.products, &self.solvers, &self.numeric),
                    tc,
                    dst,
                );
            }
            oc.copy_from_slice(&rows[root * CHUNK..root * CHUNK + len]);
        }
    }
}

fn row(rows: &[f64], stride: usize, i: usize, len: usize) -> &[f64] {
    &rows[i * stride..i * stride + len]
}

/// One instruction over a chunk; `rows` holds every earlier instruction's row.
/// What instructions read besides their rows: the factor lists of log-space products,
/// the solvers of inverses and the numeric laws.
type Tables<'a> = (
    &'a [Vec<Factor>],
    &'a [std::sync::Arc<solve::Solver>],
    &'a [std::sync::Arc<numeric::NumericLaw>],
);

fn run(op: Op, rows: &[f64], stride: usize, tables: &Tables, ts: &[f64], dst: &mut [f64]) {
    let (products, solvers, numeric) = *tables;
    let len = dst.len();
    macro_rules! unary {
        ($a:expr, $f:expr) => {{
            let a = row(rows, stride, $a, len);
            for (d, &x) in dst.iter_mut().zip(a) {
                *d = $f(x);
            }
        }};
    }
    macro_rules! vector {
        // a row of one value (an inverse clamped to its piece's end for every point,
        // as GELU's left branch is for t ≥ 0) costs one evaluation
        ($a:expr, $f:expr) => {{
            let a = row(rows, stride, $a, len);
            match a.first() {
                Some(&first) if a.iter().all(|v| v.to_bits() == first.to_bits()) => {
                    dst.fill($f(wide::f64x4::splat(first)).to_array()[0])
                }
                _ => simd::map(a, dst, $f),
            }
        }};
        ($a:expr, $b:expr, $f:expr) => {
            simd::map2(
                row(rows, stride, $a, len),
                row(rows, stride, $b, len),
                dst,
                $f,
            )
        };
    }
    macro_rules! binary {
        ($a:expr, $b:expr, $f:expr) => {{
            let (a, b) = (row(rows, stride, $a, len), row(rows, stride, $b, len));
            for ((d, &x), &y) in dst.iter_mut().zip(a).zip(b) {
                *d = $f(x, y);
            }
        }};
    }
    match op {
        Op::T => dst.copy_from_slice(ts),
        Op::Const => {}
        Op::Add(a, b) => binary!(a, b, |x, y| x + y),
        Op::Sub(a, b) => binary!(a, b, |x, y| x - y),
        // Knuth's strong zero for every product: outside a domain a factor is NaN,
        // and the bracket that guards it may sit deeper in the other factor
        Op::Mul(a, b) => binary!(a, b, |x: f64, y: f64| if x == 0.0 || y == 0.0 {
            0.0
        } else {
            x * y
        }),
        Op::Div(a, b) => binary!(a, b, |x, y| x / y),
        Op::DivGauss(a, b) => binary!(a, b, |x: f64, y: f64| if x == 0.0 { 0.0 } else { x / y }),
        Op::Scale(a, k) => unary!(a, |x: f64| x * k),
        Op::Pow(a, b) => binary!(a, b, f64::powf),
        Op::PowI(a, k) => unary!(a, |x: f64| x.powi(k)),
        Op::PowPhi(u, n) => vector!(u, n, simd::std_normal_cdf_pow),
        Op::Neg(a) => unary!(a, |x: f64| -x),
        Op::Abs(a) => unary!(a, f64::abs),
        Op::Exp(a) => vector!(a, simd::exp),
        Op::Log(a) => vector!(a, simd::ln),
        Op::Sqrt(a) => unary!(a, f64::sqrt),
        Op::Tanh(a) => unary!(a, f64::tanh),
        // std's atanh loses accuracy near ±1 (2e-4 relative in Φ at t = −1 + 1e-12,
        // found against SciPy); musl's formula, which the kernel follows, does not
        Op::Atanh(a) => vector!(a, simd::atanh),
        Op::Sigmoid(a) => vector!(a, simd::sigmoid),
        Op::Logit(a) => vector!(a, simd::logit),
        Op::Softplus(a) => unary!(a, special::softplus),
        Op::SoftplusInv(a) => unary!(a, special::softplus_inv),
        Op::Expm1(a) => unary!(a, f64::exp_m1),
        Op::OneMinusExp(a) => unary!(a, |x: f64| -x.exp_m1()),
        Op::OneMinusSquare(a) => unary!(a, |x: f64| (1.0 - x) * (1.0 + x)),
        Op::Log1p(a) => vector!(a, simd::ln_1p),
        Op::Log1pNeg(a) => vector!(a, |x: wide::f64x4| simd::ln_1p(-x)),
        Op::Relu(a) => unary!(a, |x: f64| if x > 0.0 { x } else { 0.0 }),
        Op::Leaky(a, s) => binary!(a, s, |x: f64, s: f64| if x >= 0.0 { x } else { s * x }),
        Op::Elu(a, s) => binary!(a, s, special::elu),
        Op::Softsign(a) => unary!(a, special::softsign),
        Op::SoftsignInv(a) => unary!(a, special::softsign_inv),
        Op::Root(a, n) => binary!(a, n, special::root),
        Op::RootN(a, n) => unary!(a, |x| special::root(x, n)),
        Op::Max(a, b) => binary!(a, b, f64::max),
        Op::Min(a, b) => binary!(a, b, f64::min),
        Op::Clamp(a, lo, hi) => {
            let (x, l, h) = (
                row(rows, stride, a, len),
                row(rows, stride, lo, len),
                row(rows, stride, hi, len),
            );
            for (((d, &x), &l), &h) in dst.iter_mut().zip(x).zip(l).zip(h) {
                *d = x.max(l).min(h);
            }
        }
        Op::OrderCdf(k, n, u) => {
            let (k, n, u) = (
                row(rows, stride, k, len),
                row(rows, stride, n, len),
                row(rows, stride, u, len),
            );
            for (((d, &k), &n), &u) in dst.iter_mut().zip(k).zip(n).zip(u) {
                *d = special::order_cdf(k, n, u);
            }
        }
        Op::Factorial(a) => unary!(a, special::factorial),
        Op::Phi(a) => vector!(a, simd::std_normal_cdf),
        Op::NPdf(a) => vector!(a, simd::std_normal_pdf),
        Op::Call(f, a) => match f.vector {
            Some(kernel) => vector!(a, kernel),
            None => unary!(a, |x| (f.value)(&[x])),
        },
        // (`eval_batch` runs `InverseAnd` itself, with the derivative's row beside;
        // the pairing is made only for rows that vary, which `apply_scalar` never runs)
        Op::Inverse(k, a) | Op::InverseAnd(k, a, _) => {
            solvers[k].solve(row(rows, stride, a, dst.len()), dst)
        }
        Op::Filled(_) => {}
        Op::InverseD(k, a) => solvers[k].derivative(row(rows, stride, a, dst.len()), dst),
        Op::InverseDAt(k, x, a) => solvers[k].derivative_at(
            row(rows, stride, x, dst.len()),
            row(rows, stride, a, dst.len()),
            dst,
        ),
        Op::NumericCdf(k, a) => unary!(a, |x| numeric[k].cdf(x)),
        Op::NumericPdf(k, a) => unary!(a, |x| numeric[k].pdf(x)),
        Op::NumericCdfC(k, a) => unary!(a, |x| numeric[k].continuous_cdf(x)),
        Op::Ge(a, b) => binary!(a, b, |x, y| f64::from(u8::from(x >= y))),
        Op::Gt(a, b) => binary!(a, b, |x, y| f64::from(u8::from(x > y))),
        Op::LogProduct(k) => {
            for (j, d) in dst.iter_mut().enumerate() {
                *d = log_product(&products[k], |r| rows[r * stride + j]);
            }
        }
    }
}

fn apply_scalar(op: Op, vals: &[f64], tables: &Tables, t: f64) -> f64 {
    let mut dst = [0.0];
    run(op, vals, 1, tables, &[t], &mut dst);
    dst[0]
}

/// A point mass, in numbers.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct PointMass {
    pub at: f64,
    pub mass: f64,
}

/// A derived law with its parameters bound: CDF, density of the continuous part, atoms.
#[derive(Clone, Debug)]
pub struct Law {
    pub cdf: Compiled,
    pub density: Compiled,
    pub atoms: Vec<PointMass>,
    /// The bound on the error of any probability of the law, P(Y ≤ t) among them,
    /// from its numeric parts (0 for a law in closed form): see `error_bound`.
    error: f64,
}

impl Law {
    pub fn new(d: &Derivation, values: &Values) -> Result<Law> {
        let cdf = Compiled::new(&d.cdf, values)?;
        let mut atoms = Vec::new();
        for a in &d.atoms {
            let at = Compiled::new(&a.at, values)?.eval(0.0);
            let mut mass = Compiled::new(&a.mass, values)?.eval(0.0);
            if !mass.is_finite() && at.is_finite() {
                // a jump whose symbolic mass kept an unresolved limit (∞ − ∞ at the
                // edge of a nested map's range): the CDF's own jump there, in f64
                mass = cdf.eval(at) - cdf.eval(at - f64::EPSILON * at.abs().max(f64::MIN_POSITIVE));
            }
            // atoms at one point (thresholds that coincide at these values) are one
            if let Some(same) = atoms.iter_mut().find(|p: &&mut PointMass| p.at == at) {
                same.mass += mass;
            } else {
                atoms.push(PointMass { at, mass });
            }
        }
        // a jump that is 0 at these values is no atom
        atoms.retain(|a| a.mass.abs() > 1e-15 || !a.mass.is_finite());
        let mut error = 0.0;
        for (k, copies) in crate::derive::numeric_parts(d) {
            let c = crate::lang::implicit::get_convolution(k).ok_or_else(|| {
                Error::new(
                    ErrorKind::Internal,
                    "a numeric law the derivation names is not defined",
                )
            })?;
            error += copies * convolve::shared(k, &c, values)?.error;
        }
        Ok(Law {
            cdf,
            density: Compiled::new(&d.density, values)?,
            atoms,
            error,
        })
    }

    /// The bound on the absolute error of the CDF at every t (indeed of the probability
    /// of any event of Y): each numeric law's bound on the total variation of its error,
    /// times the independent copies of it that Y is a function of (a pool of N takes
    /// N). 0 for a law in closed form.
    pub fn error_bound(&self) -> f64 {
        self.error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[track_caller]
    fn evaluates(sexp: &str, t: f64, expected: f64) {
        let e = crate::lang::expr(sexp).unwrap();
        let mut v = Values::default();
        v.insert("mu", 0.5);
        v.insert("sigma", 2.0);
        let c = Compiled::new(&e, &v).unwrap();
        // reference: the formula written out by hand below, per case
        assert_relative_eq!(c.eval(t), expected, max_relative = 1e-14);
        let mut out = vec![0.0; 1000];
        c.eval_batch(&vec![t; 1000], &mut out);
        assert!(
            out.iter().all(|&o| o == c.eval(t)),
            "batch and scalar differ"
        );
        // split over the cores, the same values
        let many: Vec<f64> = (0..100_000).map(|i| t + 1e-6 * (i % 7) as f64).collect();
        let (mut one, mut all) = (vec![0.0; many.len()], vec![0.0; many.len()]);
        c.eval_batch(&many, &mut one);
        c.eval_parallel(&many, &mut all);
        assert!(
            one.iter()
                .zip(&all)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "parallel and batch differ"
        );
    }

    #[test]
    fn arithmetic_and_parameters() {
        evaluates("(/ (- t mu) sigma)", 1.5, 0.5);
        evaluates("(^ (+ t 1) 3)", 1.0, 8.0);
        evaluates("(neg (* 2 t))", 1.25, -2.5);
    }

    #[test]
    fn brackets_are_strong_zeros() {
        // atanh(2) is NaN, but the bracket is 0 there
        evaluates("(* (> 1 t) (atanh t))", 2.0, 0.0);
        evaluates("(* (> 1 t) (atanh t))", 0.5, 0.5f64.atanh());
        evaluates(
            "(+ (>= t 1) (* (* (> t -1) (> 1 t)) (Phi (atanh t))))",
            3.0,
            1.0,
        );
    }

    #[test]
    fn missing_parameter_is_an_error() {
        let e = crate::lang::expr("(+ t alpha)").unwrap();
        let err = Compiled::new(&e, &Values::default()).unwrap_err();
        assert!(err.message.contains("alpha"));
    }
}
