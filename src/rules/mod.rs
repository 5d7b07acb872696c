//! The rewrite rules, one file per family, and the catalogue that names and describes
//! them. A rule's name is what a derivation shows, so names are stable.
//!
//! Conditions are small factories in the style of egg's `tests/math.rs`: they return
//! true only when the analysis *proves* the fact, and when they cannot they record
//! what was missing, so that a failed derivation can say which `assume` to add.

mod algebra;
mod cdf;
mod diff;
mod normal;
#[cfg(test)]
mod sound;

use crate::lang::{EGraph, Missing, Need, Node, Rewrite, Sign};
use egg::{ConditionalApplier, Id, Pattern, Subst, Var};
use std::sync::OnceLock;

/// Which part of a derivation a rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Closure of the Normal under affine maps and weighted sums.
    Normal,
    /// CDF rules: change of variables, flat pieces, order statistics.
    Cdf,
    /// Derivative rules.
    Diff,
    /// Algebra, constant folding and limits: shown merged as one "simplify" step.
    Algebra,
}

/// What a phase of a derivation selects a rule by, besides its family (Herbie's
/// rulesets are the model): renaming a rule never moves it to another phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// Reorders terms rather than simplifying them: run only in the final tidying.
    Reorder,
    /// Regroups nested quotients, which the chain rule through n maps makes n deep:
    /// left out while differentiating deep compositions.
    Regroup,
    /// P(Y ≤ t) of a chain inside its support (the `cdf-in` phase).
    InsideCdf,
    /// The density of a chain inside its support (the `pdf-in` phase).
    InsideDensity,
    /// Solves or decides a bracket in t, or carries a limit at ±∞ into one: the
    /// final simplification, after the brackets are solved, leaves these out.
    Solve,
}

/// A rule as a user reads about it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleInfo {
    pub name: String,
    pub family: Family,
    /// What the rule does, in plain words (ASCII, so it can go into LaTeX `\text{}`).
    pub description: String,
    /// Left-hand side, right-hand side and conditions, as s-expressions.
    pub lhs: String,
    pub rhs: String,
    pub conditions: Vec<String>,
}

/// A fact a rule needs before it may fire.
#[derive(Clone, Copy, Debug)]
pub enum When {
    /// The variable's value has this sign (for a random term: almost surely).
    Proves(&'static str, Need),
    /// As `Proves`, but a failure is no reason to ask for an assumption (for rules that
    /// only tidy, and would otherwise fill error messages with irrelevant hints).
    Known(&'static str, Need),
    /// The variable is not random (a constant or parameter expression).
    NotRandom(&'static str),
    /// The variable is random.
    Random(&'static str),
    /// The variable does not depend on t.
    NoT(&'static str),
    /// The variable is a finite real number.
    Finite(&'static str),
    /// Defined for every t (see `Data::total`).
    Total(&'static str),
    /// A strictly monotone map of a Normal (see `Data::chain`).
    Chain(&'static str),
    /// The variable is an Iverson bracket, valued in {0, 1}.
    Bracket(&'static str),
    /// The weight list has a weight that is provably not zero.
    SomeWeightNonZero(&'static str),
    /// An exact rational constant.
    IsNum(&'static str),
    /// 1 ≤ K ≤ N for the K and N of an order statistic: proved for numbers; for
    /// parameters it is what every value is checked against (`eval::bind`).
    OrderPair(&'static str, &'static str),
    /// A whole number >= 2 that is even, or >= 1 that is odd.
    EvenInt(&'static str),
    OddInt(&'static str),
    /// Both are constants (no t, no parameter) and the first is clearly the larger.
    SurelyGreater(&'static str, &'static str),
    /// Both are constants and the first is at most the second (exactly for numbers,
    /// clearly in floating point for constants such as tanh(3)).
    NumLe(&'static str, &'static str),
    /// Both are constants and the first is below the second.
    NumLt(&'static str, &'static str),
    /// Neither is random nor depends on t, and one of them involves a parameter.
    Parametric(&'static str, &'static str),
    /// A constant strictly between two whole numbers (by its value, or its bounds).
    Inside(&'static str, i64, i64),
}

impl When {
    fn describe(self) -> String {
        match self {
            When::Proves(v, f) | When::Known(v, f) => format!("{v} {}", f.relation()),
            When::NotRandom(v) => format!("{v} is not random"),
            When::Random(v) => format!("{v} is random"),
            When::NoT(v) => format!("{v} does not depend on t"),
            When::Finite(v) => format!("{v} is finite"),
            When::Total(v) => format!("{v} is defined for every t"),
            When::Chain(v) => format!("{v} is a strictly monotone map of a Normal"),
            When::Bracket(v) => format!("{v} is an Iverson bracket"),
            When::SomeWeightNonZero(v) => format!("some weight of {v} is not 0"),
            When::IsNum(v) => format!("{v} is a number"),
            When::OrderPair(k, n) => format!("1 <= {k} <= {n}"),
            When::EvenInt(v) => format!("{v} is an even whole number"),
            When::OddInt(v) => format!("{v} is an odd whole number"),
            When::SurelyGreater(a, b) => {
                format!(
                    "{a} > {b} by more than 1e-9 relative, or by the assumptions, both constants"
                )
            }
            When::NumLe(a, b) => format!("{a} <= {b}, both constants"),
            When::NumLt(a, b) => format!("{a} < {b}, both constants"),
            When::Parametric(a, b) => format!("{a} or {b} involves a parameter"),
            When::Inside(v, lo, hi) => format!("{lo} < {v} < {hi}"),
        }
    }

    fn check(self, egraph: &mut EGraph, subst: &Subst) -> bool {
        let var = |v: &str| -> Id {
            let v: Var = v.parse().expect("rule variables are well-formed");
            subst[v]
        };
        match self {
            When::Proves(v, need) => {
                let id = var(v);
                let ok = egraph[id].data.sign.within(need.sign());
                if !ok {
                    let class = egraph.find(id);
                    egraph.analysis.missing.insert(Missing { class, need });
                }
                ok
            }
            When::Known(v, need) => egraph[var(v)].data.sign.within(need.sign()),
            When::NotRandom(v) => !egraph[var(v)].data.random,
            When::Random(v) => egraph[var(v)].data.random,
            When::NoT(v) => !egraph[var(v)].data.has_t,
            When::Finite(v) => egraph[var(v)].data.finite,
            When::Total(v) => egraph[var(v)].data.total,
            When::Chain(v) => egraph[var(v)].data.chain,
            When::Bracket(v) => egraph[var(v)].data.bracket,
            When::IsNum(v) => egraph[var(v)]
                .data
                .num
                .as_ref()
                .is_some_and(|n| n.0.rat().is_some()),
            When::OrderPair(k, n) => order_pair(egraph, var(k), var(n)),
            When::EvenInt(v) | When::OddInt(v) => {
                let whole = egraph[var(v)]
                    .data
                    .num
                    .as_ref()
                    .and_then(|n| n.0.rat().filter(|r| r.is_integer()).map(|r| r.to_integer()));
                let even = matches!(self, When::EvenInt(_));
                whole.is_some_and(|k| {
                    let two = num_bigint::BigInt::from(2);
                    let positive = k >= num_bigint::BigInt::from(1);
                    positive && ((&k % &two == num_bigint::BigInt::from(0)) == even)
                })
            }
            When::NumLe(a, b) | When::NumLt(a, b) => {
                let num = |id: Id| egraph[id].data.num.as_ref().map(|n| n.0.clone());
                let approx = |id: Id| egraph[id].data.approx;
                match (num(var(a)), num(var(b))) {
                    (Some(x), Some(y)) => {
                        if matches!(self, When::NumLe(..)) {
                            x <= y
                        } else {
                            x < y
                        }
                    }
                    // constants such as tanh(3): only a clear difference decides;
                    // with parameters, the bounds their assumptions give
                    _ => match (approx(var(a)), approx(var(b))) {
                        (Some(x), Some(y)) => crate::lang::surely_greater(y, x),
                        _ => below(egraph, var(a), var(b)),
                    },
                }
            }
            When::Parametric(a, b) => {
                let constant = |d: &crate::lang::Data| !d.random && !d.has_t;
                let (da, db) = (&egraph[var(a)].data, &egraph[var(b)].data);
                constant(da) && constant(db) && (da.approx.is_none() || db.approx.is_none())
            }
            When::Inside(v, lo, hi) => strictly_between(&egraph[var(v)].data, lo, hi),
            When::SurelyGreater(a, b) => {
                match (egraph[var(a)].data.approx, egraph[var(b)].data.approx) {
                    (Some(x), Some(y)) => crate::lang::surely_greater(x, y),
                    _ => below(egraph, var(b), var(a)),
                }
            }
            When::SomeWeightNonZero(v)
                if egraph[var(v)]
                    .nodes
                    .iter()
                    .any(|n| matches!(n, Node::Symbol(_))) =>
            {
                // a weight vector by name: all zero is refused when it gets a value
                true
            }
            When::SomeWeightNonZero(v) => some_weight_nonzero(egraph, var(v)),
        }
    }
}

/// 1 ≤ K ≤ N for numbers; a parameter is checked against it when it gets a value.
fn order_pair(egraph: &EGraph, k: Id, n: Id) -> bool {
    let num = |id: Id| {
        egraph[id]
            .data
            .num
            .as_ref()
            .and_then(|x| x.0.rat().cloned())
    };
    let symbol = |id: Id| {
        egraph[id]
            .nodes
            .iter()
            .any(|x| matches!(x, Node::Symbol(_)))
    };
    match (num(k), num(n)) {
        (Some(k), Some(n)) => k >= num_rational::BigRational::from_integer(1.into()) && k <= n,
        (Some(k), None) => k >= num_rational::BigRational::from_integer(1.into()) && symbol(n),
        _ => symbol(k) && (symbol(n) || num(n).is_some()),
    }
}

/// Some weight of a cons list is provably not 0; otherwise the first weight is recorded
/// as needing to be.
fn some_weight_nonzero(egraph: &mut EGraph, list: Id) -> bool {
    let mut id = list;
    let mut first = None;
    // walk the cons list; bounded by the number of classes
    for _ in 0..egraph.number_of_classes() {
        let cons = egraph[id].nodes.iter().find_map(|n| match n {
            Node::Cons([h, r]) => Some((*h, *r)),
            _ => None,
        });
        let Some((h, r)) = cons else { break };
        first.get_or_insert(h);
        if egraph[h].data.sign.0 & Sign::ZERO.0 == 0 {
            return true;
        }
        id = r;
    }
    if let Some(h) = first {
        let class = egraph.find(h);
        egraph.analysis.missing.insert(Missing {
            class,
            need: Need::NonZero,
        });
    }
    false
}

/// A constant strictly between two whole numbers, by its value or its bounds.
fn strictly_between(data: &crate::lang::Data, lo: i64, hi: i64) -> bool {
    let (lo, hi) = (lo as f64, hi as f64);
    match (data.approx, &data.bounds) {
        (Some(x), _) => x > lo && x < hi,
        (None, Some(b)) => {
            let point = |k: f64| {
                crate::lang::bounds::Interval::point(&num_rational::BigRational::from_integer(
                    (k as i64).into(),
                ))
            };
            point(lo).below(b) && b.below(&point(hi))
        }
        _ => false,
    }
}

/// Every value of class `a` is below every value of class `b`, by the bounds the
/// assumptions give (for constants with parameters, such as `lo` and `hi` under
/// `assume lo < 0` and `assume hi > 0`).
fn below(egraph: &EGraph, a: Id, b: Id) -> bool {
    match (&egraph[a].data.bounds, &egraph[b].data.bounds) {
        (Some(x), Some(y)) => x.below(y),
        _ => false,
    }
}

/// One rule: its rewrite and what it means.
pub struct Rule {
    pub rewrite: Rewrite,
    pub info: RuleInfo,
    /// Its conditions, for tests that instantiate rules.
    #[cfg(test)]
    pub when: Vec<When>,
    pub tags: Vec<Tag>,
}

impl Rule {
    /// The rule with these tags too.
    pub fn tagged(mut self, tags: &[Tag]) -> Rule {
        self.tags.extend_from_slice(tags);
        self
    }

    pub fn has(&self, tag: Tag) -> bool {
        self.tags.contains(&tag)
    }
}

/// Every rule of a list tagged.
pub fn tag_all(rules: Vec<Rule>, tags: &[Tag]) -> Vec<Rule> {
    rules.into_iter().map(|r| r.tagged(tags)).collect()
}

/// Build a rule from s-expression patterns. The patterns are this crate's own, so a
/// malformed one is a bug that the catalogue test catches, never user input.
pub fn rule(
    family: Family,
    name: &str,
    lhs: &str,
    rhs: &str,
    when: &[When],
    description: &str,
) -> Rule {
    let l: Pattern<Node> = lhs.parse().unwrap_or_else(|e| panic!("rule {name}: {e}"));
    let r: Pattern<Node> = rhs.parse().unwrap_or_else(|e| panic!("rule {name}: {e}"));
    let conds: Vec<When> = when.to_vec();
    let rewrite = if conds.is_empty() {
        Rewrite::new(name, l, r)
    } else {
        let condition =
            move |eg: &mut EGraph, _id: Id, s: &Subst| conds.iter().all(|c| c.check(eg, s));
        Rewrite::new(
            name,
            l,
            ConditionalApplier {
                condition,
                applier: r,
            },
        )
    }
    .unwrap_or_else(|e| panic!("rule {name}: {e}"));
    Rule {
        #[cfg(test)]
        when: when.to_vec(),
        tags: Vec::new(),
        rewrite,
        info: RuleInfo {
            name: name.to_string(),
            family,
            description: description.to_string(),
            lhs: lhs.to_string(),
            rhs: rhs.to_string(),
            conditions: when.iter().map(|w| w.describe()).collect(),
        },
    }
}

/// Every rule, in catalogue order.
pub fn all() -> &'static [Rule] {
    static ALL: OnceLock<Vec<Rule>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut v = normal::rules();
        v.extend(cdf::rules());
        v.extend(diff::rules());
        v.extend(algebra::rules());
        v
    })
}

/// The rules that derive a CDF: Normal closure, CDF rules and simplifications.
pub fn for_cdf() -> &'static [Rewrite] {
    static SET: OnceLock<Vec<Rewrite>> = OnceLock::new();
    SET.get_or_init(|| {
        select(|r| r.info.family != Family::Diff && !r.has(Tag::Reorder) && !inside(r))
    })
}

/// The rules of a chain's CDF and density inside its support, which no other phase
/// needs.
fn inside(r: &Rule) -> bool {
    r.has(Tag::InsideCdf) || r.has(Tag::InsideDensity)
}

/// The rules that derive a CDF inside its support (a strictly monotone map of a
/// Normal, after the step [`CDF_SUPPORT`]): one rule per map and affine step. There is
/// no bracket to solve, and the final tidying simplifies; with the algebra rules, each
/// of the n iterations (one per map) would search 300 rules for nothing.
pub fn for_chain() -> &'static [Rewrite] {
    static SET: OnceLock<Vec<Rewrite>> = OnceLock::new();
    SET.get_or_init(|| select(|r| r.has(Tag::InsideCdf)))
}

/// The rules that give a chain's density inside its support, from
/// `[lo < t < hi]·d/dt P(Y ≤ t)` ([`D_CONTINUOUS`]): the derivative of P(Y ≤ t) there and
/// the densities' change of variables, one rule per map; the final tidying does the
/// algebra.
pub fn for_chain_pdf() -> &'static [Rewrite] {
    static SET: OnceLock<Vec<Rewrite>> = OnceLock::new();
    SET.get_or_init(|| select(|r| r.has(Tag::InsideDensity)))
}

/// The rules that differentiate a CDF: derivative rules and simplifications. With
/// `regroup` false, nested quotients are regrouped only in the final tidying: the chain
/// rule through n nested maps gives n nested quotients, and regrouping builds every
/// grouping of them, which fills the e-graph to its node limit within a few layers.
pub fn for_pdf(regroup: bool) -> &'static [Rewrite] {
    static SETS: [OnceLock<Vec<Rewrite>>; 2] = [OnceLock::new(), OnceLock::new()];
    SETS[usize::from(regroup)].get_or_init(|| {
        select(|r| {
            matches!(r.info.family, Family::Diff | Family::Algebra)
                && !r.has(Tag::Reorder)
                && !inside(r)
                && (regroup || !r.has(Tag::Regroup))
        })
    })
}

/// Simplifications only (no reordering): one-sided limits, identities, folding.
pub fn for_tidy() -> &'static [Rewrite] {
    static SET: OnceLock<Vec<Rewrite>> = OnceLock::new();
    SET.get_or_init(|| select(|r| r.info.family == Family::Algebra && !r.has(Tag::Reorder)))
}

/// The final tidying of a result: identities, limits and reordering. Brackets are
/// solved by then, so those rules are left out (they are most of the algebra rules,
/// and the e-graph is largest here).
pub fn for_simplify() -> &'static [Rewrite] {
    static SET: OnceLock<Vec<Rewrite>> = OnceLock::new();
    SET.get_or_init(|| select(|r| r.info.family == Family::Algebra && !r.has(Tag::Solve)))
}

fn select(keep: impl Fn(&Rule) -> bool) -> Vec<Rewrite> {
    all()
        .iter()
        .filter(|r| keep(r))
        .map(|r| r.rewrite.clone())
        .collect()
}

/// The catalogue entry of a rule, by name.
pub fn info(name: &str) -> Option<&'static RuleInfo> {
    all().iter().map(|r| &r.info).find(|i| i.name == name)
}

/// Steps that are not rewrites of a rule: constant folding by the analysis, and the
/// jump decomposition of the distributional derivative.
pub const CONST_FOLD: &str = "const-fold";
pub const D_DISTRIBUTIONAL: &str = "d-distributional";
/// The split of a CDF at the ends of the support of a strictly monotone map of a
/// Normal, and the derivative of that CDF, which has no jumps.
pub const CDF_SUPPORT: &str = "cdf-support";
pub const D_CONTINUOUS: &str = "d-continuous";
/// A phase whose explanation was too long to show rewrite by rewrite.
pub const CONDENSED: &str = "condensed";
/// The CDF and density of a weighted sum of iid copies of a non-Normal law, which
/// have no closed form: named, and computed numerically.
pub const CONV_NUMERIC: &str = "conv-numeric";
pub const CONV_NUMERIC_D: &str = "conv-numeric-d";
/// A Bernoulli input summed over its two outcomes.
pub const MIXTURE: &str = "mixture";
pub const MIXTURE_LAWS: &str = "mixture-laws";
pub const MIXTURE_D: &str = "mixture-d";
/// The law of a constant.
pub const POINT: &str = "point";
/// A linear combination of independent Normal inputs, one Normal input.
pub const NORMAL_SUM: &str = "normal-sum";
/// The law of a Uniform input.
pub const UNIFORM: &str = "uniform";
/// The most terms an explanation may build before its phase is [`CONDENSED`].
pub const MAX_EXPLANATION_TERMS: usize = 100_000;
/// Dirac terms whose masses cancel, recognised by a polynomial normal form.
pub const ZERO_MASS: &str = "zero-mass";

/// Plain-words description of any step name, rules and the special steps alike.
pub fn describe(name: &str) -> String {
    match name {
        CONST_FOLD => "exact arithmetic on constants".into(),
        CONDENSED => format!(
            "more than {} rewrites, shown as one step; the rules used",
            MAX_EXPLANATION_TERMS
        ),
        ZERO_MASS => "a Dirac term whose mass is identically 0 (its terms cancel in a polynomial normal form, with Phi(-u) = 1 - Phi(u)) is dropped".into(),
        CONV_NUMERIC => "a sum of independent terms (iid copies, or terms of different inputs): their laws' convolution, computed numerically".into(),
        MIXTURE => "a Bernoulli input m, 1 with probability p: P(Y <= t) = (1 - p) P(Y <= t | m = 0) + p P(Y <= t | m = 1), Y given each outcome written with m replaced by it".into(),
        MIXTURE_LAWS => "each outcome's law, derived on its own".into(),
        MIXTURE_D => "the outcomes' densities and atoms, weighted by their probabilities".into(),
        POINT => "a constant c: P(c <= t) = [t >= c], an atom of mass 1 at c".into(),
        NORMAL_SUM => "independent Normals: c1 X1 + ... + cn Xn + c with Xi ~ N(mi, si^2) is N(c1 m1 + ... + cn mn + c, c1^2 s1^2 + ... + cn^2 sn^2), one Normal input S".into(),
        UNIFORM => "U ~ Uniform(a, b): P(U <= t) = clamp((t - a)/(b - a), 0, 1), density 1/(b - a) on (a, b)".into(),
        CONV_NUMERIC_D => "the densities' convolution, and the atoms".into(),
        CDF_SUPPORT => "Y is a strictly monotone map of a Normal, so its support is the open interval (lo, hi) that the map makes of R: F_Y(t) is 0 below lo, 1 above hi, and P(Y <= t) with t inside the support between".into(),
        D_CONTINUOUS => "Y is a strictly monotone map of a Normal: its CDF is continuous (no atoms, so no Dirac terms), 0 below its support (lo, hi) and 1 above, so its derivative is [lo < t < hi] d/dt P(Y <= t)".into(),
        D_DISTRIBUTIONAL => {
            "derivative in the sense of distributions: the classical derivative plus, at each jump c of the CDF, (F(c+) - F(c-)) delta(t - c)".into()
        }
        _ => info(name).map_or_else(|| name.to_string(), |i| i.description.clone()),
    }
}

/// The family of a step name (the special steps count as algebra and derivative).
pub fn family(name: &str) -> Family {
    match name {
        CONST_FOLD => Family::Algebra,
        CDF_SUPPORT | CONV_NUMERIC | MIXTURE | MIXTURE_LAWS | POINT | UNIFORM | NORMAL_SUM => {
            Family::Cdf
        }
        D_DISTRIBUTIONAL | D_CONTINUOUS | CONDENSED | ZERO_MASS | CONV_NUMERIC_D | MIXTURE_D => {
            Family::Diff
        }
        _ => info(name).map_or(Family::Algebra, |i| i.family),
    }
}

/// The rule catalogue as Markdown: `docs/rules.md` is this text.
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Rule catalogue\n\nGenerated by `pushforward rules`; do not edit. Every rule is checked for soundness by sampling (`src/rules/sound.rs`). A derivation names its steps by these descriptions; the algebra rules are shown merged as \"simplify\".\n",
    );
    let families = [
        (Family::Normal, "Closure of the Normal"),
        (Family::Cdf, "CDF rules"),
        (Family::Diff, "Derivative rules"),
        (Family::Algebra, "Algebra, limits and brackets"),
    ];
    for (family, title) in families {
        out.push_str(&format!(
            "\n## {title}\n\n| name | rewrites | to | when | meaning |\n|---|---|---|---|---|\n"
        ));
        for r in all().iter().filter(|r| r.info.family == family) {
            let i = &r.info;
            let when = if i.conditions.is_empty() {
                String::new()
            } else {
                i.conditions.join(", ")
            };
            out.push_str(&format!(
                "| `{}` | `{}` | `{}` | {} | {} |\n",
                i.name,
                i.lhs,
                i.rhs,
                when.replace('|', "\\|"),
                i.description.replace('|', "\\|")
            ));
        }
    }
    out.push_str(&format!(
        "\n## Steps that are not rewrite rules\n\n| name | meaning |\n|---|---|\n| `{CONST_FOLD}` | {} |\n| `{CDF_SUPPORT}` | {} |\n| `{D_DISTRIBUTIONAL}` | {} |\n| `{D_CONTINUOUS}` | {} |\n| `{CONDENSED}` | {} |\n| `{ZERO_MASS}` | {} |\n| `{CONV_NUMERIC}` | {} |\n| `{CONV_NUMERIC_D}` | {} |\n| `{MIXTURE}` | {} |\n| `{MIXTURE_LAWS}` | {} |\n| `{MIXTURE_D}` | {} |\n| `{POINT}` | {} |\n| `{UNIFORM}` | {} |\n| `{NORMAL_SUM}` | {} |\n",
        describe(CONST_FOLD),
        describe(CDF_SUPPORT),
        describe(D_DISTRIBUTIONAL),
        describe(D_CONTINUOUS),
        describe(CONDENSED),
        describe(ZERO_MASS),
        describe(CONV_NUMERIC),
        describe(CONV_NUMERIC_D),
        describe(MIXTURE),
        describe(MIXTURE_LAWS),
        describe(MIXTURE_D),
        describe(POINT),
        describe(UNIFORM),
        describe(NORMAL_SUM)
    ));
    out
}
