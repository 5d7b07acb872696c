//! The analysis of the e-graph: what each class is known to be (its exact value,
//! whether it is random or depends on t, its signs, finiteness and bounds, whether it is
//! a chain), from the program's assumptions and the registry's facts about functions;
//! rule conditions ask it, and it records what they could not prove so that a failed
//! derivation can name the missing assumption.

use super::bounds::Interval;
use super::fold::{approximate, fold};
use super::functions::{Domain, Finite, Signs};
use super::{EGraph, Node, Num, Sign};
use egg::{Analysis, DidMerge, ENodeOrVar, Id, Language, PatternAst, RecExpr};
use num_rational::BigRational;
use num_traits::Zero;
use std::collections::{BTreeSet, HashMap};

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

/// Whether `a > b` is certain from floating-point values: they differ by far more than
/// the rounding error of evaluating a small constant expression (1e-9 relative).
pub fn surely_greater(a: f64, b: f64) -> bool {
    a - b > 1e-9 * a.abs().max(b.abs()).max(1e-300)
}

impl Analysis<Node> for Facts {
    type Data = Data;

    fn make(egraph: &mut EGraph, enode: &Node, _id: Id) -> Data {
        let d = |i: &Id| &egraph[*i].data;
        let num = folded(egraph, enode);
        let random = match enode {
            Node::Normal(_) | Node::Law(_) => true,
            Node::Cdf(_) | Node::CdfLt(_) | Node::CdfIn(_) | Node::PdfIn(_) => false,
            _ => enode.children().iter().any(|c| d(c).random),
        };
        let chain = chain(enode, |i| d(&i));
        let has_t = match enode {
            Node::T => true,
            _ => enode.children().iter().any(|c| d(c).has_t),
        };
        let all_total = enode.children().iter().all(|c| d(c).total);
        let total = !has_t || all_total && total(egraph, enode);
        let sign = match &num {
            Some((n, _)) => n.sign(),
            None => node_sign(egraph, enode),
        };
        let approx = match &num {
            Some((n, _)) => Some(n.to_f64()),
            None => approximate(enode, |i| d(&i).approx),
        };
        let bounds = if random || has_t {
            None
        } else {
            super::bounds::node_bounds(enode, &|i| d(&i).bounds.clone(), &|s| {
                egraph.analysis.parameter(s)
            })
        };
        // a constant's sign from its value when that is clearly not 0, or from the
        // bounds its parameters' assumptions give
        let sign = if random || has_t {
            sign
        } else {
            let known = constant_sign(approx, bounds.as_ref());
            let both = Sign(sign.0 & known.0);
            if both.0 == 0 {
                sign
            } else {
                both
            }
        };
        let finite = finite(egraph, enode, approx);
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

/// The exact value of a node whose children are all constants, with the folded term
/// as a pattern whose leaves are the children's constants (for explanations). Only
/// then: the explanation names the folded term by its children's values, and a class
/// without a leaf would be emptied.
fn folded(egraph: &EGraph, enode: &Node) -> Option<(Num, PatternAst<Node>)> {
    let num = |c: Id| egraph[c].data.num.as_ref().map(|n| n.0.clone());
    if !enode.children().iter().all(|c| num(*c).is_some()) {
        return None;
    }
    let n = fold(enode, num)?;
    let mut pat: PatternAst<Node> = RecExpr::default();
    let node = enode
        .clone()
        .map_children(|c| pat.add(ENodeOrVar::ENode(Node::Num(num(c).unwrap_or(Num::int(0))))));
    pat.add(ENodeOrVar::ENode(node));
    Some((n, pat))
}

/// Whether a node whose children are defined for every t is too (see [`Data::total`]).
fn total(egraph: &EGraph, enode: &Node) -> bool {
    let d = |i: &Id| &egraph[*i].data;
    // the class's value as a whole number, when it is one
    let integer = |i: &Id| d(i).num.as_ref().and_then(|(k, _)| k.integer());
    match enode {
        // defined inside a support only
        Node::CdfIn(_) | Node::PdfIn(_) => false,
        Node::Root([a, n]) => {
            d(a).sign.within(Sign::NONNEG) || integer(n).is_some_and(|k| k % 2 != 0)
        }
        Node::Div([_, b]) => d(b).sign.0 & 2 == 0,
        Node::Pow([a, n]) => d(a).sign.within(Sign::POS) || integer(n).is_some_and(|k| k >= 0),
        n => match (n.function().map(|f| f.domain), n.children()) {
            (Some(Domain::Inside(..)), _) => false,
            (Some(Domain::Positive), [a]) => d(a).sign.within(Sign::POS),
            (Some(Domain::NonNegative), [a]) => d(a).sign.within(Sign::NONNEG),
            _ => true,
        },
    }
}

/// The signs a node's values can take, from its children's.
fn node_sign(egraph: &EGraph, enode: &Node) -> Sign {
    let d = |i: &Id| &egraph[*i].data;
    let s = |i: &Id| d(i).sign;
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
        // a clamped inverse lies between its piece's ends; its derivative has the
        // piece's direction
        Node::Inverse([k, _]) | Node::InverseD([k, _]) => {
            let inv = d(k)
                .approx
                .and_then(|k| crate::lang::implicit::get_inverse(k as usize));
            match (enode, inv) {
                (Node::InverseD(_), Some(i)) if i.increasing => Sign::NONNEG,
                (Node::InverseD(_), Some(_)) => Sign::NONPOS,
                (_, Some(i)) if i.lo.value > 0.0 => Sign::POS,
                (_, Some(i)) if i.lo.value >= 0.0 => Sign::NONNEG,
                (_, Some(i)) if i.hi.value < 0.0 => Sign::NEG,
                (_, Some(i)) if i.hi.value <= 0.0 => Sign::NONPOS,
                _ => Sign::ANY,
            }
        }
        n => match (n.function().map(|f| f.signs), n.children()) {
            (Some(Signs::Same), [a, ..]) => s(a),
            (Some(Signs::Positive), _) => Sign::POS,
            (Some(Signs::Negative), _) => Sign::NEG,
            (Some(Signs::Root), [a, ..]) if s(a) == Sign::POS => Sign::POS,
            (Some(Signs::Root), _) => Sign::NONNEG,
            _ => Sign::ANY,
        },
    }
}

/// The sign of a constant from its value when that is clearly not 0, or from the bounds
/// its parameters' assumptions give.
fn constant_sign(approx: Option<f64>, bounds: Option<&Interval>) -> Sign {
    match (approx, bounds) {
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
    }
}

/// Whether a node is provably a finite real number wherever it is defined.
fn finite(egraph: &EGraph, enode: &Node, approx: Option<f64>) -> bool {
    let d = |i: &Id| &egraph[*i].data;
    let all_finite = enode.children().iter().all(|c| d(c).finite);
    match enode {
        // a constant with a finite value, such as artanh(1/2)
        _ if approx.is_some_and(f64::is_finite) => true,
        Node::Num(n) => n.rat().is_some(),
        Node::Symbol(_) | Node::T => true,
        Node::Add(_) | Node::Sub(_) | Node::Mul(_) | Node::Neg(_) => all_finite,
        Node::Div([_, b]) => all_finite && d(b).sign.0 & 2 == 0,
        Node::Ge(_) | Node::Gt(_) => true,
        Node::Pow([a, _]) => all_finite && d(a).sign == Sign::POS,
        Node::Cons(_) | Node::Nil | Node::WSum(_) | Node::WSq(_) => all_finite,
        Node::Inverse([k, _]) => d(k)
            .approx
            .and_then(|k| crate::lang::implicit::get_inverse(k as usize))
            .is_some_and(|i| i.lo.value.is_finite() && i.hi.value.is_finite()),
        n => match (n.function().map(|f| f.finite), n.children()) {
            (Some(Finite::Always), _) => true,
            (Some(Finite::WithArgs), _) => all_finite,
            (Some(Finite::PositiveArg), [a]) => all_finite && d(a).sign == Sign::POS,
            _ => false,
        },
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
