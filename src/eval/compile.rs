//! Compiling a term: the instruction for each node, with the forms that are evaluated
//! fused for accuracy (log(e^u − 1), log(1 ± u), 1 − e^u, Φ(u)^n, products with
//! factorials in log space) and the constants folded into values.

use super::{Op, Values};
use crate::error::{Error, ErrorKind, Result};
use crate::lang::implicit;
use crate::lang::{special, Expr, Node, Num};
use egg::Language;

/// A factor of a `LogProduct`: its own row, how to take its logarithm, and whether it
/// divides.
#[derive(Clone, Copy, Debug)]
pub(super) struct Factor {
    pub(super) row: usize,
    pub(super) log: LogForm,
    pub(super) divides: bool,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum LogForm {
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
pub(super) fn log_product(fs: &[Factor], value: impl Fn(usize) -> f64) -> f64 {
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

/// The rows compiled so far, whose values and dependence on t the special forms read.
pub(super) struct Compiling<'a> {
    pub(super) e: &'a Expr,
    pub(super) values: &'a Values,
    /// Whether each row depends on t.
    pub(super) varying: Vec<bool>,
    /// Values of the rows that do not depend on t.
    pub(super) vals: Vec<f64>,
    /// The factor lists of `LogProduct` instructions.
    pub(super) products: Vec<Vec<Factor>>,
    /// The solvers of `Inverse` instructions, one per inverse.
    pub(super) solvers: Vec<std::sync::Arc<super::solve::Solver>>,
    /// The numeric laws of `NumericCdf` and `NumericPdf`, one per distinct law.
    pub(super) numeric: Vec<std::sync::Arc<super::numeric::NumericLaw>>,
    /// Which convolution each numeric law is, so that its CDF and density share it.
    pub(super) numeric_of: Vec<usize>,
}

fn not_named(node: &Node) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("`{node}` refers to a definition that does not exist"),
    )
}

impl Compiling<'_> {
    /// The instruction for node `i`; numbers, parameters and weight sums leave their value.
    pub(super) fn instruction(&mut self, i: usize, node: &Node) -> Result<Op> {
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
            // a named point is a number; an inverse on a piece, by its index
            Node::Ref(r) => {
                self.vals[i] = f64::from(r.0);
                Op::Const
            }
            Node::Point(_) => {
                let k = implicit::index(e, node).ok_or_else(|| not_named(node))?;
                self.vals[i] = implicit::get_point(k).ok_or_else(|| not_named(node))?.value;
                Op::Const
            }
            Node::ConvCdf([_, u]) | Node::ConvPdf([_, u]) | Node::LawCdf([_, _, u]) => {
                let k = implicit::index(e, node).ok_or_else(|| not_named(node))?;
                let slot = match self.numeric_of.iter().position(|&j| j == k) {
                    Some(slot) => slot,
                    None => {
                        let c = implicit::get_convolution(k).ok_or_else(|| not_named(node))?;
                        self.numeric
                            .push(super::convolve::shared(k, &c, self.values)?);
                        self.numeric_of.push(k);
                        self.numeric.len() - 1
                    }
                };
                match node {
                    Node::ConvCdf(_) => Op::NumericCdf(slot, usize::from(*u)),
                    Node::LawCdf(_) => Op::NumericCdfC(slot, usize::from(*u)),
                    _ => Op::NumericPdf(slot, usize::from(*u)),
                }
            }
            Node::Inverse([_, u]) | Node::InverseD([_, u]) => {
                let k = implicit::index(e, node).ok_or_else(|| not_named(node))?;
                let inv = implicit::get_inverse(k).ok_or_else(|| not_named(node))?;
                let slot = self.solvers.len();
                self.solvers
                    .push(std::sync::Arc::new(super::solve::Solver::new(&inv)?));
                // the derivative reads g⁻¹(t) from the inverse beside it, if it came first
                let solved = e.as_ref()[..i]
                    .iter()
                    .position(|n| matches!(n, Node::Inverse(kids) if kids == node.children()));
                match (node, solved) {
                    (Node::Inverse(_), _) => Op::Inverse(slot, usize::from(*u)),
                    (_, Some(x)) => Op::InverseDAt(slot, x, usize::from(*u)),
                    (_, None) => Op::InverseD(slot, usize::from(*u)),
                }
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

/// For a term 1 − u²: the row of u.
fn one_minus_square(e: &Expr, a: egg::Id) -> Option<usize> {
    let Node::Pow([u, two]) = &e[one_minus(e, a)?.into()] else {
        return None;
    };
    matches!(&e[*two], Node::Num(n) if n.to_f64() == 2.0).then(|| usize::from(*u))
}

/// A difference `x − y` at node `id`: e^u − 1, 1 − e^u and 1 − u² without their
/// cancellation.
fn difference(e: &Expr, id: egg::Id, x: usize, y: usize) -> Op {
    if let Some(u) = softplus_inverse_of(e, id) {
        Op::Expm1(u)
    } else if let Some(u) = one_minus_exp(e, id) {
        Op::OneMinusExp(u)
    } else if let Some(u) = one_minus_square(e, id) {
        Op::OneMinusSquare(u)
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
