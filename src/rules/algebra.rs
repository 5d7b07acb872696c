//! Algebra: identities, cancellation, the symmetry of the Normal, one-sided limits at
//! ±∞, and solving Iverson brackets for t. A derivation shows a run of these as one
//! "simplify" step.
//!
//! Products follow Knuth's convention for Iverson brackets ("strong zero"): a factor
//! that is 0 makes the product 0 even where the other factor is undefined, which is
//! what lets [|t| < 1]·Φ(artanh t) hold on all of R.

use super::{rule, tag_all, Family::Algebra as A, Rule, Tag, When, When::*};
use crate::lang::Need::*;
use crate::lang::FUNCTIONS;

#[rustfmt::skip]
fn identities() -> Vec<Rule> {
    vec![
        rule(A, "add-comm",     "(+ ?a ?b)",          "(+ ?b ?a)",              &[], "commutativity").tagged(&[Tag::Reorder]),
        rule(A, "mul-comm",     "(* ?a ?b)",          "(* ?b ?a)",              &[], "commutativity").tagged(&[Tag::Reorder]),
        rule(A, "add-assoc",    "(+ (+ ?a ?b) ?c)",   "(+ ?a (+ ?b ?c))",       &[], "associativity").tagged(&[Tag::Reorder]),
        rule(A, "mul-assoc",    "(* (* ?a ?b) ?c)",   "(* ?a (* ?b ?c))",       &[], "associativity").tagged(&[Tag::Reorder]),
        rule(A, "mul-assoc-rev","(* ?a (* ?b ?c))",   "(* (* ?a ?b) ?c)",       &[], "associativity").tagged(&[Tag::Reorder]),
        rule(A, "add-zero",     "(+ ?a 0)",           "?a",                     &[], "adding 0"),
        rule(A, "sub-zero",     "(- ?a 0)",           "?a",                     &[], "subtracting 0"),
        rule(A, "zero-sub",     "(- 0 ?a)",           "(neg ?a)",               &[], "0 - a = -a"),
        rule(A, "sub-self",     "(- ?a ?a)",          "0",                      &[Finite("?a")], "a - a = 0"),
        rule(A, "add-neg",      "(+ ?a (neg ?b))",    "(- ?a ?b)",              &[], "a + (-b) = a - b"),
        rule(A, "sub-add-cancel","(- (+ ?a ?b) ?b)",  "?a",                     &[Finite("?b")], "(a + b) - b = a"),
        rule(A, "sub-sub",      "(- ?a (- ?a ?b))",   "?b",                     &[Finite("?a")], "a - (a - b) = b"),
        rule(A, "add-sub-cancel","(+ (- ?a ?b) ?b)",  "?a",                     &[Finite("?b")], "(a - b) + b = a"),
        rule(A, "mul-one",      "(* ?a 1)",           "?a",                     &[], "multiplying by 1"),
        rule(A, "one-mul",      "(* 1 ?a)",           "?a",                     &[], "multiplying by 1"),
        rule(A, "mul-zero",     "(* ?a 0)",           "0",                      &[], "multiplying by 0 (a false Iverson bracket is a strong zero)"),
        rule(A, "zero-mul",     "(* 0 ?a)",           "0",                      &[], "multiplying by 0 (a false Iverson bracket is a strong zero)"),
        rule(A, "zero-add",     "(+ 0 ?a)",           "?a",                     &[], "adding 0"),
        rule(A, "mul-neg-one",  "(* -1 ?a)",          "(neg ?a)",               &[], "-1 a = -a"),
        rule(A, "div-one",      "(/ ?a 1)",           "?a",                     &[], "dividing by 1"),
        rule(A, "zero-div",     "(/ 0 ?a)",           "0",                      &[Proves("?a", NonZero)], "0 divided by a nonzero number"),
        rule(A, "div-self",     "(/ ?a ?a)",          "1",                      &[Proves("?a", NonZero), Finite("?a")], "a/a = 1"),
        rule(A, "pow-one",      "(^ ?a 1)",           "?a",                     &[], "a^1 = a"),
        rule(A, "ibeta-zero",   "(ibeta ?k ?n 0)",    "0",                      &[OrderPair("?k", "?n")], "no copy is below a point where F = 0"),
        rule(A, "ibeta-one",    "(ibeta ?k ?n 1)",    "1",                      &[OrderPair("?k", "?n")], "every copy is below a point where F = 1"),
        rule(A, "one-pow",      "(^ 1 ?n)",           "1",                      &[], "1^n = 1"),
        rule(A, "sub-neg",      "(- ?a (neg ?b))",    "(+ ?a ?b)",              &[], "a - (-b) = a + b"),
        rule(A, "mul-neg",      "(* ?a (neg ?b))",    "(neg (* ?a ?b))",        &[], "a(-b) = -(ab)"),
        rule(A, "bracket-empty-ge-gt", "(* (>= ?t ?a) (> ?b ?t))", "0", &[NumLe("?b", "?a")], "[t >= a][t < b] = 0 when b <= a"),
        rule(A, "bracket-empty-gt-gt", "(* (> ?t ?a) (> ?b ?t))",  "0", &[NumLe("?b", "?a")], "[t > a][t < b] = 0 when b <= a"),
        rule(A, "bracket-empty-gt-ge", "(* (> ?t ?a) (>= ?b ?t))", "0", &[NumLe("?b", "?a")], "[t > a][t <= b] = 0 when b <= a"),
        rule(A, "bracket-empty-ge-ge", "(* (>= ?t ?a) (>= ?b ?t))", "0", &[NumLt("?b", "?a")], "[t >= a][t <= b] = 0 when b < a"),
        rule(A, "pow-zero",     "(^ ?a 0)",           "1",                      &[], "a^0 = 1"),
        rule(A, "neg-neg",      "(neg (neg ?a))",     "?a",                     &[], "-(-a) = a"),
        rule(A, "neg-sub",      "(neg (- ?a ?b))",    "(- ?b ?a)",              &[], "-(a - b) = b - a"),
        rule(A, "neg-div",      "(neg (/ ?a ?b))",    "(/ (neg ?a) ?b)",        &[], "-(a/b) = (-a)/b").tagged(&[Tag::Reorder]),
        rule(A, "div-neg",      "(/ (neg ?a) ?b)",    "(neg (/ ?a ?b))",        &[], "(-a)/b = -(a/b)").tagged(&[Tag::Reorder]),
        rule(A, "neg-mul",      "(neg (* ?a ?b))",    "(* (neg ?a) ?b)",        &[], "-(ab) = (-a)b").tagged(&[Tag::Reorder]),
        // a + (u − b)/c, as the inverse of elu after an affine step writes it, cancels
        // in floating point where u is near b − ac (1 + (t − 2)/2 is 0/0 at t ≈ 0 in
        // a density): one quotient with the numbers folded, (u + (ac − b))/c
        rule(A, "elu-zero", "(elu 0 ?a)", "0", &[], "elu(0, a) = 0"),
        rule(A, "add-quotient-sub", "(+ ?a (/ (- ?u ?b) ?c))", "(/ (+ ?u (- (* ?a ?c) ?b)) ?c)", &[IsNum("?a"), Proves("?a", NonZero), IsNum("?b"), IsNum("?c"), Proves("?c", NonZero)], "a + (u - b)/c = (u + (ac - b))/c"),
        rule(A, "add-quotient-add", "(+ ?a (/ (+ ?u ?b) ?c))", "(/ (+ ?u (+ (* ?a ?c) ?b)) ?c)", &[IsNum("?a"), Proves("?a", NonZero), IsNum("?b"), IsNum("?c"), Proves("?c", NonZero)], "a + (u + b)/c = (u + (ac + b))/c"),
        rule(A, "div-by-number", "(/ ?a ?c)",         "(* (/ 1 ?c) ?a)",        &[IsNum("?c"), Proves("?c", NonZero)], "dividing by a number is multiplying by its inverse"),
        rule(A, "div-div",      "(/ (/ ?a ?b) ?c)",   "(/ ?a (* ?b ?c))",       &[], "(a/b)/c = a/(bc)").tagged(&[Tag::Regroup]),
        rule(A, "mul-div",      "(* ?a (/ ?b ?c))",   "(/ (* ?a ?b) ?c)",       &[], "a(b/c) = (ab)/c").tagged(&[Tag::Reorder]),
        rule(A, "div-mul",      "(/ (* ?a ?b) ?c)",   "(* ?a (/ ?b ?c))",       &[], "(ab)/c = a(b/c)").tagged(&[Tag::Reorder]),
        rule(A, "factor",       "(+ (* ?a ?b) (* ?a ?c))", "(* ?a (+ ?b ?c))",  &[], "factor out a common factor").tagged(&[Tag::Reorder]),
        rule(A, "bracket-idem", "(* ?b ?b)",          "?b",                     &[Bracket("?b")], "an Iverson bracket squared is itself"),
        rule(A, "bracket-absorb", "(* ?b (* ?b ?x))", "(* ?b ?x)",              &[Bracket("?b")], "an Iverson bracket squared is itself"),
        rule(A, "bracket-power", "(^ (* ?b ?x) ?n)",  "(* ?b (^ ?x ?n))",       &[Bracket("?b"), Proves("?n", Positive)], "[c]^n = [c] for n > 0"),
        rule(A, "bracket-lower-lower-gt", "(* (> ?t ?a) (> ?t ?b))", "(> ?t ?b)", &[NumLe("?a", "?b")], "[t > a][t > b] = [t > b] when a <= b"),
        rule(A, "bracket-lower-lower-ge", "(* (>= ?t ?a) (>= ?t ?b))", "(>= ?t ?b)", &[NumLe("?a", "?b")], "[t >= a][t >= b] = [t >= b] when a <= b"),
        rule(A, "bracket-lower-gt-ge", "(* (> ?t ?a) (>= ?t ?b))", "(>= ?t ?b)", &[NumLt("?a", "?b")], "[t > a][t >= b] = [t >= b] when a < b"),
        rule(A, "bracket-lower-ge-gt", "(* (>= ?t ?a) (> ?t ?b))", "(> ?t ?b)", &[NumLe("?a", "?b")], "[t >= a][t > b] = [t > b] when a <= b"),
        rule(A, "bracket-upper-upper-gt", "(* (> ?a ?t) (> ?b ?t))", "(> ?b ?t)", &[NumLe("?b", "?a")], "[t < a][t < b] = [t < b] when b <= a"),
        rule(A, "bracket-upper-upper-ge", "(* (>= ?a ?t) (>= ?b ?t))", "(>= ?b ?t)", &[NumLe("?b", "?a")], "[t <= a][t <= b] = [t <= b] when b <= a"),
        rule(A, "pow-neg-square", "(^ (neg ?a) 2)",   "(^ ?a 2)",               &[], "(-a)^2 = a^2"),
        rule(A, "atanh-odd",    "(atanh (neg ?a))",   "(neg (atanh ?a))",       &[], "artanh is odd"),
        rule(A, "tanh-odd",     "(tanh (neg ?a))",    "(neg (tanh ?a))",        &[], "tanh is odd"),
        rule(A, "sign-gt-true",   "(> ?a 0)",  "1", &[NoT("?a"), Proves("?a", Positive)],    "[a > 0] = 1 for a > 0"),
        rule(A, "sign-gt-false",  "(> ?a 0)",  "0", &[NoT("?a"), Proves("?a", NonPositive)], "[a > 0] = 0 for a <= 0"),
        rule(A, "sign-ge-true",   "(>= ?a 0)", "1", &[NoT("?a"), Proves("?a", NonNegative)], "[a >= 0] = 1 for a >= 0"),
        rule(A, "sign-ge-false",  "(>= ?a 0)", "0", &[NoT("?a"), Proves("?a", Negative)],    "[a >= 0] = 0 for a < 0"),
        rule(A, "sign-lt-true",   "(> 0 ?a)",  "1", &[NoT("?a"), Proves("?a", Negative)],    "[0 > a] = 1 for a < 0"),
        rule(A, "sign-lt-false",  "(> 0 ?a)",  "0", &[NoT("?a"), Proves("?a", NonNegative)], "[0 > a] = 0 for a >= 0"),
        rule(A, "sign-le-true",   "(>= 0 ?a)", "1", &[NoT("?a"), Proves("?a", NonPositive)], "[0 >= a] = 1 for a <= 0"),
        rule(A, "sign-le-false",  "(>= 0 ?a)", "0", &[NoT("?a"), Proves("?a", Positive)],    "[0 >= a] = 0 for a > 0"),
        rule(A, "decide-ge-true",  "(>= ?a ?b)", "1", &[SurelyGreater("?a", "?b")], "a bracket between constants, decided: [a >= b] = 1"),
        rule(A, "decide-ge-false", "(>= ?a ?b)", "0", &[SurelyGreater("?b", "?a")], "a bracket between constants, decided: [a >= b] = 0"),
        rule(A, "decide-gt-true",  "(> ?a ?b)",  "1", &[SurelyGreater("?a", "?b")], "a bracket between constants, decided: [a > b] = 1"),
        rule(A, "decide-gt-false", "(> ?a ?b)",  "0", &[SurelyGreater("?b", "?a")], "a bracket between constants, decided: [a > b] = 0"),
        rule(A, "bracket-signs-ge-true",  "(>= ?a ?b)", "1", &[Known("?b", Negative), Known("?a", NonNegative), Total("?a")], "[a >= b] = 1 when b < 0 <= a and a is defined for every t"),
        rule(A, "bracket-signs-gt-true",  "(> ?a ?b)",  "1", &[Known("?b", Negative), Known("?a", NonNegative), Total("?a")], "[a > b] = 1 when b < 0 <= a and a is defined for every t"),
        // a bracket is 0 where a side is undefined: [sqrt(u) >= -1] is [u >= 0]
        rule(A, "bracket-root-above-negative-ge", "(>= (root ?u ?n) ?c)", "(>= ?u 0)", &[Known("?c", Negative), EvenInt("?n"), Total("?u")], "an even root is >= 0 where it is defined, u >= 0"),
        rule(A, "bracket-root-above-negative-gt", "(> (root ?u ?n) ?c)",  "(>= ?u 0)", &[Known("?c", Negative), EvenInt("?n"), Total("?u")], "an even root is >= 0 where it is defined, u >= 0"),
        rule(A, "bracket-signs-ge-false", "(>= ?a ?b)", "0", &[Known("?a", Negative), Known("?b", NonNegative)], "[a >= b] = 0 when a < 0 <= b"),
        rule(A, "bracket-signs-gt-false", "(> ?a ?b)",  "0", &[Known("?a", NonPositive), Known("?b", NonNegative)], "[a > b] = 0 when a <= 0 <= b"),
        rule(A, "bracket-refl-ge", "(>= ?a ?a)",      "1",                      &[], "[a >= a] = 1"),
        rule(A, "bracket-refl-gt", "(> ?a ?a)",       "0",                      &[], "[a > a] = 0"),
        rule(A, "bracket-ge-complement", "(- 1 (> ?b ?a))", "(>= ?a ?b)",       &[], "1 - [b > a] = [a >= b]"),
        rule(A, "bracket-gt-complement", "(- 1 (>= ?b ?a))", "(> ?a ?b)",       &[], "1 - [b >= a] = [a > b]"),
        rule(A, "relu-nonpos",  "(relu ?a)", "0",  &[Proves("?a", NonPositive)], "relu(a) = 0 for a <= 0"),
        rule(A, "relu-nonneg",  "(relu ?a)", "?a", &[Proves("?a", NonNegative)], "relu(a) = a for a >= 0"),
        rule(A, "Phi-complement", "(+ (Phi ?u) (Phi (neg ?u)))", "1", &[], "Phi(u) + Phi(-u) = 1"),
        rule(A, "Phi-symmetry", "(- 1 (Phi ?u))",     "(Phi (neg ?u))",         &[], "symmetry of the Normal: 1 - Phi(u) = Phi(-u)"),
        rule(A, "max-constants-left",  "(max ?a ?b)", "?a", &[NumLe("?b", "?a")], "max(a, b) = a for constants b <= a"),
        rule(A, "max-constants-right", "(max ?a ?b)", "?b", &[NumLe("?a", "?b")], "max(a, b) = b for constants a <= b"),
        rule(A, "min-constants-left",  "(min ?a ?b)", "?a", &[NumLe("?a", "?b")], "min(a, b) = a for constants a <= b"),
        rule(A, "min-constants-right", "(min ?a ?b)", "?b", &[NumLe("?b", "?a")], "min(a, b) = b for constants b <= a"),
        rule(A, "phi-even",     "(phi (neg ?u))",     "(phi ?u)",               &[], "phi is even"),
        rule(A, "abs-nonneg",   "(abs ?a)",           "?a",                     &[Proves("?a", NonNegative)], "|a| = a for a >= 0"),
        rule(A, "abs-nonpos",   "(abs ?a)",           "(neg ?a)",               &[Proves("?a", NonPositive)], "|a| = -a for a <= 0"),
    ]
}

/// One-sided limits at the edge of a domain reach ±∞; these carry them through the
/// arithmetic around them (constants are folded by the analysis).
#[rustfmt::skip]
fn limits() -> Vec<Rule> {
    vec![
        rule(A, "lim-inf-sub",   "(- inf ?m)",  "inf",  &[Finite("?m")], "inf - m = inf for finite m"),
        rule(A, "lim-ninf-sub",  "(- -inf ?m)", "-inf", &[Finite("?m")], "-inf - m = -inf for finite m"),
        rule(A, "lim-sub-inf",   "(- ?m inf)",  "-inf", &[Finite("?m")], "m - inf = -inf for finite m"),
        rule(A, "lim-sub-ninf",  "(- ?m -inf)", "inf",  &[Finite("?m")], "m - (-inf) = inf for finite m"),
        rule(A, "lim-inf-add",   "(+ inf ?m)",  "inf",  &[Finite("?m")], "inf + m = inf for finite m"),
        rule(A, "lim-ninf-add",  "(+ -inf ?m)", "-inf", &[Finite("?m")], "-inf + m = -inf for finite m"),
        rule(A, "lim-inf-div-pos",  "(/ inf ?s)",  "inf",  &[Proves("?s", Positive), Finite("?s")], "inf/s = inf for s > 0"),
        rule(A, "lim-ninf-div-pos", "(/ -inf ?s)", "-inf", &[Proves("?s", Positive), Finite("?s")], "-inf/s = -inf for s > 0"),
        rule(A, "lim-inf-div-neg",  "(/ inf ?s)",  "-inf", &[Proves("?s", Negative), Finite("?s")], "inf/s = -inf for s < 0"),
        rule(A, "lim-ninf-div-neg", "(/ -inf ?s)", "inf",  &[Proves("?s", Negative), Finite("?s")], "-inf/s = inf for s < 0"),
        rule(A, "lim-mul-inf-pos",  "(* ?s inf)",  "inf",  &[Proves("?s", Positive), Finite("?s")], "s inf = inf for s > 0"),
        rule(A, "lim-mul-ninf-pos", "(* ?s -inf)", "-inf", &[Proves("?s", Positive), Finite("?s")], "s (-inf) = -inf for s > 0"),
        rule(A, "lim-mul-inf-neg",  "(* ?s inf)",  "-inf", &[Proves("?s", Negative), Finite("?s")], "s inf = -inf for s < 0"),
        rule(A, "lim-mul-ninf-neg", "(* ?s -inf)", "inf",  &[Proves("?s", Negative), Finite("?s")], "s (-inf) = inf for s < 0"),
    ]
}

/// An invertible form f(?u) in a bracket: [f(u) ≥ c] becomes [u ≥ f⁻¹(c)] when f is
/// increasing and [f⁻¹(c) ≥ u] when it is decreasing (likewise for >, and with the
/// sides swapped). Within a CDF every such bracket multiplies the bracket of f's
/// domain.
struct Solve {
    name: &'static str,
    form: &'static str,
    inverse: &'static str,
    increasing: bool,
    when: &'static [When],
    /// The ends of f's domain, when finite. Outside it f(u) is undefined and a
    /// comparison with it false (as in IEEE arithmetic), so the solved bracket keeps
    /// the domain's bracket: [logit(u) ≥ c] = [u ≥ sigmoid(c)]·[u < 1], since for
    /// u = 1.5 the left side is 0 and [u ≥ sigmoid(c)] alone would be 1.
    domain: (Option<&'static str>, Option<&'static str>),
}

#[rustfmt::skip]
const SOLVE: &[Solve] = &[
    Solve { name: "add",      form: "(+ ?u ?b)",  inverse: "(- ?c ?b)",   increasing: true,  when: &[NoT("?b")], domain: (None, None) },
    Solve { name: "add-left", form: "(+ ?b ?u)",  inverse: "(- ?c ?b)",   increasing: true,  when: &[NoT("?b")], domain: (None, None) },
    Solve { name: "sub",      form: "(- ?u ?b)",  inverse: "(+ ?c ?b)",   increasing: true,  when: &[NoT("?b")], domain: (None, None) },
    Solve { name: "sub-from", form: "(- ?b ?u)",  inverse: "(- ?b ?c)",   increasing: false, when: &[NoT("?b")], domain: (None, None) },
    Solve { name: "neg",      form: "(neg ?u)",   inverse: "(neg ?c)",    increasing: false, when: &[], domain: (None, None) },
    Solve { name: "mul-pos",  form: "(* ?b ?u)",  inverse: "(/ ?c ?b)",   increasing: true,  when: &[NoT("?b"), Proves("?b", Positive)], domain: (None, None) },
    Solve { name: "mul-right-pos", form: "(* ?u ?b)", inverse: "(/ ?c ?b)", increasing: true, when: &[NoT("?b"), Proves("?b", Positive)], domain: (None, None) },
    Solve { name: "mul-right-neg", form: "(* ?u ?b)", inverse: "(/ ?c ?b)", increasing: false, when: &[NoT("?b"), Proves("?b", Negative)], domain: (None, None) },
    Solve { name: "mul-neg",  form: "(* ?b ?u)",  inverse: "(/ ?c ?b)",   increasing: false, when: &[NoT("?b"), Proves("?b", Negative)], domain: (None, None) },
    Solve { name: "div-pos",  form: "(/ ?u ?b)",  inverse: "(* ?c ?b)",   increasing: true,  when: &[NoT("?b"), Proves("?b", Positive)], domain: (None, None) },
    Solve { name: "div-neg",  form: "(/ ?u ?b)",  inverse: "(* ?c ?b)",   increasing: false, when: &[NoT("?b"), Proves("?b", Negative)], domain: (None, None) },
];

/// A [`Solve`] with its terms built: the table's, and those of the registry's maps.
struct Solving {
    name: String,
    form: String,
    inverse: String,
    increasing: bool,
    when: Vec<When>,
    domain: (Option<&'static str>, Option<&'static str>),
}

/// The table's forms, then the inverse of each increasing map of the registry that is
/// defined on all of R and has one piece: [g⁻¹(u) ≥ c] is [u ≥ g(c)] inside g's range.
fn solvings() -> Vec<Solving> {
    let table = SOLVE.iter().map(|s| Solving {
        name: s.name.to_string(),
        form: s.form.to_string(),
        inverse: s.inverse.to_string(),
        increasing: s.increasing,
        when: s.when.to_vec(),
        domain: s.domain,
    });
    let maps = FUNCTIONS.iter().filter_map(|f| {
        let m = f.map.as_ref().filter(|m| m.domain.is_none())?;
        let piece = m.single()?;
        Some(Solving {
            name: m.inverse_name.to_string(),
            form: piece.inverse.replace("?t", "?u"),
            inverse: format!("({} ?c)", f.op),
            increasing: true,
            when: vec![],
            domain: (piece.lo.map(|l| l.0), piece.hi),
        })
    });
    table.chain(maps).collect()
}

fn solve_rules() -> Vec<Rule> {
    let mut v = Vec::new();
    for Solving {
        name,
        form,
        inverse,
        increasing,
        when,
        domain,
    } in solvings()
    {
        for (rel, word) in [(">=", "ge"), (">", "gt")] {
            let words = format!(
                "solve the bracket for t: {} is {}",
                form.replace("?u", "u").replace("?b", "b"),
                if increasing {
                    "increasing in u"
                } else {
                    "decreasing in u"
                }
            );
            let (left, right) = if increasing {
                (
                    format!("({rel} ?u {})", inverse),
                    format!("({rel} {} ?u)", inverse),
                )
            } else {
                (
                    format!("({rel} {} ?u)", inverse),
                    format!("({rel} ?u {})", inverse),
                )
            };
            // [f(u) ≥ c] can only hold below f's upper end, [c ≥ f(u)] above its lower
            let (lo, hi) = domain;
            let left = match hi {
                Some(hi) => format!("(* {left} (> {hi} ?u))"),
                None => left,
            };
            let right = match lo {
                Some(lo) => format!("(* {right} (> ?u {lo}))"),
                None => right,
            };
            let mut when = when.clone();
            when.push(NoT("?c"));
            v.push(rule(
                A,
                &format!("solve-{}-{word}-left", name),
                &format!("({rel} {} ?c)", form),
                &left,
                &when,
                &words,
            ));
            v.push(rule(
                A,
                &format!("solve-{}-{word}-right", name),
                &format!("({rel} ?c {})", form),
                &right,
                &when,
                &words,
            ));
        }
    }
    v
}

/// Brackets on a function whose range is bounded below: decided when the other side
/// is below the range, solved by the inverse when it is inside.
#[rustfmt::skip]
fn range_brackets() -> Vec<Rule> {
    vec![
        rule(A, "exp-above-nonpos-ge", "(>= (exp ?u) ?c)", "1", &[Proves("?c", NonPositive)], "exp is positive, so [exp(u) >= c] = 1 for c <= 0").tagged(&[Tag::Solve]),
        rule(A, "exp-above-nonpos-gt", "(> (exp ?u) ?c)",  "1", &[Proves("?c", NonPositive)], "exp is positive, so [exp(u) > c] = 1 for c <= 0").tagged(&[Tag::Solve]),
        rule(A, "exp-below-nonpos-ge", "(>= ?c (exp ?u))", "0", &[Proves("?c", NonPositive)], "exp is positive, so [c >= exp(u)] = 0 for c <= 0").tagged(&[Tag::Solve]),
        rule(A, "exp-below-nonpos-gt", "(> ?c (exp ?u))",  "0", &[Proves("?c", NonPositive)], "exp is positive, so [c > exp(u)] = 0 for c <= 0").tagged(&[Tag::Solve]),
        rule(A, "solve-exp-ge-left",   "(>= (exp ?u) ?c)", "(>= ?u (log ?c))", &[Proves("?c", Positive), NoT("?c")], "solve the bracket for t: exp is increasing").tagged(&[Tag::Solve]),
        rule(A, "solve-exp-gt-left",   "(> (exp ?u) ?c)",  "(> ?u (log ?c))",  &[Proves("?c", Positive), NoT("?c")], "solve the bracket for t: exp is increasing").tagged(&[Tag::Solve]),
        rule(A, "solve-exp-ge-right",  "(>= ?c (exp ?u))", "(>= (log ?c) ?u)", &[Proves("?c", Positive), NoT("?c")], "solve the bracket for t: exp is increasing").tagged(&[Tag::Solve]),
        rule(A, "solve-exp-gt-right",  "(> ?c (exp ?u))",  "(> (log ?c) ?u)",  &[Proves("?c", Positive), NoT("?c")], "solve the bracket for t: exp is increasing").tagged(&[Tag::Solve]),
        rule(A, "solve-root-ge-left",  "(>= (root ?u ?n) ?c)", "(>= ?u (^ ?c ?n))",  &[Proves("?c", NonNegative), NoT("?c"), Proves("?n", Positive), NoT("?n")], "solve the bracket for t: u^(1/n) >= c >= 0 exactly when u >= c^n").tagged(&[Tag::Solve]),
        rule(A, "solve-root-gt-left",  "(> (root ?u ?n) ?c)",  "(> ?u (^ ?c ?n))",   &[Proves("?c", NonNegative), NoT("?c"), Proves("?n", Positive), NoT("?n")], "solve the bracket for t: u^(1/n) > c >= 0 exactly when u > c^n").tagged(&[Tag::Solve]),
        rule(A, "solve-root-ge-right", "(>= ?c (root ?u ?n))", "(* (>= (^ ?c ?n) ?u) (>= ?u 0))", &[Proves("?c", NonNegative), NoT("?c"), EvenInt("?n")], "solve the bracket for t: c >= u^(1/n), n even, exactly when 0 <= u <= c^n").tagged(&[Tag::Solve]),
        rule(A, "solve-root-gt-right", "(> ?c (root ?u ?n))",  "(* (> (^ ?c ?n) ?u) (>= ?u 0))",  &[Proves("?c", NonNegative), NoT("?c"), EvenInt("?n")], "solve the bracket for t: c > u^(1/n), n even, exactly when 0 <= u < c^n").tagged(&[Tag::Solve]),
        rule(A, "solve-root-odd-ge-left",  "(>= (root ?u ?n) ?c)", "(>= ?u (^ ?c ?n))", &[NoT("?c"), OddInt("?n")], "solve the bracket for t: u^(1/n), n odd, is increasing").tagged(&[Tag::Solve]),
        rule(A, "solve-root-odd-gt-left",  "(> (root ?u ?n) ?c)",  "(> ?u (^ ?c ?n))",  &[NoT("?c"), OddInt("?n")], "solve the bracket for t: u^(1/n), n odd, is increasing").tagged(&[Tag::Solve]),
        rule(A, "solve-root-odd-ge-right", "(>= ?c (root ?u ?n))", "(>= (^ ?c ?n) ?u)", &[NoT("?c"), OddInt("?n")], "solve the bracket for t: u^(1/n), n odd, is increasing").tagged(&[Tag::Solve]),
        rule(A, "solve-root-odd-gt-right", "(> ?c (root ?u ?n))",  "(> (^ ?c ?n) ?u)",  &[NoT("?c"), OddInt("?n")], "solve the bracket for t: u^(1/n), n odd, is increasing").tagged(&[Tag::Solve]),
        rule(A, "root-below-neg-ge", "(>= ?c (root ?u ?n))", "0", &[Proves("?c", Negative), EvenInt("?n")], "an even root is not negative"),
        rule(A, "root-below-neg-gt", "(> ?c (root ?u ?n))",  "0", &[Proves("?c", Negative), EvenInt("?n")], "an even root is not negative"),
        rule(A, "root-pow",     "(root (^ ?u ?n) ?n)", "?u", &[OddInt("?n")], "(u^n)^(1/n) = u for odd n"),
        rule(A, "pow-root",     "(^ (root ?u ?n) ?n)", "?u", &[OddInt("?n")], "(u^(1/n))^n = u for odd n"),
        rule(A, "root-pow-even","(root (^ ?u ?n) ?n)", "(abs ?u)", &[EvenInt("?n")], "(u^n)^(1/n) = |u| for even n"),
        rule(A, "pow-root-even","(^ (root ?u ?n) ?n)", "?u", &[EvenInt("?n"), Proves("?u", NonNegative)], "(u^(1/n))^n = u for u >= 0"),
        rule(A, "square-above-nonpos-ge", "(>= (^ ?u 2) ?c)", "1", &[Proves("?c", NonPositive)], "a square is non-negative, so [u^2 >= c] = 1 for c <= 0").tagged(&[Tag::Solve]),
        rule(A, "square-above-neg-gt",    "(> (^ ?u 2) ?c)",  "1", &[Proves("?c", Negative)],    "a square is non-negative, so [u^2 > c] = 1 for c < 0").tagged(&[Tag::Solve]),
        rule(A, "solve-square-gt-left",  "(> (^ ?u 2) ?c)",  "(+ (> ?u (sqrt ?c)) (> (neg (sqrt ?c)) ?u))",  &[Proves("?c", NonNegative), NoT("?c")], "solve the bracket for t: u^2 > c exactly when u > sqrt(c) or u < -sqrt(c)").tagged(&[Tag::Solve]),
        rule(A, "solve-square-ge-left",  "(>= (^ ?u 2) ?c)", "(+ (>= ?u (sqrt ?c)) (>= (neg (sqrt ?c)) ?u))", &[Proves("?c", Positive), NoT("?c")], "solve the bracket for t: u^2 >= c exactly when u >= sqrt(c) or u <= -sqrt(c)").tagged(&[Tag::Solve]),
        rule(A, "solve-square-gt-right", "(> ?c (^ ?u 2))",  "(* (> (sqrt ?c) ?u) (> ?u (neg (sqrt ?c))))",  &[Proves("?c", NonNegative), NoT("?c")], "solve the bracket for t: u^2 < c exactly when -sqrt(c) < u < sqrt(c)").tagged(&[Tag::Solve]),
        rule(A, "solve-square-ge-right", "(>= ?c (^ ?u 2))", "(* (>= (sqrt ?c) ?u) (>= ?u (neg (sqrt ?c))))", &[Proves("?c", NonNegative), NoT("?c")], "solve the bracket for t: u^2 <= c exactly when -sqrt(c) <= u <= sqrt(c)").tagged(&[Tag::Solve]),
    ]
}

/// Each one-piece map of the registry undone by its inverse, and its inverse by it:
/// g⁻¹(g(u)) = u on g's domain, g(g⁻¹(u)) = u on g's range (where the analysis proves
/// u is there).
fn inverse_identities() -> Vec<Rule> {
    let mut v: Vec<Rule> = Vec::new();
    for f in FUNCTIONS {
        let Some((m, piece)) = f.map.as_ref().and_then(|m| Some((m, m.single()?))) else {
            continue;
        };
        let g = format!("({} ?u)", f.op);
        let undo = piece.inverse.replace("?t", &g);
        let when: Vec<When> = m.domain.map(|d| Proves("?u", d)).into_iter().collect();
        let left = rule(
            A,
            &format!("{}-{}", m.inverse_name, f.op),
            &undo,
            "?u",
            &when,
            &format!("g^-1(g(u)) = u for g = {}{}", f.op, domain_words(m.domain)),
        );
        let inverse = piece.inverse.replace("?t", "?u");
        let redo = format!("({} {inverse})", f.op);
        if let Some((when, words)) = range_condition(piece) {
            let right = rule(
                A,
                &format!("{}-{}", f.op, m.inverse_name),
                &redo,
                "?u",
                &when,
                &format!("g(g^-1(u)) = u for g = {}{words}", f.op),
            );
            for r in [left, right] {
                // log's inverse is exp's: its identities are exp's, the other way round
                if !v.iter().any(|o| o.info.lhs == r.info.lhs) {
                    v.push(r);
                }
            }
        } else if !v.iter().any(|o| o.info.lhs == left.info.lhs) {
            v.push(left);
        }
    }
    v
}

fn domain_words(domain: Option<crate::lang::Need>) -> &'static str {
    match domain {
        None => "",
        Some(Positive) => ", u > 0",
        Some(NonNegative) => ", u >= 0",
        Some(Negative) => ", u < 0",
        Some(NonPositive) => ", u <= 0",
        Some(NonZero) => ", u != 0",
    }
}

/// What the analysis must prove for u to be in a piece's range, and in words; `None`
/// for a range it cannot state.
fn range_condition(piece: &crate::lang::functions::Piece) -> Option<(Vec<When>, String)> {
    let whole = |s: &str| s.parse::<i64>().ok();
    Some(match (piece.lo, piece.hi) {
        (None, None) => (vec![], String::new()),
        (Some(("0", false)), None) => (vec![Proves("?u", Positive)], ", u > 0".into()),
        (Some(("0", true)), None) => (vec![Proves("?u", NonNegative)], ", u >= 0".into()),
        (None, Some("0")) => (vec![Proves("?u", Negative)], ", u < 0".into()),
        (Some((lo, _)), Some(hi)) => {
            let (a, b) = (whole(lo)?, whole(hi)?);
            (
                vec![Inside("?u", a, b)],
                format!(", where g^-1 is defined ({a} < u < {b})"),
            )
        }
        _ => return None,
    })
}

pub fn rules() -> Vec<Rule> {
    let mut v = identities();
    v.extend(inverse_identities());
    v.extend(range_brackets());
    v.extend(tag_all(limits(), &[Tag::Solve]));
    v.extend(tag_all(solve_rules(), &[Tag::Solve]));
    v
}
