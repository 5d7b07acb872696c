//! Formulas to numbers. An extracted term is already a flat array in topological order
//! (children before parents), so it compiles to a list of instructions evaluated
//! without recursion: the parts that do not depend on t once, the rest a batch of
//! points at a time, one tight loop per instruction.
//!
//! Products with an Iverson bracket use Knuth's strong zero: `[false]·anything = 0`,
//! which is what lets `[|t| < 1]·Φ(artanh t)` be evaluated on all of R.

mod params;

pub use params::{bind, Values};

use crate::derive::Derivation;
use crate::error::{Error, ErrorKind, Result};
use crate::lang::functions::Function;
use crate::lang::{simd, special, Expr, Node, Num};
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
            | Relu(a)
            | Scale(a, _)
            | RootN(a, _)
            | Softsign(a)
            | SoftsignInv(a)
            | Factorial(a)
            | Phi(a)
            | NPdf(a)
            | Call(_, a) => vec![a],
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

/// A factor of a `LogProduct`: its own row, how to take its logarithm, and whether it
/// divides.
#[derive(Clone, Copy, Debug)]
struct Factor {
    row: usize,
    log: LogForm,
    divides: bool,
}

#[derive(Clone, Copy, Debug)]
enum LogForm {
    /// log |x| of the row's value.
    Plain,
    /// log n! = lnΓ(n + 1) of the argument's row.
    Factorial(usize),
    /// n·log Φ(u).
    PowPhi(usize, usize),
    /// n·log b, for b > 0.
    Pow(usize, usize),
}

/// Whether the node under `id` is the number 1.
fn is_one(e: &Expr, id: egg::Id) -> bool {
    matches!(&e[id], Node::Num(n) if *n == Num::int(1))
}

/// For a term 1 + u or u + 1: the row of u.
fn one_plus(e: &Expr, a: egg::Id) -> Option<usize> {
    let Node::Add([x, y]) = &e[a] else {
        return None;
    };
    if is_one(e, *x) {
        Some(usize::from(*y))
    } else if is_one(e, *y) {
        Some(usize::from(*x))
    } else {
        None
    }
}

/// For a term 1 − u: the row of u.
fn one_minus(e: &Expr, a: egg::Id) -> Option<usize> {
    let Node::Sub([x, y]) = &e[a] else {
        return None;
    };
    is_one(e, *x).then(|| usize::from(*y))
}

/// For a term 1 − e^u: the row of u.
fn one_minus_exp(e: &Expr, a: egg::Id) -> Option<usize> {
    let Node::Exp(u) = &e[one_minus(e, a)?.into()] else {
        return None;
    };
    Some(usize::from(*u))
}

/// For a term of the form e^u − 1 (the argument of softplus's inverse): the row of u.
fn softplus_inverse_of(e: &Expr, a: egg::Id) -> Option<usize> {
    let Node::Sub([x, one]) = &e[a] else {
        return None;
    };
    let Node::Exp(u) = &e[*x] else { return None };
    is_one(e, *one).then(|| usize::from(*u))
}

/// Whether every term of the term under `id` has a factor φ(u) (through products,
/// quotients' numerators, negation, and sums whose terms all have one, as when a
/// common denominator stands outside the brackets of the pieces: then beyond the
/// support the numerator is 0 and the denominator may be NaN).
fn gaussian(e: &Expr, id: egg::Id) -> bool {
    match &e[id] {
        Node::NPdf(_) => true,
        Node::Mul([a, b]) => gaussian(e, *a) || gaussian(e, *b),
        Node::Add([a, b]) | Node::Sub([a, b]) => gaussian(e, *a) && gaussian(e, *b),
        Node::Div([a, _]) | Node::Neg(a) => gaussian(e, *a),
        _ => false,
    }
}

/// The factors of the product (and quotient) tree under `id`.
fn factors(e: &Expr, id: egg::Id, divides: bool, out: &mut Vec<Factor>) {
    let row = usize::from(id);
    match &e[id] {
        Node::Mul([a, b]) => {
            factors(e, *a, divides, out);
            factors(e, *b, divides, out);
        }
        Node::Div([a, b]) => {
            factors(e, *a, divides, out);
            factors(e, *b, !divides, out);
        }
        node => {
            let log = match node {
                Node::Factorial(a) => LogForm::Factorial(usize::from(*a)),
                Node::Pow([a, n]) => match &e[*a] {
                    Node::Phi(u) => LogForm::PowPhi(usize::from(*u), usize::from(*n)),
                    _ => LogForm::Pow(usize::from(*a), usize::from(*n)),
                },
                _ => LogForm::Plain,
            };
            out.push(Factor { row, log, divides });
        }
    }
}

/// The product at one point, in log space; a factor that is exactly 0 makes it 0
/// (Knuth's strong zero, as for every product here).
fn log_product(fs: &[Factor], value: impl Fn(usize) -> f64) -> f64 {
    let (mut sign, mut log) = (1.0f64, 0.0f64);
    for f in fs {
        let (s, l) = match f.log {
            LogForm::Factorial(a) => (1.0, statrs::function::gamma::ln_gamma(value(a) + 1.0)),
            LogForm::PowPhi(_, n) if value(n) == 0.0 => (1.0, 0.0),
            LogForm::PowPhi(u, n) => (1.0, value(n) * special::log_std_normal_cdf(value(u))),
            LogForm::Pow(b, n) if value(b) > 0.0 && value(n) != 0.0 => {
                (1.0, value(n) * value(b).ln())
            }
            _ => {
                let v = value(f.row);
                if v == 0.0 && !f.divides {
                    return 0.0;
                }
                (v.signum(), v.abs().ln())
            }
        };
        sign *= s;
        log += if f.divides { -l } else { l };
    }
    sign * log.exp()
}

/// The largest N for which `order(E, K, N)` is evaluated (see `Op::OrderCdf`).
pub const MAX_ORDER_COPIES: f64 = 100_000.0;

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
}

/// The rows compiled so far, whose values and dependence on t the special forms read.
struct Compiling<'a> {
    e: &'a Expr,
    values: &'a Values,
    /// Whether each row depends on t.
    varying: Vec<bool>,
    /// Values of the rows that do not depend on t.
    vals: Vec<f64>,
    /// The factor lists of `LogProduct` instructions.
    products: Vec<Vec<Factor>>,
}

impl Compiling<'_> {
    /// The instruction for node `i`; numbers, parameters and weight sums leave their value.
    fn instruction(&mut self, i: usize, node: &Node) -> Result<Op> {
        let e = self.e;
        let c = |k: usize| usize::from(node.children()[k]);
        Ok(match node {
            Node::T => Op::T,
            Node::Num(n) => {
                self.vals[i] = n.to_f64();
                Op::Const
            }
            Node::Symbol(s) => self.parameter(i, s.as_str())?,
            Node::Add(_) => Op::Add(c(0), c(1)),
            Node::Sub(_) => difference(e, egg::Id::from(i), c(0), c(1)),
            Node::Mul(_) | Node::Div(_) => self.product(i, node),
            Node::Pow([a, b]) => power(e, *a, *b),
            Node::Neg(_) => Op::Neg(c(0)),
            Node::Abs(_) => Op::Abs(c(0)),
            Node::Exp(_) => Op::Exp(c(0)),
            Node::Log(a) => logarithm(e, *a),
            Node::Sqrt(_) => Op::Sqrt(c(0)),
            Node::Tanh(_) => Op::Tanh(c(0)),
            Node::Atanh(_) => Op::Atanh(c(0)),
            Node::Sigmoid(_) => Op::Sigmoid(c(0)),
            Node::Logit(_) => Op::Logit(c(0)),
            Node::Softplus(_) => Op::Softplus(c(0)),
            Node::Relu(_) => Op::Relu(c(0)),
            Node::LeakyRelu(_) => Op::Leaky(c(0), c(1)),
            Node::Elu(_) => Op::Elu(c(0), c(1)),
            Node::Softsign(_) => Op::Softsign(c(0)),
            Node::SoftsignInv(_) => Op::SoftsignInv(c(0)),
            Node::Root([a, n]) => self.root(*a, usize::from(*n)),
            Node::Max(_) => Op::Max(c(0), c(1)),
            Node::Min(_) => Op::Min(c(0), c(1)),
            Node::Clamp(_) => Op::Clamp(c(0), c(1), c(2)),
            Node::OrderCdf(_) => self.order_cdf(c(0), c(1), c(2))?,
            Node::Factorial(_) => Op::Factorial(c(0)),
            Node::Phi(_) => Op::Phi(c(0)),
            Node::NPdf(_) => Op::NPdf(c(0)),
            Node::Ge(_) => Op::Ge(c(0), c(1)),
            Node::Gt(_) => Op::Gt(c(0), c(1)),
            // weight lists are constants: their sums are folded here
            Node::Cons(_) | Node::Nil => Op::Const,
            Node::WSum(list) | Node::WSq(list) => {
                self.vals[i] = self.weights(*list, matches!(node, Node::WSq(_)))?;
                Op::Const
            }
            n if n.function().is_some() && n.children().len() == 1 => match n.function() {
                Some(f) => Op::Call(f, c(0)),
                None => Op::Const,
            },
            other => {
                return Err(Error::new(
                    ErrorKind::Internal,
                    format!("cannot evaluate the operator `{other}`: the formula is not closed"),
                ))
            }
        })
    }

    /// A parameter's value, or nothing for a weight vector (used only through its sums).
    fn parameter(&mut self, i: usize, s: &str) -> Result<Op> {
        if self.values.vector(s).is_none() {
            self.vals[i] = self.values.get(s).ok_or_else(|| {
                Error::new(
                    ErrorKind::Parameter,
                    format!("the parameter `{s}` has no value"),
                )
                .help(format!("give it one with --set {s}=VALUE"))
            })?;
        }
        Ok(Op::Const)
    }

    /// A product or quotient: in log space with a factorial, by a constant as a product.
    fn product(&mut self, i: usize, node: &Node) -> Op {
        let c = |k: usize| usize::from(node.children()[k]);
        let mut fs = Vec::new();
        factors(self.e, egg::Id::from(i), false, &mut fs);
        if fs.iter().any(|f| matches!(f.log, LogForm::Factorial(_))) {
            self.products.push(fs);
            Op::LogProduct(self.products.len() - 1)
        } else if matches!(node, Node::Mul(_)) {
            Op::Mul(c(0), c(1))
        } else if !self.varying[c(1)]
            && self.vals[c(1)].is_normal()
            && (1.0 / self.vals[c(1)]).is_normal()
        {
            Op::Scale(c(0), 1.0 / self.vals[c(1)])
        } else if gaussian(self.e, node.children()[0]) {
            Op::DivGauss(c(0), c(1))
        } else {
            Op::Div(c(0), c(1))
        }
    }

    /// The root of `a` of degree row `n`, fusing an even root of an odd one into one.
    fn root(&self, a: egg::Id, n: usize) -> Op {
        if !self.varying[n] {
            if let Node::Root([b, m]) = &self.e[a] {
                let (m, d) = (usize::from(*m), self.vals[n]);
                if !self.varying[m]
                    && special::is_odd(self.vals[m])
                    && d.fract() == 0.0
                    && !special::is_odd(d)
                {
                    return Op::RootN(usize::from(*b), self.vals[m] * d);
                }
            }
        }
        Op::Root(usize::from(a), n)
    }

    /// The CDF of `order(E, K, N)`, refused for an N too large to evaluate accurately.
    fn order_cdf(&self, k: usize, n: usize, u: usize) -> Result<Op> {
        // statrs' regularized incomplete beta is good to 1e-9 up to here
        // (checked against SciPy); beyond it loses digits
        let copies = self.vals[n];
        if !self.varying[n] && copies > MAX_ORDER_COPIES {
            return Err(Error::new(
                ErrorKind::Parameter,
                format!("order statistics of {copies} copies are beyond what pushforward evaluates accurately ({MAX_ORDER_COPIES} copies)"),
            )
            .help("the extremes maxpool(E, N) and minpool(E, N) are evaluated accurately for any N; for order(E, K, N) use N up to 100000"));
        }
        Ok(Op::OrderCdf(k, n, u))
    }

    /// The sum (or sum of squares) of a weight list, named or written out.
    fn weights(&self, list: egg::Id, squares: bool) -> Result<f64> {
        if let Node::Symbol(w) = &self.e[list] {
            let ws = self.values.vector(w.as_str()).ok_or_else(|| {
                Error::new(
                    ErrorKind::Parameter,
                    format!("the weight vector `{w}` has no value"),
                )
                .help(format!("give it one with --set {w}=[w1,w2,...]"))
            })?;
            return Ok(if squares {
                ws.iter().map(|x| x * x).sum()
            } else {
                ws.iter().sum()
            });
        }
        let mut total = 0.0;
        let mut cur = list;
        while let Node::Cons([h, r]) = &self.e[cur] {
            let w = self.vals[usize::from(*h)];
            total += if squares { w * w } else { w };
            cur = *r;
        }
        Ok(total)
    }
}

/// A difference `x − y` at node `id`: e^u − 1 and 1 − e^u without their cancellation.
fn difference(e: &Expr, id: egg::Id, x: usize, y: usize) -> Op {
    if let Some(u) = softplus_inverse_of(e, id) {
        Op::Expm1(u)
    } else if let Some(u) = one_minus_exp(e, id) {
        Op::OneMinusExp(u)
    } else {
        Op::Sub(x, y)
    }
}

/// A power `a^b`: Φ(u)^n in log space, an integer exponent by `powi`.
fn power(e: &Expr, a: egg::Id, b: egg::Id) -> Op {
    if let Node::Phi(u) = &e[a] {
        return Op::PowPhi(usize::from(*u), usize::from(b));
    }
    match &e[b] {
        Node::Num(Num::Rat(r)) if r.is_integer() && r.numer().bits() < 31 => {
            Op::PowI(usize::from(a), i32::try_from(r.to_integer()).unwrap_or(0))
        }
        _ => Op::Pow(usize::from(a), usize::from(b)),
    }
}

/// A logarithm of `a`: log(e^u − 1), log(1 + u) and log(1 − u) fused.
fn logarithm(e: &Expr, a: egg::Id) -> Op {
    if let Some(u) = softplus_inverse_of(e, a) {
        Op::SoftplusInv(u)
    } else if let Some(u) = one_plus(e, a) {
        Op::Log1p(u)
    } else if let Some(u) = one_minus(e, a) {
        Op::Log1pNeg(u)
    } else {
        Op::Log(usize::from(a))
    }
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
        };
        for (i, node) in e.as_ref().iter().enumerate() {
            let op = b.instruction(i, node)?;
            b.varying[i] =
                matches!(op, Op::T) || node.children().iter().any(|ch| b.varying[usize::from(*ch)]);
            if !b.varying[i] && !matches!(op, Op::Const) {
                b.vals[i] = apply_scalar(op, &b.vals, &b.products, 0.0);
            }
            ops.push(op);
        }
        let Compiling {
            varying,
            vals,
            products,
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
        let varying = varying.iter().zip(&needed).map(|(v, k)| *v && *k).collect();
        Ok(Compiled {
            ops,
            varying,
            values: vals,
            products,
        })
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
                let dst = &mut rest[..len];
                run(self.ops[i], before, CHUNK, &self.products, tc, dst);
            }
            oc.copy_from_slice(&rows[root * CHUNK..root * CHUNK + len]);
        }
    }
}

fn row(rows: &[f64], stride: usize, i: usize, len: usize) -> &[f64] {
    &rows[i * stride..i * stride + len]
}

/// One instruction over a chunk; `rows` holds every earlier instruction's row.
fn run(op: Op, rows: &[f64], stride: usize, products: &[Vec<Factor>], ts: &[f64], dst: &mut [f64]) {
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
        ($a:expr, $f:expr) => {
            simd::map(row(rows, stride, $a, len), dst, $f)
        };
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
        Op::Log1p(a) => vector!(a, simd::ln_1p),
        Op::Log1pNeg(a) => vector!(a, |x| simd::ln_1p(-x)),
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
        Op::Ge(a, b) => binary!(a, b, |x, y| f64::from(u8::from(x >= y))),
        Op::Gt(a, b) => binary!(a, b, |x, y| f64::from(u8::from(x > y))),
        Op::LogProduct(k) => {
            for (j, d) in dst.iter_mut().enumerate() {
                *d = log_product(&products[k], |r| rows[r * stride + j]);
            }
        }
    }
}

fn apply_scalar(op: Op, vals: &[f64], products: &[Vec<Factor>], t: f64) -> f64 {
    let mut dst = [0.0];
    run(op, vals, 1, products, &[t], &mut dst);
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
        Ok(Law {
            cdf,
            density: Compiled::new(&d.density, values)?,
            atoms,
        })
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
