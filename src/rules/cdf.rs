//! CDF rules: the Normal's CDF, change of variables through monotone maps (composed
//! any number of times, since each rule peels one map), affine maps of either sign,
//! maps with a flat piece (relu), piecewise-linear maps (leaky relu) and the order
//! statistic of iid copies (maxpool).
//!
//! Every rule exists for `cdf` (P(Y ≤ t)) and `cdf<` (P(Y < t)): a decreasing map
//! turns one into the other, and they differ exactly at atoms.

use super::{rule, Family::Cdf as C, Family::Diff as D, Rule, When, When::*};
use crate::lang::Fact::{self, *};

/// A monotone increasing map g: its inverse (as a pattern in `?t`), the ends of its
/// range, and what its argument must satisfy.
pub struct Map {
    pub op: &'static str,
    pub inverse: &'static str,
    /// Lower end of the range, and whether it is attained (then it can carry an atom).
    pub lo: Option<(&'static str, bool)>,
    pub hi: Option<&'static str>,
    pub domain: Option<Fact>,
    pub words: &'static str,
    /// The density of g(E) at t from that of E (`INNER`, at the inverse): the change
    /// of variables f_E(g⁻¹(t))·(g⁻¹)′(t), in the form the chain rule gives it.
    pub density: &'static str,
    pub density_words: &'static str,
}

#[rustfmt::skip]
pub const MAPS: &[Map] = &[
    Map { op: "tanh",     inverse: "(atanh ?t)",              lo: Some(("-1", false)), hi: Some("1"), domain: None, words: "tanh is increasing onto (-1, 1)", density: "(/ INNER (- 1 (^ ?t 2)))", density_words: "f_E(artanh(t))/(1 - t^2)" },
    Map { op: "sigmoid",  inverse: "(logit ?t)",              lo: Some(("0", false)),  hi: Some("1"), domain: None, words: "sigmoid is increasing onto (0, 1)", density: "(/ INNER (* ?t (- 1 ?t)))", density_words: "f_E(logit(t))/(t(1 - t))" },
    Map { op: "exp",      inverse: "(log ?t)",                lo: Some(("0", false)),  hi: None,      domain: None, words: "exp is increasing onto (0, inf)", density: "(/ INNER ?t)", density_words: "f_E(log(t))/t" },
    Map { op: "softplus", inverse: "(log (- (exp ?t) 1))",    lo: Some(("0", false)),  hi: None,      domain: None, words: "softplus is increasing onto (0, inf)", density: "(/ INNER (- 1 (exp (neg ?t))))", density_words: "f_E(log(e^t - 1))/(1 - e^(-t))" },
    Map { op: "log",      inverse: "(exp ?t)",                lo: None,                hi: None,      domain: Some(Positive), words: "log is increasing on (0, inf), and its argument is positive almost surely", density: "(* INNER (exp ?t))", density_words: "f_E(e^t) e^t" },
    Map { op: "softsign", inverse: "(softsign-inv ?t)",       lo: Some(("-1", false)), hi: Some("1"), domain: None, words: "softsign is increasing onto (-1, 1)", density: "(/ INNER (^ (- 1 (abs ?t)) 2))", density_words: "f_E(t/(1 - |t|))/(1 - |t|)^2" },
    Map { op: "sqrt",     inverse: "(^ ?t 2)",                lo: Some(("0", true)),   hi: None,      domain: Some(NonNegative), words: "sqrt is increasing on [0, inf), and its argument is non-negative almost surely", density: "(* INNER (* 2 ?t))", density_words: "f_E(t^2) 2t" },
];

fn map_rules(m: &Map, strict: bool) -> Rule {
    let op = if strict { "cdf<" } else { "cdf" };
    let inner = format!("({op} ?e {})", m.inverse);
    let rhs = range_body(m, strict, &inner);
    let mut when = vec![Random("?e")];
    if let Some(f) = m.domain {
        when.push(Proves("?e", f));
    }
    let name = format!("{op}-{}", m.op);
    let lhs = format!("({op} ({} ?e) ?t)", m.op);
    rule(
        C,
        &name,
        &lhs,
        &rhs,
        &when,
        &format!("change of variables: {}", m.words),
    )
}

/// [t ≥ hi] + [lo < t < hi]·`inner`: the probability `inner` inside the map's range,
/// 0 below it and 1 above.
fn range_body(m: &Map, strict: bool, inner: &str) -> String {
    let mut factors = Vec::new();
    if let Some((lo, closed)) = m.lo {
        factors.push(if closed && !strict {
            format!("(>= ?t {lo})")
        } else {
            format!("(> ?t {lo})")
        });
    }
    if let Some(hi) = m.hi {
        factors.push(format!("(> {hi} ?t)"));
    }
    // the brackets of the range, grouped, multiply the probability: [lo < t < hi]·P(...)
    let body = match factors.as_slice() {
        [] => inner.to_string(),
        [one] => format!("(* {one} {inner})"),
        [lo, hi] => format!("(* (* {lo} {hi}) {inner})"),
        _ => unreachable!("a range has two ends"),
    };
    match m.hi {
        Some(hi) => format!("(+ (>= ?t {hi}) {body})"),
        None => body,
    }
}

/// A monotone map of a reflected term, f(−E), f(aE) with a < 0, f(E/a), f(c − E): the
/// change of variables and the reflection in one rule, so that the reflection sits
/// inside the range's brackets. On its own, a reflection 1 − P(E < −s) at an s that
/// some t leave undefined (artanh(t) for |t| ≥ 1) is 1 there, not 0 as a probability at
/// an undefined point is taken to be; the reflection rules are for s defined for every t.
fn map_reflected_rules(m: &Map, strict: bool) -> Vec<Rule> {
    let (op, flip) = if strict {
        ("cdf<", "cdf")
    } else {
        ("cdf", "cdf<")
    };
    let s = m.inverse;
    let forms: [(&str, &str, String, Vec<When>); 5] = [
        ("neg", "(neg ?e)", format!("(neg {s})"), vec![Random("?e")]),
        (
            "scale-neg",
            "(* ?a ?e)",
            format!("(/ {s} ?a)"),
            vec![Random("?e"), NotRandom("?a"), Proves("?a", Negative)],
        ),
        (
            "scale-right-neg",
            "(* ?e ?a)",
            format!("(/ {s} ?a)"),
            vec![Random("?e"), NotRandom("?a"), Proves("?a", Negative)],
        ),
        (
            "div-neg",
            "(/ ?e ?a)",
            format!("(* {s} ?a)"),
            vec![Random("?e"), NotRandom("?a"), Proves("?a", Negative)],
        ),
        (
            "sub-from",
            "(- ?c ?e)",
            format!("(- ?c {s})"),
            vec![Random("?e"), NotRandom("?c")],
        ),
    ];
    forms
        .into_iter()
        .map(|(name, inner, arg, when)| {
            let reflected = format!("(- 1 ({flip} ?e {arg}))");
            let rhs = range_body(m, strict, &reflected);
            rule(
                C,
                &format!("{op}-{}-{name}", m.op),
                &format!("({op} ({} {inner}) ?t)", m.op),
                &rhs,
                &when,
                &format!(
                    "change of variables: {}; then a reflection inside its range",
                    m.words
                ),
            )
        })
        .collect()
}

/// Maps with flat pieces (atoms at their ends), several preimages, and the minimum of
/// iid copies.
#[rustfmt::skip]
fn pieces() -> Vec<Rule> {
    vec![
        rule(C, "cdf-clamp",   "(cdf (clamp ?e ?lo ?hi) ?t)",  "(+ (>= ?t ?hi) (* (* (>= ?t ?lo) (> ?hi ?t)) (cdf ?e ?t)))",  &[Random("?e"), NumLt("?lo", "?hi")], "clamp: all of E <= lo lands on lo and all of E >= hi on hi; between, the identity"),
        rule(C, "cdf<-clamp",  "(cdf< (clamp ?e ?lo ?hi) ?t)", "(+ (> ?t ?hi) (* (* (> ?t ?lo) (>= ?hi ?t)) (cdf< ?e ?t)))", &[Random("?e"), NumLt("?lo", "?hi")], "clamp: below lo nothing, above hi everything, between the identity"),
        rule(C, "clamp-definition", "(clamp ?e ?lo ?hi)", "(min (max ?e ?lo) ?hi)", &[Random("?e"), Parametric("?lo", "?hi")], "clamp(E, lo, hi) is min(max(E, lo), hi) by definition; with a parameter among the ends their order is not known, and max and min need none"),
        rule(C, "cdf-max",     "(cdf (max ?e ?c) ?t)",         "(* (>= ?t ?c) (cdf ?e ?t))",                 &[Random("?e"), NotRandom("?c")], "max(E, c) <= t exactly when t >= c and E <= t; all of E <= c lands on c"),
        rule(C, "cdf<-max",    "(cdf< (max ?e ?c) ?t)",        "(* (> ?t ?c) (cdf< ?e ?t))",                 &[Random("?e"), NotRandom("?c")], "max(E, c) < t exactly when t > c and E < t"),
        rule(C, "cdf-min",     "(cdf (min ?e ?c) ?t)",         "(+ (>= ?t ?c) (* (> ?c ?t) (cdf ?e ?t)))",   &[Random("?e"), NotRandom("?c")], "min(E, c) <= t always when t >= c, else exactly when E <= t; all of E >= c lands on c"),
        rule(C, "cdf<-min",    "(cdf< (min ?e ?c) ?t)",        "(+ (> ?t ?c) (* (>= ?c ?t) (cdf< ?e ?t)))",  &[Random("?e"), NotRandom("?c")], "min(E, c) < t always when t > c, else exactly when E < t"),
        rule(C, "cdf-minpool", "(cdf (minpool ?e ?n) ?t)",     "(- 1 (^ (- 1 (cdf ?e ?t)) ?n))",             &[Random("?e")], "order statistic: the min of N iid copies is > t exactly when every copy is, so 1 - (1 - F)^N (for any law, atoms included)"),
        rule(C, "cdf<-minpool","(cdf< (minpool ?e ?n) ?t)",    "(- 1 (^ (- 1 (cdf< ?e ?t)) ?n))",            &[Random("?e")], "order statistic: the min of N iid copies is >= t exactly when every copy is"),
        rule(C, "cdf-order",   "(cdf (order ?e ?k ?n) ?t)",    "(ibeta ?k ?n (cdf ?e ?t))",  &[Random("?e")], "order statistic: the K-th smallest of N iid copies is <= t exactly when at least K copies are, P(Binomial(N, F) >= K) = I_F(K, N - K + 1) (for any law, atoms included)"),
        rule(C, "cdf<-order",  "(cdf< (order ?e ?k ?n) ?t)",   "(ibeta ?k ?n (cdf< ?e ?t))", &[Random("?e")], "order statistic: the K-th smallest of N iid copies is < t exactly when at least K copies are"),
        rule(C, "cdf-abs",     "(cdf (abs ?e) ?t)",            "(* (>= ?t 0) (- (cdf ?e ?t) (cdf< ?e (neg ?t))))",   &[Random("?e")], "two preimages: |E| <= t exactly when -t <= E <= t"),
        rule(C, "cdf<-abs",    "(cdf< (abs ?e) ?t)",           "(* (> ?t 0) (- (cdf< ?e ?t) (cdf ?e (neg ?t))))",    &[Random("?e")], "two preimages: |E| < t exactly when -t < E < t"),
        rule(C, "cdf-power-even",  "(cdf (^ ?e ?n) ?t)",       "(* (>= ?t 0) (- (cdf ?e (root ?t ?n)) (cdf< ?e (neg (root ?t ?n)))))", &[Random("?e"), EvenInt("?n")], "two preimages: E^n <= t, n even, exactly when -t^(1/n) <= E <= t^(1/n)"),
        rule(C, "cdf<-power-even", "(cdf< (^ ?e ?n) ?t)",      "(* (> ?t 0) (- (cdf< ?e (root ?t ?n)) (cdf ?e (neg (root ?t ?n)))))", &[Random("?e"), EvenInt("?n")], "two preimages: E^n < t, n even, exactly when -t^(1/n) < E < t^(1/n)"),
        rule(C, "cdf-power-odd",   "(cdf (^ ?e ?n) ?t)",       "(cdf ?e (root ?t ?n))",                       &[Random("?e"), OddInt("?n")], "change of variables: E^n, n odd, is increasing onto R"),
        rule(C, "cdf<-power-odd",  "(cdf< (^ ?e ?n) ?t)",      "(cdf< ?e (root ?t ?n))",                      &[Random("?e"), OddInt("?n")], "change of variables: E^n, n odd, is increasing onto R"),
        rule(C, "cdf-leaky-relu-neg",  "(cdf (leaky-relu ?e ?a) ?t)",  "(* (>= ?t 0) (- (cdf ?e ?t) (cdf< ?e (/ ?t ?a))))",  &[Random("?e"), Proves("?a", Negative)], "leaky relu with slope a < 0 folds the negative half over: two preimages, t and t/a"),
        rule(C, "cdf<-leaky-relu-neg", "(cdf< (leaky-relu ?e ?a) ?t)", "(* (> ?t 0) (- (cdf< ?e ?t) (cdf ?e (/ ?t ?a))))",  &[Random("?e"), Proves("?a", Negative)], "leaky relu with slope a < 0 folds the negative half over: two preimages, t and t/a"),
        rule(C, "leaky-relu-zero", "(leaky-relu ?e 0)", "(relu ?e)", &[Random("?e")], "leaky relu with slope 0 is relu"),
        rule(C, "cdf-elu",     "(cdf (elu ?e ?a) ?t)",         "(+ (* (>= ?t 0) (cdf ?e ?t)) (* (* (> ?t (neg ?a)) (> 0 ?t)) (cdf ?e (log (+ 1 (/ ?t ?a))))))",   &[Random("?e"), Proves("?a", Positive)], "change of variables: elu with a > 0 is increasing onto (-a, inf); below 0 it is a(e^E - 1)"),
        rule(C, "cdf<-elu",    "(cdf< (elu ?e ?a) ?t)",        "(+ (* (>= ?t 0) (cdf< ?e ?t)) (* (* (> ?t (neg ?a)) (> 0 ?t)) (cdf< ?e (log (+ 1 (/ ?t ?a))))))", &[Random("?e"), Proves("?a", Positive)], "change of variables: elu with a > 0 is increasing onto (-a, inf)"),
    ]
}

/// `cdf` and `cdf<` rules that are the same but for the operator; `flip` is the
/// operator that a decreasing map leads to.
#[rustfmt::skip]
fn affine(op: &str, flip: &str) -> Vec<Rule> {
    let r = |name: &str, lhs: &str, rhs: &str, when: &[When], words: &str| {
        let sub = |s: &str| s.replace("OP", op).replace("FLIP", flip);
        rule(C, &sub(name), &sub(lhs), &sub(rhs), when, words)
    };
    let k = |c: &'static str| [Random("?e"), NotRandom(c)];
    vec![
        r("OP-shift",       "(OP (+ ?e ?c) ?t)", "(OP ?e (- ?t ?c))",            &k("?c"), "shift: subtract the constant from t"),
        r("OP-shift-left",  "(OP (+ ?c ?e) ?t)", "(OP ?e (- ?t ?c))",            &k("?c"), "shift: subtract the constant from t"),
        r("OP-sub",         "(OP (- ?e ?c) ?t)", "(OP ?e (+ ?t ?c))",            &k("?c"), "shift: add the constant to t"),
        // a reflection's 1 - P(...) is not 0 where t is undefined (sqrt(t) for t < 0), as
        // a probability at a point where t is undefined is taken to be (the brackets that
        // solving rules and CDF rules build are 0 there): only for a t defined for every
        // t (without this, merged with [t >= 0]·P(|E| <= sqrt(t)), it dropped the bracket)
        r("OP-sub-from",    "(OP (- ?c ?e) ?t)", "(- 1 (FLIP ?e (- ?c ?t)))",    &[Random("?e"), NotRandom("?c"), Total("?t")], "reflection: c - E <= t exactly when E >= c - t"),
        r("OP-neg",         "(OP (neg ?e) ?t)",  "(- 1 (FLIP ?e (neg ?t)))",     &[Random("?e"), Total("?t")], "reflection: -E <= t exactly when E >= -t"),
        r("OP-scale-pos",   "(OP (* ?a ?e) ?t)", "(OP ?e (/ ?t ?a))",            &[Random("?e"), NotRandom("?a"), Proves("?a", Positive)], "scaling by a > 0 keeps the order"),
        r("OP-scale-neg",   "(OP (* ?a ?e) ?t)", "(- 1 (FLIP ?e (/ ?t ?a)))",    &[Random("?e"), NotRandom("?a"), Proves("?a", Negative), Total("?t")], "scaling by a < 0 reverses the order"),
        r("OP-scale-right-pos", "(OP (* ?e ?a) ?t)", "(OP ?e (/ ?t ?a))",        &[Random("?e"), NotRandom("?a"), Proves("?a", Positive)], "scaling by a > 0 keeps the order"),
        r("OP-scale-right-neg", "(OP (* ?e ?a) ?t)", "(- 1 (FLIP ?e (/ ?t ?a)))",&[Random("?e"), NotRandom("?a"), Proves("?a", Negative), Total("?t")], "scaling by a < 0 reverses the order"),
        r("OP-div-pos",     "(OP (/ ?e ?a) ?t)", "(OP ?e (* ?t ?a))",            &[Random("?e"), NotRandom("?a"), Proves("?a", Positive)], "dividing by a > 0 keeps the order"),
        r("OP-div-neg",     "(OP (/ ?e ?a) ?t)", "(- 1 (FLIP ?e (* ?t ?a)))",    &[Random("?e"), NotRandom("?a"), Proves("?a", Negative), Total("?t")], "dividing by a < 0 reverses the order"),
    ]
}

/// The maps of a chain with the conditions on their argument: every increasing map but
/// sqrt (whose range is closed at 0), applied to a chain.
fn chain_maps() -> impl Iterator<Item = (&'static Map, Vec<When>)> {
    MAPS.iter().filter(|m| m.op != "sqrt").map(|m| {
        let mut when = vec![Chain("?e")];
        if let Some(f) = m.domain {
            when.push(Proves("?e", f));
        }
        (m, when)
    })
}

/// An affine step (or an odd power) of a chain inside its support: the step's name, the
/// random term's shape, what its constant must satisfy, and the rewrite of P(E ≤ t)
/// and of the density f_E(t) through it, each with its words. A density rule is the
/// derivative of the CDF rule beside it.
struct ChainStep {
    name: &'static str,
    shape: &'static str,
    when: &'static [When],
    cdf: (&'static str, &'static str),
    pdf: (&'static str, &'static str),
}

const CONSTANT: &[When] = &[Chain("?e"), NotRandom("?c")];
const POSITIVE: &[When] = &[Chain("?e"), NotRandom("?a"), Proves("?a", Positive)];
const NEGATIVE: &[When] = &[Chain("?e"), NotRandom("?a"), Proves("?a", Negative)];

#[rustfmt::skip]
const STEPS: &[ChainStep] = &[
    ChainStep { name: "shift",           shape: "(+ ?e ?c)", when: CONSTANT, cdf: ("(cdf-in ?e (- ?t ?c))", "subtract the constant from t"), pdf: ("(pdf-in ?e (- ?t ?c))", "f_(E + c)(t) = f_E(t - c)") },
    ChainStep { name: "shift-left",      shape: "(+ ?c ?e)", when: CONSTANT, cdf: ("(cdf-in ?e (- ?t ?c))", "subtract the constant from t"), pdf: ("(pdf-in ?e (- ?t ?c))", "f_(c + E)(t) = f_E(t - c)") },
    ChainStep { name: "sub",             shape: "(- ?e ?c)", when: CONSTANT, cdf: ("(cdf-in ?e (+ ?t ?c))", "add the constant to t"), pdf: ("(pdf-in ?e (+ ?t ?c))", "f_(E - c)(t) = f_E(t + c)") },
    ChainStep { name: "sub-from",        shape: "(- ?c ?e)", when: CONSTANT, cdf: ("(- 1 (cdf-in ?e (- ?c ?t)))", "c - E <= t exactly when E >= c - t, and E has no atoms"), pdf: ("(pdf-in ?e (- ?c ?t))", "f_(c - E)(t) = f_E(c - t)") },
    ChainStep { name: "neg",             shape: "(neg ?e)",  when: &[Chain("?e")], cdf: ("(- 1 (cdf-in ?e (neg ?t)))", "-E <= t exactly when E >= -t, and E has no atoms"), pdf: ("(pdf-in ?e (neg ?t))", "f_(-E)(t) = f_E(-t)") },
    ChainStep { name: "scale-pos",       shape: "(* ?a ?e)", when: POSITIVE, cdf: ("(cdf-in ?e (/ ?t ?a))", "scaling by a > 0 keeps the order"), pdf: ("(/ (pdf-in ?e (/ ?t ?a)) ?a)", "f_(aE)(t) = f_E(t/a)/a for a > 0") },
    ChainStep { name: "scale-neg",       shape: "(* ?a ?e)", when: NEGATIVE, cdf: ("(- 1 (cdf-in ?e (/ ?t ?a)))", "scaling by a < 0 reverses the order, and E has no atoms"), pdf: ("(/ (pdf-in ?e (/ ?t ?a)) (neg ?a))", "f_(aE)(t) = f_E(t/a)/(-a) for a < 0") },
    ChainStep { name: "scale-right-pos", shape: "(* ?e ?a)", when: POSITIVE, cdf: ("(cdf-in ?e (/ ?t ?a))", "scaling by a > 0 keeps the order"), pdf: ("(/ (pdf-in ?e (/ ?t ?a)) ?a)", "f_(Ea)(t) = f_E(t/a)/a for a > 0") },
    ChainStep { name: "scale-right-neg", shape: "(* ?e ?a)", when: NEGATIVE, cdf: ("(- 1 (cdf-in ?e (/ ?t ?a)))", "scaling by a < 0 reverses the order, and E has no atoms"), pdf: ("(/ (pdf-in ?e (/ ?t ?a)) (neg ?a))", "f_(Ea)(t) = f_E(t/a)/(-a) for a < 0") },
    ChainStep { name: "div-pos",         shape: "(/ ?e ?a)", when: POSITIVE, cdf: ("(cdf-in ?e (* ?t ?a))", "dividing by a > 0 keeps the order"), pdf: ("(* (pdf-in ?e (* ?t ?a)) ?a)", "f_(E/a)(t) = a f_E(ta) for a > 0") },
    ChainStep { name: "div-neg",         shape: "(/ ?e ?a)", when: NEGATIVE, cdf: ("(- 1 (cdf-in ?e (* ?t ?a)))", "dividing by a < 0 reverses the order, and E has no atoms"), pdf: ("(* (pdf-in ?e (* ?t ?a)) (neg ?a))", "f_(E/a)(t) = -a f_E(ta) for a < 0") },
    // the density over n (t^(1/n))^(n-1), not times t^(1/n)/(n t): at t = 0 that was
    // 0/0, and this is the density's limit there, +inf
    ChainStep { name: "power-odd",       shape: "(^ ?e ?n)", when: &[Chain("?e"), OddInt("?n")], cdf: ("(cdf-in ?e (root ?t ?n))", "E^n, n odd, is increasing"), pdf: ("(/ (pdf-in ?e (root ?t ?n)) (* ?n (^ (root ?t ?n) (- ?n 1))))", "f_(E^n)(t) = f_E(t^(1/n))/(n (t^(1/n))^(n-1)), n odd") },
];

/// Rules inside a support: `(cdf-in Y s)` is P(Y ≤ s) for an s inside the support of
/// Y, a strictly monotone map of a Normal (`Data::chain`), and is undefined elsewhere.
/// Each rule peels one map and adds no bracket: s lies in the range of the map because
/// it lies in the support of Y, so its preimage is defined; and Y has no atoms, so a
/// reflection needs no care about ≤ and <. A chain of n maps is n rewrites, where the
/// `cdf` rules solve each map's range bracket again through the maps around it.
fn inside() -> Vec<Rule> {
    const IN: &str = "change of variables inside the support";
    let r = |name: &str, lhs: &str, rhs: &str, when: &[When], words: &str| {
        rule(
            C,
            &format!("cdf-in-{name}"),
            lhs,
            rhs,
            when,
            &format!("{IN}: {words}"),
        )
    };
    let mut v = vec![rule(
        C,
        "cdf-in-normal",
        "(cdf-in (normal ?m ?s) ?t)",
        "(Phi (/ (- ?t ?m) ?s))",
        &[],
        "the Normal CDF: P(N(m, s^2) <= t) = Phi((t - m)/s), its support is R",
    )];
    for s in STEPS {
        let (rhs, words) = s.cdf;
        v.push(r(
            s.name,
            &format!("(cdf-in {} ?t)", s.shape),
            rhs,
            s.when,
            words,
        ));
    }
    for (m, when) in chain_maps() {
        v.push(r(
            m.op,
            &format!("(cdf-in ({} ?e) ?t)", m.op),
            &format!("(cdf-in ?e {})", m.inverse),
            &when,
            &format!("{} is increasing, and t is in its range", m.op),
        ));
    }
    v
}

/// Densities inside a support: `(pdf-in Y s)` is the density of Y at an s inside its
/// support, Y a strictly monotone map of a Normal; d/ds of `(cdf-in Y s)`. The rules
/// are the derivatives of the `cdf-in` rules by the chain rule: each peels one map,
/// and the density of a chain of n maps is n rewrites, where differentiating its
/// CDF's closed form takes several per map (chain rule, sum rule, constant factor).
fn inside_densities() -> Vec<Rule> {
    const IN: &str = "change of variables for the density inside the support";
    let r = |name: &str, lhs: &str, rhs: &str, when: &[When], words: &str| {
        rule(
            D,
            &format!("pdf-in-{name}"),
            lhs,
            rhs,
            when,
            &format!("{IN}: {words}"),
        )
    };
    let mut v = vec![
        // at t itself: a chain rule's factor (Dc t) would join the class of 1, and
        // explanations then wrote every 1 of the term as (t)' and back
        rule(
            D,
            "d-cdf-in",
            "(Dc (cdf-in ?e t))",
            "(pdf-in ?e t)",
            &[Chain("?e")],
            "inside the support, the derivative of P(E <= t) is the density of E at t",
        ),
        rule(
            D,
            "pdf-in-normal",
            "(pdf-in (normal ?m ?s) ?t)",
            "(/ (phi (/ (- ?t ?m) ?s)) ?s)",
            &[],
            "the Normal density: phi((t - m)/s)/s",
        ),
    ];
    for s in STEPS {
        let (rhs, words) = s.pdf;
        v.push(r(
            s.name,
            &format!("(pdf-in {} ?t)", s.shape),
            rhs,
            s.when,
            words,
        ));
    }
    for (m, when) in chain_maps() {
        let inner = format!("(pdf-in ?e {})", m.inverse);
        v.push(r(
            m.op,
            &format!("(pdf-in ({} ?e) ?t)", m.op),
            &m.density.replace("INNER", &inner),
            &when,
            &format!("f_{}(E)(t) = {}", m.op, m.density_words),
        ));
    }
    v
}

#[rustfmt::skip]
pub fn rules() -> Vec<Rule> {
    let mut v = vec![
        rule(C, "cdf-normal",  "(cdf (normal ?m ?s) ?t)",  "(Phi (/ (- ?t ?m) ?s))", &[], "the Normal CDF: P(N(m, s^2) <= t) = Phi((t - m)/s)"),
        rule(C, "cdf<-normal", "(cdf< (normal ?m ?s) ?t)", "(Phi (/ (- ?t ?m) ?s))", &[], "the Normal has no atoms, so P(X < t) = P(X <= t) = Phi((t - m)/s)"),
        rule(C, "cdf-relu",    "(cdf (relu ?e) ?t)",       "(* (>= ?t 0) (cdf ?e ?t))",  &[Random("?e")], "relu: max(0, E) <= t exactly when t >= 0 and E <= t; all of E <= 0 lands on the point 0"),
        rule(C, "cdf<-relu",   "(cdf< (relu ?e) ?t)",      "(* (> ?t 0) (cdf< ?e ?t))",  &[Random("?e")], "relu: max(0, E) < t exactly when t > 0 and E < t"),
        rule(C, "cdf-leaky-relu",  "(cdf (leaky-relu ?e ?a) ?t)",  "(+ (* (>= ?t 0) (cdf ?e ?t)) (* (> 0 ?t) (cdf ?e (/ ?t ?a))))",   &[Random("?e"), Proves("?a", Positive)], "leaky relu with slope a > 0 is increasing: invert each linear piece"),
        rule(C, "cdf<-leaky-relu", "(cdf< (leaky-relu ?e ?a) ?t)", "(+ (* (>= ?t 0) (cdf< ?e ?t)) (* (> 0 ?t) (cdf< ?e (/ ?t ?a))))", &[Random("?e"), Proves("?a", Positive)], "leaky relu with slope a > 0 is increasing: invert each linear piece"),
        rule(C, "cdf-maxpool",  "(cdf (maxpool ?e ?n) ?t)",  "(^ (cdf ?e ?t) ?n)",  &[Random("?e")], "order statistic: the max of N iid copies is <= t exactly when every copy is, so F^N (for any law, atoms included)"),
        rule(C, "cdf<-maxpool", "(cdf< (maxpool ?e ?n) ?t)", "(^ (cdf< ?e ?t) ?n)", &[Random("?e")], "order statistic: the max of N iid copies is < t exactly when every copy is"),
    ];
    v.extend(pieces());
    v.extend(inside());
    v.extend(inside_densities());
    v.extend(affine("cdf", "cdf<"));
    v.extend(affine("cdf<", "cdf"));
    for m in MAPS {
        v.push(map_rules(m, false));
        v.push(map_rules(m, true));
        // maps with a domain condition (log, sqrt) state it of their whole argument
        if m.domain.is_none() {
            v.extend(map_reflected_rules(m, false));
            v.extend(map_reflected_rules(m, true));
        }
    }
    v
}
