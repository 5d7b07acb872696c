//! Derivative rules for the classical part `Dc` of the derivative in t. The jumps of a
//! CDF are not differentiated here: `derive` turns `D F` into `Dc F` plus a Dirac term
//! at each jump, so that the chain rule is only ever applied away from jumps, where it
//! is sound.

use super::{rule, Family::Diff as D, Rule, When::*};
use crate::lang::FUNCTIONS;

#[rustfmt::skip]
pub fn rules() -> Vec<Rule> {
    let mut v = vec![
        rule(D, "d-sum",        "(Dc (+ ?a ?b))",   "(+ (Dc ?a) (Dc ?b))",                  &[], "sum rule"),
        rule(D, "d-difference", "(Dc (- ?a ?b))",   "(- (Dc ?a) (Dc ?b))",                  &[], "sum rule"),
        rule(D, "d-neg",        "(Dc (neg ?a))",    "(neg (Dc ?a))",                        &[], "sum rule"),
        rule(D, "d-const-factor","(Dc (* ?c ?a))",  "(* ?c (Dc ?a))",                       &[NoT("?c")], "constant factor rule"),
        rule(D, "d-bracket-factor", "(Dc (* ?b ?f))", "(* ?b (Dc ?f))",                   &[Bracket("?b")], "an Iverson bracket is constant away from its jumps, so it factors out of the classical derivative"),
        rule(D, "d-bracket-factor-right", "(Dc (* ?f ?b))", "(* (Dc ?f) ?b)",             &[Bracket("?b")], "an Iverson bracket is constant away from its jumps, so it factors out of the classical derivative"),
        rule(D, "d-product",    "(Dc (* ?a ?b))",   "(+ (* (Dc ?a) ?b) (* ?a (Dc ?b)))",    &[], "product rule"),
        rule(D, "d-quotient-const", "(Dc (/ ?a ?c))", "(/ (Dc ?a) ?c)",                     &[NoT("?c")], "constant factor rule"),
        rule(D, "d-quotient",   "(Dc (/ ?a ?b))",   "(/ (- (* (Dc ?a) ?b) (* ?a (Dc ?b))) (^ ?b 2))", &[], "quotient rule"),
        rule(D, "d-chain-root", "(Dc (root ?u ?n))", "(/ (* (root ?u ?n) (Dc ?u)) (* ?n ?u))", &[NoT("?n")], "chain rule: (u^(1/n))' = u^(1/n)/(n u)"),
        rule(D, "d-chain-order", "(Dc (ibeta ?k ?n ?u))", "(* (* (/ (fact ?n) (* (fact (- ?k 1)) (fact (- ?n ?k)))) (* (^ ?u (- ?k 1)) (^ (- 1 ?u) (- ?n ?k)))) (Dc ?u))", &[NoT("?k"), NoT("?n")], "chain rule: dI_u(K, N - K + 1)/du = N!/((K-1)!(N-K)!) u^(K-1) (1-u)^(N-K), the order statistic's textbook density"),
        rule(D, "d-chain-law", "(Dc (law-cdf ?k ?l ?u))", "(* (conv-pdf ?k ?u) (Dc ?u))", &[NoT("?k")], "chain rule: the continuous part of a numeric law's CDF has its density f_S as derivative"),
        rule(D, "d-chain-abs",  "(Dc (abs ?u))",    "(* (/ ?u (abs ?u)) (Dc ?u))",          &[], "chain rule: |u|' = u/|u|"),
        rule(D, "d-const",      "(Dc ?c)",          "0",                                    &[NoT("?c")], "the derivative of a constant is 0"),
        rule(D, "d-t",          "(Dc t)",           "1",                                    &[], "dt/dt = 1"),
        rule(D, "d-bracket-ge", "(Dc (>= ?a ?b))",  "0",                                    &[], "an Iverson bracket is constant away from its jump (the jump is a Dirac term)"),
        rule(D, "d-bracket-gt", "(Dc (> ?a ?b))",   "0",                                    &[], "an Iverson bracket is constant away from its jump (the jump is a Dirac term)"),
        rule(D, "d-chain-power","(Dc (^ ?u ?n))",   "(* (* ?n (^ ?u (- ?n 1))) (Dc ?u))",   &[NoT("?n")], "chain rule for a power"),
        rule(D, "d-chain-clamp", "(Dc (clamp ?u ?a ?b))", "(* (* (> ?u ?a) (> ?b ?u)) (Dc ?u))", &[NoT("?a"), NoT("?b")], "chain rule: clamp(u, a, b)' = [a < u < b] u' away from a and b"),
        rule(D, "d-chain-max", "(Dc (max ?u ?c))", "(* (> ?u ?c) (Dc ?u))", &[NoT("?c")], "chain rule: max(u, c)' = [u > c] u' away from c"),
        rule(D, "d-chain-min", "(Dc (min ?u ?c))", "(* (> ?c ?u) (Dc ?u))", &[NoT("?c")], "chain rule: min(u, c)' = [u < c] u' away from c"),
        rule(D, "d-chain-inverse", "(Dc (inverse ?k ?u))", "(* (inverse-d ?k ?u) (Dc ?u))", &[NoT("?k")], "chain rule through the inverse on a piece: (g^-1)'(t) = 1/g'(g^-1(t))"),
        // e^u/(e^u - 1) overflows to inf/inf past u = 709; this form does not
        rule(D, "d-chain-softplus-inverse", "(Dc (log (- (exp ?u) 1)))", "(/ (Dc ?u) (- 1 (exp (neg ?u))))", &[], "chain rule: (log(e^u - 1))' = 1/(1 - e^(-u))"),
    ];
    // the chain rule through each function of the registry that gives its derivative
    for f in FUNCTIONS {
        if let Some(d) = f.derivative {
            v.push(rule(D, d.name, &format!("(Dc ({} ?u))", f.op), d.rhs, &[], d.words));
        }
    }
    v
}
