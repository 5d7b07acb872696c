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

mod analysis;
pub mod bounds;
mod fold;
#[macro_use]
pub mod functions;
pub mod calculus;
pub mod implicit;
pub mod interval;
pub mod print;
pub mod simd;
pub mod special;
pub mod turns;

pub use analysis::{is_chain_map, surely_greater, Assumption, Data, Facts, Missing, Need};
pub use fold::{fold, value};

use egg::{define_language, ENodeOrVar, Id, Language, RecExpr};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use std::collections::HashMap;
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
    pub fn is_zero(&self) -> bool {
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
        // the other laws an input may have, and an input of a program with several,
        // (var NAME LAW): NAME a symbol, one random variable wherever it is written
        "bernoulli" = Bernoulli(Id),
        "uniform" = Uniform([Id; 2]),
        "var" = Var([Id; 2]),
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
        // a random variable with a numeric law, (law K A L): the K-th weighted sum of iid
        // copies (lang::implicit::Convolution) standing inside a larger term, with its
        // atoms A as a list of (cons at mass) pairs and the lower end L of its support
        // (nil where it is −∞)
        "law" = Law([Id; 3]),
        // the steps a list of atoms adds to a CDF at u: Σ m [u ≥ a], and Σ m [u > a]
        "jumps" = Jumps([Id; 2]),
        "jumps<" = JumpsLt([Id; 2]),
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
        // the index of a definition in lang::implicit, a leaf of its own so that no
        // rule can make it equal to anything
        Ref(implicit::Ref),
        Symbol(egg::Symbol),
        // a named number of a derivation, its index in the derivation's table: a point
        // where the input's map turns or kinks, known by an equation and an enclosure
        "point" = Point(Id),
        // (inverse K u): the inverse of the K-th monotone piece of the input's map at u,
        // clamped to the piece (see `derive::pieces`); (inverse-d K u) its derivative in u
        "inverse" = Inverse([Id; 2]),
        "inverse-d" = InverseD([Id; 2]),
        // (conv-cdf K u), (conv-pdf K u): the CDF and density at u of the K-th weighted
        // sum of iid copies of a law (lang::implicit::Convolution), computed numerically
        "conv-cdf" = ConvCdf([Id; 2]),
        "conv-pdf" = ConvPdf([Id; 2]),
        // (law-cdf K L u): the continuous part of that CDF, P(S ≤ u) less the atoms at
        // or below u, whose derivative is (conv-pdf K u); 0 at the support's lower end L
        "law-cdf" = LawCdf([Id; 3]),
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

/// `other` appended to `expr`, its ids shifted: the id of its root in `expr`.
pub fn append(expr: &mut Expr, other: &Expr) -> Id {
    let offset = expr.as_ref().len();
    for node in other.as_ref() {
        let n = node
            .clone()
            .map_children(|c| Id::from(usize::from(c) + offset));
        expr.add(n);
    }
    Id::from(expr.as_ref().len() - 1)
}

/// Whether the subterm at `id` has a Dirac delta in it.
pub fn contains_delta(e: &Expr, id: Id) -> bool {
    matches!(e[id], Node::Delta(_)) || e[id].children().iter().any(|c| contains_delta(e, *c))
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
