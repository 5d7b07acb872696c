//! The term language of the e-graph and the facts the e-graph knows about each class.
//!
//! One language serves three kinds of term: *random* terms (`(normal μ σ)`, `(tanh E)`,
//! `(maxpool E N)`, ...) that stand for random variables, *real* terms in the CDF's
//! argument `t` and the parameters, and the *operators* that connect them
//! (`(cdf Y t)` = P(Y ≤ t), `(cdf< Y t)` = P(Y < t), `(D F)` the derivative of F in the
//! sense of distributions and `(Dc F)` its classical part). Constants are exact
//! rationals, extended with ±∞ for one-sided limits at the edge of a domain.
//!
//! [`Facts`] is the egg analysis: constant folding, which classes are random, which
//! depend on `t`, the signs a class can take (proved from the program's `assume`
//! statements) and finiteness. Rule conditions ask it, and record what they could not
//! prove so that a failed derivation can name the missing assumption.

pub mod bounds;
#[macro_use]
pub mod functions;
pub mod print;
pub mod simd;
pub mod special;

use bounds::Interval;
use egg::{define_language, Analysis, DidMerge, ENodeOrVar, Id, Language, PatternAst, RecExpr};
use functions::{Domain, Finite, Signs};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

/// An exact constant: a rational number, or ±∞ (a one-sided limit at a domain's edge).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Num {
    NegInf,
    /// Shared: e-graph nodes are cloned often, and a big rational's clone allocates.
    Rat(std::sync::Arc<BigRational>),
    PosInf,
}

impl From<BigRational> for Num {
    fn from(r: BigRational) -> Num {
        Num::Rat(std::sync::Arc::new(r))
    }
}

impl Num {
    pub fn int(n: i64) -> Num {
        Num::from(BigRational::from_integer(BigInt::from(n)))
    }
    /// The value as an integer, when it is one (and fits in 64 bits).
    pub fn integer(&self) -> Option<i64> {
        self.rat()
            .filter(|r| r.is_integer())
            .and_then(|r| r.to_integer().to_i64())
    }
    pub fn rat(&self) -> Option<&BigRational> {
        match self {
            Num::Rat(r) => Some(r),
            _ => None,
        }
    }
    pub fn to_f64(&self) -> f64 {
        match self {
            Num::NegInf => f64::NEG_INFINITY,
            Num::PosInf => f64::INFINITY,
            Num::Rat(r) => r.to_f64().unwrap_or(f64::NAN),
        }
    }
    pub fn sign(&self) -> Sign {
        match self {
            Num::NegInf => Sign::NEG,
            Num::PosInf => Sign::POS,
            Num::Rat(r) if r.is_zero() => Sign::ZERO,
            Num::Rat(r) if r.is_positive() => Sign::POS,
            Num::Rat(_) => Sign::NEG,
        }
    }
    fn is_zero(&self) -> bool {
        matches!(self, Num::Rat(r) if r.is_zero())
    }
}

impl FromStr for Num {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "inf" => return Ok(Num::PosInf),
            "-inf" => return Ok(Num::NegInf),
            _ => {}
        }
        // Only plain integers and `p/q`: egg also tries every leaf as a number, so
        // anything looser would swallow symbols.
        let int = |p: &str| -> Result<BigInt, String> {
            let digits = p.strip_prefix('-').unwrap_or(p);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("not a number: {s}"));
            }
            p.parse::<BigInt>().map_err(|e| e.to_string())
        };
        match s.split_once('/') {
            Some((p, q)) => {
                let q = int(q)?;
                if q.is_zero() {
                    return Err("zero denominator".into());
                }
                Ok(Num::from(BigRational::new(int(p)?, q)))
            }
            None => Ok(Num::from(BigRational::from_integer(int(s)?))),
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::NegInf => write!(f, "-inf"),
            Num::PosInf => write!(f, "inf"),
            Num::Rat(r) if r.is_integer() => write!(f, "{}", r.numer()),
            Num::Rat(r) => write!(f, "{}/{}", r.numer(), r.denom()),
        }
    }
}

/// Declares [`Node`]: the operators below, with the functions of the registry
/// ([`functions`]) between the arithmetic and the brackets, and [`Node::function`], a
/// node's registry entry.
macro_rules! language {
    ({ $($head:tt)* } { $($tail:tt)* } $($op:literal = $variant:ident($kids:ty) => $entry:path,)*) => {
        define_language! {
            /// Terms of the e-graph. Random and real terms share the function symbols: the
            /// analysis tells them apart.
            pub enum Node {
                $($head)*
                $($op = $variant($kids),)*
                $($tail)*
            }
        }

        /// Every function of the registry, in the order of the nodes.
        pub const FUNCTIONS: &[&functions::Function] = &[$(&$entry),*];

        impl Node {
            /// The registry entry of a function's node.
            pub fn function(&self) -> Option<&'static functions::Function> {
                match self {
                    $(Node::$variant(..) => Some(const { &$entry }),)*
                    _ => None,
                }
            }
        }
    };
}

for_each_function! { language {
        // probability operators
        "cdf" = Cdf([Id; 2]),
        "cdf<" = CdfLt([Id; 2]),
        // P(Y ≤ s) for s inside the support of Y, a strictly monotone map of a Normal
        // (see `Data::chain`); undefined elsewhere
        "cdf-in" = CdfIn([Id; 2]),
        // the density of such a Y at s inside its support: d/ds (cdf-in Y s)
        "pdf-in" = PdfIn([Id; 2]),
        "D" = D(Id),
        "Dc" = Dc(Id),
        // random variables
        "normal" = Normal([Id; 2]),
        "maxpool" = MaxPool([Id; 2]),
        "minpool" = MinPool([Id; 2]),
        // a piecewise map of the input: (ite x c E1 E2) is E1 where x >= c, else E2
        "ite" = Ite([Id; 4]),
        // the K-th smallest of N iid copies: (order E K N)
        "order" = Order([Id; 3]),
        // P(Binomial(N, u) >= K) = I_u(K, N - K + 1), the CDF of the K-th of N
        "ibeta" = OrderCdf([Id; 3]),
        "fact" = Factorial(Id),
        "conv" = Conv([Id; 2]),
        // weight vectors, as cons lists, and their sum and sum of squares
        "cons" = Cons([Id; 2]),
        "nil" = Nil,
        "wsum" = WSum(Id),
        "wsq" = WSq(Id),
        // arithmetic
        "+" = Add([Id; 2]),
        "-" = Sub([Id; 2]),
        "*" = Mul([Id; 2]),
        "/" = Div([Id; 2]),
        "^" = Pow([Id; 2]),
        "neg" = Neg(Id),
    } {
        // Iverson brackets [a ≥ b] and [a > b], and Dirac's delta
        ">=" = Ge([Id; 2]),
        ">" = Gt([Id; 2]),
        "delta" = Delta(Id),
        // the CDF's argument
        "t" = T,
        Num(Num),
        Symbol(egg::Symbol),
    }
}

pub type EGraph = egg::EGraph<Node, Facts>;
pub type Rewrite = egg::Rewrite<Node, Facts>;
pub type Runner = egg::Runner<Node, Facts>;
pub type Expr = RecExpr<Node>;

/// The set of signs a value can take: a subset of {negative, zero, positive}.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sign(pub u8);

impl Sign {
    pub const NEG: Sign = Sign(1);
    pub const ZERO: Sign = Sign(2);
    pub const POS: Sign = Sign(4);
    pub const NONNEG: Sign = Sign(6);
    pub const NONPOS: Sign = Sign(3);
    pub const ANY: Sign = Sign(7);

    pub fn within(self, other: Sign) -> bool {
        self.0 & !other.0 == 0 && self.0 != 0
    }
    pub fn union(self, o: Sign) -> Sign {
        Sign(self.0 | o.0)
    }
    fn each(self) -> impl Iterator<Item = Sign> {
        [Sign::NEG, Sign::ZERO, Sign::POS]
            .into_iter()
            .filter(move |s| s.0 & self.0 != 0)
    }
    fn lift(self, o: Sign, f: impl Fn(Sign, Sign) -> Sign) -> Sign {
        let mut out = Sign(0);
        for a in self.each() {
            for b in o.each() {
                out = out.union(f(a, b));
            }
        }
        out
    }
    pub fn plus(self, o: Sign) -> Sign {
        self.lift(o, |a, b| match (a, b) {
            (Sign::ZERO, x) | (x, Sign::ZERO) => x,
            (x, y) if x == y => x,
            _ => Sign::ANY,
        })
    }
    pub fn times(self, o: Sign) -> Sign {
        self.lift(o, |a, b| match (a, b) {
            (Sign::ZERO, _) | (_, Sign::ZERO) => Sign::ZERO,
            (x, y) if x == y => Sign::POS,
            _ => Sign::NEG,
        })
    }
    pub fn negated(self) -> Sign {
        Sign((self.0 & 2) | ((self.0 & 1) << 2) | ((self.0 & 4) >> 2))
    }
    /// Signs of a / b, ignoring b = 0 (where the quotient is undefined).
    pub fn over(self, o: Sign) -> Sign {
        let o = Sign(o.0 & !2);
        if o.0 == 0 {
            return Sign::ANY;
        }
        self.times(o)
    }
}

/// A fact a rule needed about a class and could not prove.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Missing {
    pub class: Id,
    pub need: Need,
}

/// A sign a rule condition can need of a class (and a failed derivation can ask the
/// user to assume).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Need {
    Positive,
    Negative,
    NonNegative,
    NonPositive,
    NonZero,
}

impl Need {
    pub fn sign(self) -> Sign {
        match self {
            Need::Positive => Sign::POS,
            Need::Negative => Sign::NEG,
            Need::NonNegative => Sign::NONNEG,
            Need::NonPositive => Sign::NONPOS,
            Need::NonZero => Sign(5),
        }
    }
    /// The relation as a user would write it after `assume NAME`.
    pub fn relation(self) -> &'static str {
        match self {
            Need::Positive => "> 0",
            Need::Negative => "< 0",
            Need::NonNegative => ">= 0",
            Need::NonPositive => "<= 0",
            Need::NonZero => "!= 0",
        }
    }
}

/// A fact the program states about a parameter, kept for checking values later.
#[derive(Clone, Debug, PartialEq)]
pub struct Assumption {
    pub name: String,
    pub relation: crate::syntax::Relation,
    pub value: BigRational,
    pub span: crate::error::Span,
}

/// The analysis: per-class facts, plus the program's assumptions and a log of the
/// conditions that rules could not prove.
#[derive(Default, Clone)]
pub struct Facts {
    /// Signs of the parameters, from `assume` statements and implicit facts (STD > 0).
    pub assumptions: HashMap<egg::Symbol, Sign>,
    /// The values each parameter can take, from its sign and every `assume` about it.
    pub parameters: HashMap<egg::Symbol, Interval>,
    /// Conditions some rule needed and could not prove, for error messages.
    pub missing: BTreeSet<Missing>,
}

impl Facts {
    pub fn new(assumptions: HashMap<egg::Symbol, Sign>) -> Self {
        let parameters = assumptions
            .iter()
            .map(|(s, sign)| (*s, Interval::of_parameter([], *sign)))
            .collect();
        Facts {
            assumptions,
            parameters,
            missing: BTreeSet::new(),
        }
    }

    /// With the bounds that the program's `assume` statements give.
    pub fn with_assumptions(mut self, all: &[Assumption]) -> Self {
        for a in all {
            let s = egg::Symbol::from(&a.name);
            let sign = self.assumptions.get(&s).copied().unwrap_or(Sign::ANY);
            self.parameters
                .insert(s, Interval::of_assumptions(&a.name, all, sign));
        }
        self
    }

    /// The values a parameter can take.
    pub fn parameter(&self, s: egg::Symbol) -> Interval {
        self.parameters
            .get(&s)
            .cloned()
            .unwrap_or_else(Interval::real)
    }
}

/// What the analysis knows about one e-class.
#[derive(Clone, Debug)]
pub struct Data {
    /// The exact value, with the term it was folded from (for explanations).
    pub num: Option<(Num, PatternAst<Node>)>,
    /// The class stands for a random variable.
    pub random: bool,
    /// The class depends on the CDF's argument `t`.
    pub has_t: bool,
    /// The signs its values (for a random class: the values in its support) can take.
    pub sign: Sign,
    /// Provably a finite real number wherever it is defined.
    pub finite: bool,
    /// A random class that is a strictly monotone continuous map of one Normal, built
    /// one map at a time (tanh, sigmoid, exp, softplus, softsign, log of a positive
    /// term, odd powers, and affine steps with a coefficient of known sign): its law has
    /// no atoms, and its support is an open interval, the image of the real line.
    pub chain: bool,
    /// Defined for every t: no function of t outside its domain inside (artanh,
    /// logit, log, even roots and quotients whose argument may leave it). A bracket
    /// on a side that is not total is 0 where that side is undefined (the convention
    /// of the rules that solve brackets), so it may only be decided from the side's
    /// sign when the side is total.
    pub total: bool,
    /// For a constant with parameters: the values it can take under the assumptions.
    pub bounds: Option<Interval>,
    /// An Iverson bracket (or product of them): takes only the values 0 and 1.
    pub bracket: bool,
    /// A floating-point value, for constants without parameters (`tanh(3)`), so that
    /// brackets between such constants can be decided.
    pub approx: Option<f64>,
}

/// Exact folding of a node whose children are exact: rationals, ±∞, and the exact
/// values of functions (log(1) = 0, artanh(0) = 0, Φ(0) = 1/2, ...).
pub fn fold(node: &Node, x: impl Fn(Id) -> Option<Num>) -> Option<Num> {
    use Num::*;
    let r = |n: Num| n.rat().cloned();
    let int_of = |n: &Num| -> Option<i64> {
        let r = n.rat()?;
        if r.is_integer() {
            r.to_integer().to_i64()
        } else {
            None
        }
    };
    Some(match node {
        Node::Num(n) => n.clone(),
        Node::Add([a, b]) => match (x(*a)?, x(*b)?) {
            (Rat(a), Rat(b)) => Num::from(&*a + &*b),
            (PosInf, NegInf) | (NegInf, PosInf) => return None,
            (inf @ (PosInf | NegInf), _) | (_, inf @ (PosInf | NegInf)) => inf,
        },
        Node::Sub([a, b]) => {
            let b = match x(*b)? {
                Rat(b) => Num::from(-&*b),
                PosInf => NegInf,
                NegInf => PosInf,
            };
            match (x(*a)?, b) {
                (Rat(a), Rat(b)) => Num::from(&*a + &*b),
                (PosInf, NegInf) | (NegInf, PosInf) => return None,
                (inf @ (PosInf | NegInf), _) | (_, inf @ (PosInf | NegInf)) => inf,
            }
        }
        Node::Mul([a, b]) => {
            let (a, b) = (x(*a)?, x(*b)?);
            match (&a, &b) {
                (Rat(a), Rat(b)) => Num::from(a.as_ref() * b.as_ref()),
                _ if a.is_zero() || b.is_zero() => return None,
                _ => {
                    if a.sign().times(b.sign()) == Sign::POS {
                        PosInf
                    } else {
                        NegInf
                    }
                }
            }
        }
        Node::Div([a, b]) => {
            let (a, b) = (x(*a)?, x(*b)?);
            match (&a, &b) {
                (_, b) if b.is_zero() => return None,
                (Rat(a), Rat(b)) => Num::from(a.as_ref() / b.as_ref()),
                (Rat(_), _) => Num::int(0),
                (_, Rat(b)) => {
                    if a.sign().times(Rat(b.clone()).sign()) == Sign::POS {
                        PosInf
                    } else {
                        NegInf
                    }
                }
                _ => return None,
            }
        }
        Node::Neg(a) => match x(*a)? {
            Rat(a) => Num::from(-&*a),
            PosInf => NegInf,
            NegInf => PosInf,
        },
        Node::Abs(a) => match x(*a)? {
            Rat(a) => Num::from(a.abs()),
            _ => PosInf,
        },
        Node::Pow([a, b]) => {
            let (base, e) = (r(x(*a)?)?, int_of(&x(*b)?)?);
            // keep folded constants small: beyond this they stay symbolic
            if e.abs() > 64 || base.numer().bits() + base.denom().bits() > 256 {
                return None;
            }
            if e < 0 && base.is_zero() {
                return None;
            }
            Num::from(num_traits::pow::Pow::pow(&base, e as i32))
        }
        Node::Sqrt(a) => {
            let v = r(x(*a)?)?;
            if v.is_negative() {
                return None;
            }
            let (p, q) = (v.numer().sqrt(), v.denom().sqrt());
            if &(&p * &p) == v.numer() && &(&q * &q) == v.denom() {
                Num::from(BigRational::new(p, q))
            } else {
                return None;
            }
        }
        Node::Relu(a) => match x(*a)? {
            n if n.sign().within(Sign::NONPOS) => Num::int(0),
            n => n,
        },
        Node::LeakyRelu([a, s]) => {
            x(*s)?;
            let v = x(*a)?;
            if v.sign().within(Sign::NONNEG) {
                v
            } else {
                return fold(&Node::Mul([*s, *a]), x);
            }
        }
        Node::Root([a, n]) => {
            let (v, k) = (x(*a)?, int_of(&x(*n)?)?);
            match v {
                PosInf => PosInf,
                NegInf if k % 2 != 0 => NegInf,
                Rat(r) if (1..=64).contains(&k) => {
                    // exact only for perfect powers
                    let neg = r.is_negative();
                    if neg && k % 2 == 0 {
                        return None;
                    }
                    let m = r.abs();
                    let (p, q) = (m.numer().nth_root(k as u32), m.denom().nth_root(k as u32));
                    if num_traits::pow(p.clone(), k as usize) == *m.numer()
                        && num_traits::pow(q.clone(), k as usize) == *m.denom()
                    {
                        let root = BigRational::new(p, q);
                        Num::from(if neg { -root } else { root })
                    } else {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        Node::Max([a, b]) => std::cmp::max(x(*a)?, x(*b)?),
        Node::Min([a, b]) => std::cmp::min(x(*a)?, x(*b)?),
        Node::Clamp([a, lo, hi]) => std::cmp::min(std::cmp::max(x(*a)?, x(*lo)?), x(*hi)?),
        Node::Factorial(a) => {
            let k = int_of(&x(*a)?)?;
            if !(0..=20).contains(&k) {
                return None;
            }
            Num::int((1..=k).product())
        }
        Node::Ge([a, b]) => Num::int((x(*a)? >= x(*b)?) as i64),
        Node::Gt([a, b]) => Num::int((x(*a)? > x(*b)?) as i64),
        n => match (n.function(), n.children()) {
            // a function's exact values at the points its entry lists
            (Some(f), [a]) => {
                let v = x(*a)?;
                return functions::exact(f, &v);
            }
            _ => return None,
        },
    })
}

/// The floating-point value of a node whose children all have one; `None` for anything
/// with t, a parameter or a random variable in it, and for NaN.
fn approximate(node: &Node, x: impl Fn(Id) -> Option<f64>) -> Option<f64> {
    use crate::lang::special;
    let v = match node {
        Node::Add([a, b]) => x(*a)? + x(*b)?,
        Node::Sub([a, b]) => x(*a)? - x(*b)?,
        Node::Mul([a, b]) => x(*a)? * x(*b)?,
        Node::Div([a, b]) => x(*a)? / x(*b)?,
        Node::Pow([a, b]) => x(*a)?.powf(x(*b)?),
        Node::Neg(a) => -x(*a)?,
        Node::Abs(a) => x(*a)?.abs(),
        Node::OrderCdf([k, n, u]) => special::order_cdf(x(*k)?, x(*n)?, x(*u)?),
        Node::Factorial(a) => special::factorial(x(*a)?),
        n => {
            let f = n.function()?;
            let mut args = [0.0; 3];
            for (v, c) in args.iter_mut().zip(n.children()) {
                *v = x(*c)?;
            }
            (f.value)(&args[..n.children().len()])
        }
    };
    (!v.is_nan()).then_some(v)
}

/// The floating-point value of a constant term (no t, no parameter, no random
/// variable), as the analysis approximates constants; `None` otherwise.
pub fn value(e: &Expr) -> Option<f64> {
    let mut vals: Vec<Option<f64>> = Vec::with_capacity(e.as_ref().len());
    for node in e.as_ref() {
        let v = match node {
            Node::Num(n) => Some(n.to_f64()),
            _ => approximate(node, |i| vals[usize::from(i)]),
        };
        vals.push(v);
    }
    vals.last().copied().flatten()
}

/// Whether `a > b` is certain from floating-point values: they differ by far more than
/// the rounding error of evaluating a small constant expression (1e-9 relative).
pub fn surely_greater(a: f64, b: f64) -> bool {
    a - b > 1e-9 * a.abs().max(b.abs()).max(1e-300)
}

impl Analysis<Node> for Facts {
    type Data = Data;

    fn make(egraph: &mut EGraph, enode: &Node, _id: Id) -> Data {
        let d = |i: &Id| &egraph[*i].data;
        // fold only when every child is a constant: the explanation names the folded
        // term by its children's values, and a class without a leaf would be emptied
        let all_constant = enode
            .children()
            .iter()
            .all(|c| egraph[*c].data.num.is_some());
        let num = if all_constant {
            fold(enode, |i| egraph[i].data.num.as_ref().map(|n| n.0.clone()))
        } else {
            None
        };
        let num = num.map(|n| {
            // the folded term, as a pattern whose leaves are the children's constants
            let mut pat: PatternAst<Node> = RecExpr::default();
            let node = enode.clone().map_children(|c| {
                let cn = egraph[c].data.num.as_ref().map(|n| n.0.clone());
                pat.add(ENodeOrVar::ENode(Node::Num(cn.unwrap_or(Num::int(0)))))
            });
            pat.add(ENodeOrVar::ENode(node));
            (n, pat)
        });
        let random = match enode {
            Node::Normal(_) => true,
            Node::Cdf(_) | Node::CdfLt(_) | Node::CdfIn(_) | Node::PdfIn(_) => false,
            _ => enode.children().iter().any(|c| d(c).random),
        };
        let chain = chain(enode, |i| d(&i));
        let has_t = match enode {
            Node::T => true,
            _ => enode.children().iter().any(|c| d(c).has_t),
        };
        let all_finite = enode.children().iter().all(|c| d(c).finite);
        let all_total = enode.children().iter().all(|c| d(c).total);
        // the class's value as a whole number, when it is one
        let integer = |i: &Id| d(i).num.as_ref().and_then(|(k, _)| k.integer());
        let total = !has_t
            || all_total
                && match enode {
                    // defined inside a support only
                    Node::CdfIn(_) | Node::PdfIn(_) => false,
                    Node::Root([a, n]) => {
                        d(a).sign.within(Sign::NONNEG) || integer(n).is_some_and(|k| k % 2 != 0)
                    }
                    Node::Div([_, b]) => d(b).sign.0 & 2 == 0,
                    Node::Pow([a, n]) => {
                        d(a).sign.within(Sign::POS) || integer(n).is_some_and(|k| k >= 0)
                    }
                    n => match (n.function().map(|f| f.domain), n.children()) {
                        (Some(Domain::Inside(..)), _) => false,
                        (Some(Domain::Positive), [a]) => d(a).sign.within(Sign::POS),
                        (Some(Domain::NonNegative), [a]) => d(a).sign.within(Sign::NONNEG),
                        _ => true,
                    },
                };
        let s = |i: &Id| d(i).sign;
        let sign = if let Some((n, _)) = &num {
            n.sign()
        } else {
            match enode {
                Node::Num(n) => n.sign(),
                Node::Symbol(sym) => egraph
                    .analysis
                    .assumptions
                    .get(sym)
                    .copied()
                    .unwrap_or(Sign::ANY),
                Node::Add([a, b]) => s(a).plus(s(b)),
                Node::Sub([a, b]) => s(a).plus(s(b).negated()),
                Node::Mul([a, b]) => s(a).times(s(b)),
                Node::Div([a, b]) => s(a).over(s(b)),
                Node::Neg(a) => s(a).negated(),
                Node::Abs(a) => {
                    if s(a).0 & 2 == 0 {
                        Sign::POS
                    } else {
                        Sign::NONNEG
                    }
                }
                Node::Pow([a, _]) if s(a) == Sign::POS => Sign::POS,
                Node::Pow([a, _]) if s(a).within(Sign::NONNEG) => Sign::NONNEG,
                Node::Relu(a) => Sign(2 | (s(a).0 & 4)),
                Node::LeakyRelu([a, al]) if s(al) == Sign::POS => s(a),
                Node::MaxPool([a, _]) | Node::MinPool([a, _]) | Node::Order([a, _, _]) => s(a),
                Node::Factorial(_) => Sign::POS,
                Node::Ite([_, _, a, b]) => s(a).union(s(b)),
                Node::OrderCdf(_) => Sign::NONNEG,
                // an even root is defined for a >= 0 only, where it is >= 0
                Node::Root([a, n])
                    if d(n).num.as_ref().is_some_and(|(k, _)| {
                        k.rat()
                            .is_some_and(|r| r.is_integer() && r.to_integer() % 2 == 0.into())
                    }) =>
                {
                    if s(a) == Sign::POS {
                        Sign::POS
                    } else {
                        Sign::NONNEG
                    }
                }
                Node::Root([a, _]) => s(a),
                Node::Elu([a, al]) if s(al) == Sign::POS => s(a),
                Node::Max([a, c]) => {
                    // max(a, c) is positive if either is, non-negative if either is
                    if s(a) == Sign::POS || s(c) == Sign::POS {
                        Sign::POS
                    } else if s(a).within(Sign::NONNEG) || s(c).within(Sign::NONNEG) {
                        Sign::NONNEG
                    } else {
                        s(a).union(s(c))
                    }
                }
                Node::Min([a, c]) => {
                    if s(a) == Sign::NEG || s(c) == Sign::NEG {
                        Sign::NEG
                    } else {
                        s(a).union(s(c))
                    }
                }
                Node::Clamp([_, lo, hi]) => {
                    if s(lo) == Sign::POS {
                        Sign::POS
                    } else if s(lo).within(Sign::NONNEG) {
                        Sign::NONNEG
                    } else if s(hi) == Sign::NEG {
                        Sign::NEG
                    } else {
                        Sign::ANY
                    }
                }
                Node::Cdf(_)
                | Node::CdfLt(_)
                | Node::CdfIn(_)
                | Node::PdfIn(_)
                | Node::Ge(_)
                | Node::Gt(_)
                | Node::Delta(_) => Sign::NONNEG,
                Node::WSq(_) => Sign::NONNEG,
                n => match (n.function().map(|f| f.signs), n.children()) {
                    (Some(Signs::Same), [a, ..]) => s(a),
                    (Some(Signs::Positive), _) => Sign::POS,
                    (Some(Signs::Negative), _) => Sign::NEG,
                    (Some(Signs::Root), [a, ..]) if s(a) == Sign::POS => Sign::POS,
                    (Some(Signs::Root), _) => Sign::NONNEG,
                    _ => Sign::ANY,
                },
            }
        };
        let approx = match &num {
            Some((n, _)) => Some(n.to_f64()),
            None => approximate(enode, |i| d(&i).approx),
        };
        let bounds = if random || has_t {
            None
        } else {
            crate::lang::bounds::node_bounds(enode, &|i| d(&i).bounds.clone(), &|s| {
                egraph.analysis.parameter(s)
            })
        };
        // a constant's sign from its value when that is clearly not 0, or from the
        // bounds its parameters' assumptions give
        let sign = if random || has_t {
            sign
        } else {
            let known = match (approx, &bounds) {
                (Some(v), _) if v.is_finite() && v.abs() > 1e-9 => {
                    if v > 0.0 {
                        Sign::POS
                    } else {
                        Sign::NEG
                    }
                }
                (None, Some(b)) => {
                    let zero = Interval::point(&BigRational::zero());
                    if zero.below(b) {
                        Sign::POS
                    } else if b.below(&zero) {
                        Sign::NEG
                    } else {
                        Sign::ANY
                    }
                }
                _ => Sign::ANY,
            };
            let both = Sign(sign.0 & known.0);
            if both.0 == 0 {
                sign
            } else {
                both
            }
        };
        let finite = match enode {
            // a constant with a finite value, such as artanh(1/2)
            _ if approx.is_some_and(f64::is_finite) => true,
            Node::Num(n) => n.rat().is_some(),
            Node::Symbol(_) | Node::T => true,
            Node::Add(_) | Node::Sub(_) | Node::Mul(_) | Node::Neg(_) | Node::Abs(_) => all_finite,
            Node::Div([_, b]) => all_finite && d(b).sign.0 & 2 == 0,
            Node::Relu(_) | Node::LeakyRelu(_) => all_finite,
            Node::Elu(_) | Node::Max(_) | Node::Min(_) | Node::Clamp(_) => all_finite,
            Node::Ge(_) | Node::Gt(_) => true,
            Node::Pow([a, _]) => all_finite && d(a).sign == Sign::POS,
            Node::Cons(_) | Node::Nil | Node::WSum(_) | Node::WSq(_) => all_finite,
            n => match (n.function().map(|f| f.finite), n.children()) {
                (Some(Finite::Always), _) => true,
                (Some(Finite::WithArgs), _) => all_finite,
                (Some(Finite::PositiveArg), [a]) => all_finite && d(a).sign == Sign::POS,
                _ => false,
            },
        };
        let bracket = match enode {
            Node::Ge(_) | Node::Gt(_) => true,
            Node::Mul([a, b]) => d(a).bracket && d(b).bracket,
            _ => false,
        };
        Data {
            bounds,
            num,
            random,
            chain,
            has_t,
            sign,
            finite,
            total,
            bracket,
            approx,
        }
    }

    fn merge(&mut self, to: &mut Data, from: Data) -> DidMerge {
        let mut to_changed = false;
        let mut from_changed = false;
        match (&to.num, &from.num) {
            (None, Some(_)) => {
                to.num = from.num.clone();
                to_changed = true;
            }
            (Some(_), None) => from_changed = true,
            _ => {}
        }
        let mut merge_bool = |a: &mut bool, b: bool, keep_true: bool| {
            let m = if keep_true { *a || b } else { *a && b };
            to_changed |= m != *a;
            from_changed |= m != b;
            *a = m;
        };
        // a random term proved equal to a constant (relu of a non-positive term is 0)
        // is that constant almost surely: the class is not random, and the constant
        // stays usable wherever else it occurs
        merge_bool(&mut to.random, from.random, false);
        merge_bool(&mut to.has_t, from.has_t, false);
        merge_bool(&mut to.finite, from.finite, true);
        // one random variable, so one law: a chain in any of its forms is a chain
        merge_bool(&mut to.chain, from.chain, true);
        merge_bool(&mut to.total, from.total, false);
        merge_bool(&mut to.bracket, from.bracket, true);
        if to.bounds.is_none() && from.bounds.is_some() {
            to.bounds = from.bounds.clone();
            to_changed = true;
        } else if to.bounds.is_some() && from.bounds.is_none() {
            from_changed = true;
        }
        if to.approx.is_none() && from.approx.is_some() {
            to.approx = from.approx;
            to_changed = true;
        } else if to.approx.is_some() && from.approx.is_none() {
            from_changed = true;
        }
        let sign = Sign(to.sign.0 & from.sign.0);
        // an empty intersection would be a contradiction among proved facts; keep both
        // sides' knowledge rather than invent one
        if sign.0 != 0 {
            to_changed |= sign != to.sign;
            from_changed |= sign != from.sign;
            to.sign = sign;
        }
        DidMerge(to_changed, from_changed)
    }

    fn modify(egraph: &mut EGraph, id: Id) {
        if let Some((n, pat)) = egraph[id].data.num.clone() {
            let mut to: PatternAst<Node> = RecExpr::default();
            to.add(ENodeOrVar::ENode(Node::Num(n)));
            // a leaf constant is already its own value
            if pat.len() > 1 {
                egraph.union_instantiations(&pat, &to, &Default::default(), "const-fold");
            }
            // keep only the constant, if the class has it (it always should)
            let id = egraph.find(id);
            if egraph[id].nodes.iter().any(|n| n.is_leaf()) {
                egraph[id].nodes.retain(|n| n.is_leaf());
            }
        }
    }
}

/// The maps of a chain besides its affine steps (`chain` below says on what arguments).
pub fn is_chain_map(node: &Node) -> bool {
    matches!(node, Node::Pow(_))
        || node
            .function()
            .and_then(|f| f.map)
            .is_some_and(|m| m.chains())
}

/// Whether a node is a link of a chain (see [`Data::chain`]), given its children's facts.
fn chain<'a>(enode: &Node, d: impl Fn(Id) -> &'a Data) -> bool {
    // a coefficient: not random, free of t, of one known sign
    let coefficient = |c: Id| {
        let c = d(c);
        !c.random && !c.has_t && (c.sign == Sign::POS || c.sign == Sign::NEG)
    };
    let constant = |c: Id| !d(c).random && !d(c).has_t;
    match enode {
        Node::Normal(_) => true,
        Node::Neg(a) => d(*a).chain,
        Node::Add([a, b]) => d(*a).chain && constant(*b) || constant(*a) && d(*b).chain,
        Node::Sub([a, b]) => d(*a).chain && constant(*b) || constant(*a) && d(*b).chain,
        Node::Mul([a, b]) => d(*a).chain && coefficient(*b) || coefficient(*a) && d(*b).chain,
        Node::Div([a, b]) => d(*a).chain && coefficient(*b),
        Node::Pow([a, n]) => {
            d(*a).chain
                && d(*n)
                    .num
                    .as_ref()
                    .and_then(|(k, _)| k.integer())
                    .is_some_and(|k| k >= 1 && k % 2 == 1)
        }
        n => match (n.function().and_then(|f| f.map), n.children()) {
            (Some(m), [a]) if m.chains() => {
                d(*a).chain && m.domain.is_none_or(|f| d(*a).sign.within(f.sign()))
            }
            _ => false,
        },
    }
}

/// The subterm rooted at `id` as its own expression.
pub fn subterm(expr: &Expr, id: Id) -> Expr {
    let mut out = Expr::default();
    let mut map: HashMap<Id, Id> = HashMap::new();
    fn go(expr: &Expr, id: Id, out: &mut Expr, map: &mut HashMap<Id, Id>) -> Id {
        if let Some(&m) = map.get(&id) {
            return m;
        }
        let node = expr[id].clone().map_children(|c| go(expr, c, out, map));
        let new = out.add(node);
        map.insert(id, new);
        new
    }
    go(expr, id, &mut out, &mut map);
    out
}

/// A term of the registry's (an inverse, a shorthand: an s-expression in one variable)
/// with `x` for its variable, its nodes built by `add` (which may fold or share them).
/// The registry's terms are this crate's own, and a test parses every one.
pub fn instantiate(term: &str, x: Id, mut add: impl FnMut(Node) -> Id) -> Option<Id> {
    let pattern: egg::Pattern<Node> = term.parse().ok()?;
    let mut ids: Vec<Id> = Vec::with_capacity(pattern.ast.as_ref().len());
    for n in pattern.ast.as_ref() {
        let id = match n {
            ENodeOrVar::Var(_) => x,
            ENodeOrVar::ENode(n) => add(n.clone().map_children(|c| ids[usize::from(c)])),
        };
        ids.push(id);
    }
    ids.last().copied()
}

/// Parse an s-expression of the language; for rule right-hand sides and tests.
pub fn expr(s: &str) -> Result<Expr, String> {
    s.parse::<Expr>().map_err(|e| e.to_string())
}

/// A hash of each node's subtree in `e`, independent of how the nodes are laid out: the
/// same term hashes the same wherever it occurs.
pub fn structural_hashes(e: &Expr) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    let mut hashes: Vec<u64> = Vec::with_capacity(e.as_ref().len());
    for node in e.as_ref() {
        let mut h = rustc_hash::FxHasher::default();
        std::mem::discriminant(node).hash(&mut h);
        match node {
            Node::Num(n) => n.hash(&mut h),
            Node::Symbol(s) => s.hash(&mut h),
            _ => {}
        }
        for c in node.children() {
            hashes[usize::from(*c)].hash(&mut h);
        }
        hashes.push(h.finish());
    }
    hashes
}

/// The [`structural_hashes`] of a term's root.
pub fn structural_hash(e: &Expr) -> u64 {
    structural_hashes(e).last().copied().unwrap_or(0)
}

/// The most nodes for which `counts` holds on one path from the root of `e` to a leaf
/// (how deep maps, or inverse maps, nest).
pub fn nesting(e: &Expr, counts: impl Fn(&Node) -> bool) -> usize {
    let mut depth: Vec<usize> = Vec::with_capacity(e.as_ref().len());
    for node in e.as_ref() {
        let below = node
            .children()
            .iter()
            .map(|c| depth[usize::from(*c)])
            .max()
            .unwrap_or(0);
        depth.push(below + usize::from(counts(node)));
    }
    depth.last().copied().unwrap_or(0)
}
