//! The Normal is closed under affine maps and weighted sums of iid copies:
//! a·N(μ, σ²) + b = N(aμ + b, a²σ²) and Σ wᵢ·Nᵢ = N(μ·Σw, σ²·Σw²).

use super::{rule, Family, Family::Normal as N, Rule, When::*};
use crate::lang::Need::*;

#[rustfmt::skip]
pub fn rules() -> Vec<Rule> {
    vec![
        rule(N, "normal-shift",      "(+ (normal ?m ?s) ?c)", "(normal (+ ?m ?c) ?s)", &[NotRandom("?c")], "a Normal plus a constant is Normal"),
        rule(N, "normal-shift-left", "(+ ?c (normal ?m ?s))", "(normal (+ ?c ?m) ?s)", &[NotRandom("?c")], "a constant plus a Normal is Normal"),
        rule(N, "normal-sub",        "(- (normal ?m ?s) ?c)", "(normal (- ?m ?c) ?s)", &[NotRandom("?c")], "a Normal minus a constant is Normal"),
        rule(N, "normal-sub-from",   "(- ?c (normal ?m ?s))", "(normal (- ?c ?m) ?s)", &[NotRandom("?c")], "a constant minus a Normal is Normal (the Normal is symmetric)"),
        rule(N, "normal-neg",        "(neg (normal ?m ?s))",  "(normal (neg ?m) ?s)",  &[],                "the negative of a Normal is Normal"),
        rule(N, "normal-scale",      "(* ?a (normal ?m ?s))", "(normal (* ?a ?m) (* (abs ?a) ?s))", &[NotRandom("?a"), Proves("?a", NonZero)], "a nonzero multiple of a Normal is Normal, with standard deviation |a| sigma"),
        rule(N, "normal-scale-right","(* (normal ?m ?s) ?a)", "(normal (* ?a ?m) (* (abs ?a) ?s))", &[NotRandom("?a"), Proves("?a", NonZero)], "a nonzero multiple of a Normal is Normal, with standard deviation |a| sigma"),
        rule(N, "normal-div",        "(/ (normal ?m ?s) ?a)", "(normal (/ ?m ?a) (/ ?s (abs ?a)))", &[NotRandom("?a"), Proves("?a", NonZero)], "a Normal divided by a nonzero constant is Normal"),
        rule(N, "normal-conv",       "(conv (normal ?m ?s) ?w)", "(normal (* ?m (wsum ?w)) (* ?s (sqrt (wsq ?w))))", &[SomeWeightNonZero("?w")], "a weighted sum of iid Normals is Normal: mean mu*sum(w), standard deviation sigma*|w|"),
        rule(Family::Algebra, "wsum-cons",         "(wsum (cons ?w ?r))",   "(+ ?w (wsum ?r))",      &[],                "sum of the weights"),
        rule(Family::Algebra, "wsum-nil",          "(wsum nil)",            "0",                     &[],                "sum of the weights"),
        rule(Family::Algebra, "wsq-cons",          "(wsq (cons ?w ?r))",    "(+ (^ ?w 2) (wsq ?r))", &[],                "sum of the squared weights"),
        rule(Family::Algebra, "wsq-nil",           "(wsq nil)",             "0",                     &[],                "sum of the squared weights"),
    ]
}
