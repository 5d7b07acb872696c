//! CDF rules: the Normal's CDF, change of variables through monotone maps (composed
//! any number of times, since each rule peels one map), affine maps of either sign,
//! maps with a flat piece (relu), piecewise-linear maps (leaky relu) and the order
//! statistic of iid copies (maxpool).
//!
//! Every rule exists for `cdf` (P(Y ≤ t)) and `cdf<` (P(Y < t)): a decreasing map
//! turns one into the other, and they differ exactly at atoms.

use super::{rule, tag_all, Family::Cdf as C, Family::Diff as D, Rule, Tag, When, When::*};
use crate::lang::functions::Map;
use crate::lang::Need::*;
use crate::lang::FUNCTIONS;

/// The strictly increasing maps of the registry, by operator.
fn maps() -> impl Iterator<Item = (&'static str, &'static Map)> {
    FUNCTIONS
        .iter()
        .filter_map(|f| f.map.as_ref().map(|m| (f.op, m)))
}

fn map_rules(g: &str, m: &Map, strict: bool) -> Rule {
    let op = if strict { "cdf<" } else { "cdf" };
    let rhs = range_body(m, strict, &|inverse| format!("({op} ?e {inverse})"));
    let mut when = vec![Random("?e")];
    if let Some(f) = m.domain {
        when.push(Proves("?e", f));
    }
    let name = format!("{op}-{g}");
    let lhs = format!("({op} ({g} ?e) ?t)");
    rule(
        C,
        &name,
        &lhs,
        &rhs,
        &when,
        &format!("change of variables: {}", m.words),
    )
}

/// [t ≥ hi] + [lo < t < hi]·`inner(g⁻¹)`: the probability `inner` inside the map's
/// range, 0 below it and 1 above; for a map of several pieces, the sum of each piece's
/// bracket times `inner` at its inverse.
fn range_body(m: &Map, strict: bool, inner: &dyn Fn(&str) -> String) -> String {
    let Some(piece) = m.single() else {
        return pieces_body(m, inner);
    };
    let inner = inner(piece.inverse);
    let mut factors = Vec::new();
    if let Some((lo, closed)) = piece.lo {
        factors.push(if closed && !strict {
            format!("(>= ?t {lo})")
        } else {
            format!("(> ?t {lo})")
        });
    }
    if let Some(hi) = piece.hi {
        factors.push(format!("(> {hi} ?t)"));
    }
    // the brackets of the range, grouped, multiply the probability: [lo < t < hi]·P(...)
    let body = match factors.as_slice() {
        [] => inner.to_string(),
        [one] => format!("(* {one} {inner})"),
        [lo, hi] => format!("(* (* {lo} {hi}) {inner})"),
        _ => unreachable!("a range has two ends"),
    };
    match piece.hi {
        Some(hi) => format!("(+ (>= ?t {hi}) {body})"),
        None => body,
    }
}

/// Σ [lo_i < t < hi_i]·`inner(g_i⁻¹)` over the pieces, plus [t ≥ hi] when the range
/// has an upper end. A piece closed at lo (an inner end, where the map is continuous)
/// takes t = lo, so that each t falls in one piece.
fn pieces_body(m: &Map, inner: &dyn Fn(&str) -> String) -> String {
    let terms = m.pieces.iter().map(|p| {
        let lo = p.lo.map(|(lo, closed)| {
            if closed {
                format!("(>= ?t {lo})")
            } else {
                format!("(> ?t {lo})")
            }
        });
        let hi = p.hi.map(|hi| format!("(> {hi} ?t)"));
        let inner = inner(p.inverse);
        match (lo, hi) {
            (Some(lo), Some(hi)) => format!("(* (* {lo} {hi}) {inner})"),
            (Some(b), None) | (None, Some(b)) => format!("(* {b} {inner})"),
            (None, None) => inner,
        }
    });
    let above = m.hi().map(|hi| format!("(>= ?t {hi})"));
    above
        .into_iter()
        .chain(terms)
        .reduce(|a, b| format!("(+ {a} {b})"))
        .unwrap_or_default()
}

/// A monotone map of a reflected term, f(−E), f(aE) with a < 0, f(E/a), f(c − E): the
/// change of variables and the reflection in one rule, so that the reflection sits
/// inside the range's brackets. On its own, a reflection 1 − P(E < −s) at an s that
/// some t leave undefined (artanh(t) for |t| ≥ 1) is 1 there, not 0 as a probability at
/// an undefined point is taken to be; the reflection rules are for s defined for every t.
fn map_reflected_rules(g: &str, m: &Map, strict: bool) -> Vec<Rule> {
    let (op, flip) = if strict {
        ("cdf<", "cdf")
    } else {
        ("cdf", "cdf<")
    };
    // the reflected term's argument at the inverse `S`
    let forms: [(&str, &str, &str, Vec<When>); 5] = [
        ("neg", "(neg ?e)", "(neg S)", vec![Random("?e")]),
        (
            "scale-neg",
            "(* ?a ?e)",
            "(/ S ?a)",
            vec![Random("?e"), NotRandom("?a"), Proves("?a", Negative)],
        ),
        (
            "scale-right-neg",
            "(* ?e ?a)",
            "(/ S ?a)",
            vec![Random("?e"), NotRandom("?a"), Proves("?a", Negative)],
        ),
        (
            "div-neg",
            "(/ ?e ?a)",
            "(* S ?a)",
            vec![Random("?e"), NotRandom("?a"), Proves("?a", Negative)],
        ),
        (
            "sub-from",
            "(- ?c ?e)",
            "(- ?c S)",
            vec![Random("?e"), NotRandom("?c")],
        ),
    ];
    forms
        .into_iter()
        .map(|(name, inner, arg, when)| {
            let reflected = |s: &str| format!("(- 1 ({flip} ?e {}))", arg.replace('S', s));
            let rhs = range_body(m, strict, &reflected);
            rule(
                C,
                &format!("{op}-{g}-{name}"),
                &format!("({op} ({g} {inner}) ?t)"),
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
fn chain_maps() -> impl Iterator<Item = (&'static str, &'static Map, &'static str, Vec<When>)> {
    maps().filter(|(_, m)| m.chains()).filter_map(|(g, m)| {
        let mut when = vec![Chain("?e")];
        if let Some(f) = m.domain {
            when.push(Proves("?e", f));
        }
        Some((g, m, m.single()?.inverse, when))
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
    for (g, _, inverse, when) in chain_maps() {
        v.push(r(
            g,
            &format!("(cdf-in ({g} ?e) ?t)"),
            &format!("(cdf-in ?e {inverse})"),
            &when,
            &format!("{g} is increasing, and t is in its range"),
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
    for (g, m, inverse, when) in chain_maps() {
        let inner = format!("(pdf-in ?e {inverse})");
        let Some((density, words)) = m.density else {
            continue;
        };
        v.push(r(
            g,
            &format!("(pdf-in ({g} ?e) ?t)"),
            &density.replace("INNER", &inner),
            &when,
            &format!("f_{g}(E)(t) = {words}"),
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
        rule(C, "cdf-law",      "(cdf (law ?k ?a ?l) ?t)",  "(+ (law-cdf ?k ?l ?t) (jumps ?a ?t))",  &[], "a numeric law's CDF is its continuous part plus a step m [t >= a] for each atom m at a"),
        rule(C, "cdf<-law",     "(cdf< (law ?k ?a ?l) ?t)", "(+ (law-cdf ?k ?l ?t) (jumps< ?a ?t))", &[], "P(S < t): the continuous part plus m [t > a] for each atom m at a"),
        rule(super::Family::Algebra, "law-cdf-lower-end", "(law-cdf ?k ?l ?l)", "0", &[], "the continuous part has no mass at or below the lower end of the support"),
        rule(C, "jumps-atom",   "(jumps (cons (cons ?p ?m) ?rest) ?t)",  "(+ (* ?m (>= ?t ?p)) (jumps ?rest ?t))", &[], "an atom m at p adds m [t >= p]"),
        rule(C, "jumps<-atom",  "(jumps< (cons (cons ?p ?m) ?rest) ?t)", "(+ (* ?m (> ?t ?p)) (jumps< ?rest ?t))", &[], "an atom m at p adds m [t > p] below t"),
        rule(C, "jumps-none",   "(jumps nil ?t)",  "0", &[], "no atoms, no steps"),
        rule(C, "jumps<-none",  "(jumps< nil ?t)", "0", &[], "no atoms, no steps"),
    ];
    v.extend(pieces());
    v.extend(tag_all(inside(), &[Tag::InsideCdf]));
    v.extend(tag_all(inside_densities(), &[Tag::InsideDensity]));
    v.extend(affine("cdf", "cdf<"));
    v.extend(affine("cdf<", "cdf"));
    for (g, m) in maps() {
        v.push(map_rules(g, m, false));
        v.push(map_rules(g, m, true));
        // maps with a domain condition (log, sqrt) state it of their whole argument
        if m.domain.is_none() {
            v.extend(map_reflected_rules(g, m, false));
            v.extend(map_reflected_rules(g, m, true));
        }
    }
    v
}
