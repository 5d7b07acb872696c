//! The paper (`../shared/paper/gaussian-noise-through-nn.md`, Li, *Gaussian Noise Passes
//! Through Neural Network*) reproduced from the programs in `examples/paper/`: for
//! each of its Sections 2.1 to 2.6 our derivation and a comparison of our CDF and PDF
//! with the formulas it prints, and for each statement it makes about a figure a
//! numeric test with the numbers behind it.
//!
//! The paper's figures are not in its text; their parameter values are read off the
//! text ("fix σ = 1 and tune μ"), and where the text gives no values the ones used
//! here are stated with each comparison.
//!
//! This module holds the sections, the comparison of each with the paper's formulas
//! and the report; the tests of the statements about figures are in `claims`.

mod claims;

use crate::check::quad;
use crate::error::Result;
use crate::eval::{Law, Values};
use crate::lang::special;
use crate::Derivation;
use serde::Serialize;

use claims::claims;
pub use claims::Claim;

/// A paper section's program, as in `examples/paper/`.
pub(crate) struct Section {
    pub number: &'static str,
    pub title: &'static str,
    pub file: &'static str,
    pub source: &'static str,
}

pub(crate) const SECTIONS: &[Section] = &[
    Section {
        number: "2.1",
        title: "Convolution",
        file: "conv.pf",
        source: include_str!("../../examples/paper/conv.pf"),
    },
    Section {
        number: "2.2",
        title: "ReLU",
        file: "relu.pf",
        source: include_str!("../../examples/paper/relu.pf"),
    },
    Section {
        number: "2.3",
        title: "Leaky ReLU",
        file: "leaky_relu.pf",
        source: include_str!("../../examples/paper/leaky_relu.pf"),
    },
    Section {
        number: "2.4",
        title: "Tanh",
        file: "tanh.pf",
        source: include_str!("../../examples/paper/tanh.pf"),
    },
    Section {
        number: "2.5",
        title: "Sigmoid",
        file: "sigmoid.pf",
        source: include_str!("../../examples/paper/sigmoid.pf"),
    },
    Section {
        number: "2.6",
        title: "Max-pooling",
        file: "maxpool.pf",
        source: include_str!("../../examples/paper/maxpool.pf"),
    },
];

/// Parameter values, by name.
pub(crate) type Params = Vec<(&'static str, f64)>;

fn values(p: &Params) -> Values {
    let mut v = Values::default();
    for (k, x) in p {
        v.insert(k, *x);
    }
    v
}

fn get(p: &Params, k: &str) -> f64 {
    p.iter()
        .find(|(n, _)| *n == k)
        .map_or(f64::NAN, |(_, v)| *v)
}

fn phi(z: f64) -> f64 {
    special::std_normal_cdf(z)
}
fn dens(z: f64) -> f64 {
    special::std_normal_pdf(z)
}

/// The formulas the paper prints for a section: its CDF (where it prints one) and its
/// PDF, each `None` where the paper says nothing (outside the range it states).
struct Printed {
    pub cdf: Option<fn(f64, &Params) -> Option<f64>>,
    pub pdf: fn(f64, &Params) -> Option<f64>,
    /// The parameter sets compared: those of its figures, read off the text.
    pub params: Vec<Params>,
    /// Where the parameter values come from.
    pub source: &'static str,
    /// What a difference means, for the sections where the printed formula is known
    /// to cover less than the figures do.
    pub note: &'static str,
}

fn printed(number: &str) -> Printed {
    let sets = |mus: &[f64], sigmas: &[f64]| -> Vec<Params> {
        let mut v = Vec::new();
        for &m in mus {
            for &s in sigmas {
                v.push(vec![("mu", m), ("sigma", s)]);
            }
        }
        v
    };
    match number {
        // f_Y(t) = exp(−t²/(2σ²Σw²)) / (√(2πΣw²) σ), for x ~ N(0, σ²)
        "2.1" => Printed {
            cdf: None,
            pdf: |t, p| {
                let (s, w) = (get(p, "sigma"), [get(p, "w1"), get(p, "w2"), get(p, "w3")]);
                let s2: f64 = w.iter().map(|x| x * x).sum();
                Some((-t * t / (2.0 * s * s * s2)).exp() / ((2.0 * std::f64::consts::PI * s2).sqrt() * s))
            },
            params: [0.5, 1.0, 2.0]
                .iter()
                .map(|&s| vec![("mu", 0.0), ("sigma", s), ("w1", 0.25), ("w2", 0.5), ("w3", 0.25)])
                .collect(),
            source: "no figure; the section's x ~ N(0, σ²), σ = 0.5, 1, 2, weights [0.25, 0.5, 0.25] chosen here",
            note: "",
        },
        // F_Y(t) = F_x(t) and f_Y(t) = f_x(t), both "(t ≥ 0)"
        "2.2" => Printed {
            cdf: Some(|t, p| (t >= 0.0).then(|| phi(t / get(p, "sigma")))),
            pdf: |t, p| (t >= 0.0).then(|| dens(t / get(p, "sigma")) / get(p, "sigma")),
            params: sets(&[0.0], &[0.5, 1.0, 2.0]),
            source: "no figure; the section's x ~ N(0, σ²), σ = 0.5, 1, 2 chosen here",
            note: "The printed density is right for t > 0, but Y = 0 whenever x ≤ 0: the CDF jumps by P(x ≤ 0) at 0, and the printed PDF, with no Dirac term, misses that mass.",
        },
        // F_Y(t) = F_x(t) for t ≥ 0 and F_x(t/α) below; f_Y likewise with 1/α
        "2.3" => Printed {
            cdf: Some(|t, p| {
                let (s, a) = (get(p, "sigma"), get(p, "alpha"));
                Some(if t >= 0.0 { phi(t / s) } else { phi(t / (a * s)) })
            }),
            pdf: |t, p| {
                let (s, a) = (get(p, "sigma"), get(p, "alpha"));
                Some(if t >= 0.0 { dens(t / s) / s } else { dens(t / (a * s)) / (a * s) })
            },
            params: [0.1, 0.5].iter().map(|&a| vec![("mu", 0.0), ("sigma", 1.0), ("alpha", a)]).collect(),
            source: "Figure 1 (LeakyReLU and Gaussian) gives no values; σ = 1, α = 0.1 and 0.5 chosen here",
            note: "",
        },
        // F_Y(t) = P(x ≤ ½ ln((1+t)/(1−t))) and f_Y(t) = exp(−(ln((1+t)/(1−t)))²/(8σ²)) / (√(2π) σ (1 − t²)), |t| < 1
        "2.4" => Printed {
            cdf: Some(|t, p| (t.abs() < 1.0).then(|| phi(0.5 * ((1.0 + t) / (1.0 - t)).ln() / get(p, "sigma")))),
            pdf: |t, p| {
                let s = get(p, "sigma");
                (t.abs() < 1.0).then(|| {
                    let l = ((1.0 + t) / (1.0 - t)).ln();
                    (-(l * l) / (8.0 * s * s)).exp() / ((2.0 * std::f64::consts::PI).sqrt() * s * (1.0 - t * t))
                })
            },
            params: [sets(&[-1.0, 0.0, 1.0], &[1.0]), sets(&[0.0], &[0.5, 2.0])].concat(),
            source: "Figure 2 (σ = 1, μ tuned: μ = -1, 0, 1 here) and Figure 3 (μ = 0, σ tuned: 0.5, 1, 2 here)",
            note: "The section assumes x ~ N(0, σ²) and its formulas have no μ, yet Figure 2 tunes μ: they are the law for μ = 0 only.",
        },
        // F_Y(t) = F_x(ln(t/(1−t))) and f_Y(t) = exp(−(ln(t/(1−t)))²/(2σ²)) / (√(2π) σ t(1−t)), 0 < t < 1
        "2.5" => Printed {
            cdf: Some(|t, p| (t > 0.0 && t < 1.0).then(|| phi(special::logit(t) / get(p, "sigma")))),
            pdf: |t, p| {
                let s = get(p, "sigma");
                (t > 0.0 && t < 1.0).then(|| {
                    let l = special::logit(t);
                    (-(l * l) / (2.0 * s * s)).exp() / ((2.0 * std::f64::consts::PI).sqrt() * s * t * (1.0 - t))
                })
            },
            params: [sets(&[-1.0, 0.0, 1.0], &[1.0]), sets(&[0.0], &[0.5, 2.0])].concat(),
            source: "Figure 4 (σ = 1, μ tuned: -1, 0, 1 here) and Figure 5 (μ = 0, σ tuned: 0.5, 1, 2 here)",
            note: "The section assumes x ~ N(0, σ²) and its formulas have no μ, yet Figure 4 tunes μ: they are the law for μ = 0 only.",
        },
        // F_Y(t) = F_x(t)^N and f_Y(t) = N F_x(t)^(N−1) f_x(t)
        _ => Printed {
            cdf: Some(|t, p| {
                let (m, s, n) = (get(p, "mu"), get(p, "sigma"), get(p, "N"));
                Some(phi((t - m) / s).powf(n))
            }),
            pdf: |t, p| {
                let (m, s, n) = (get(p, "mu"), get(p, "sigma"), get(p, "N"));
                Some(n * phi((t - m) / s).powf(n - 1.0) * dens((t - m) / s) / s)
            },
            params: [
                [1.0, 2.0, 4.0, 8.0].iter().map(|&n| vec![("mu", 0.0), ("sigma", 1.0), ("N", n)]).collect::<Vec<_>>(),
                [-1.0, 1.0].iter().map(|&m| vec![("mu", m), ("sigma", 1.0), ("N", 2.0)]).collect(),
                [0.5, 2.0].iter().map(|&s| vec![("mu", 0.0), ("sigma", s), ("N", 2.0)]).collect(),
            ]
            .concat(),
            source: "Figures 6 (N tuned: 1, 2, 4, 8 here), 7 (μ tuned: -1, 1 here) and 8 (σ tuned: 0.5, 2 here)",
            note: "",
        },
    }
}

/// The comparison of one section.
#[derive(Clone, Debug, Serialize)]
pub struct SectionReport {
    /// The section's number (`2.4`).
    pub section: String,
    /// Its title (`Tanh`).
    pub title: String,
    /// `agrees` when the printed CDF and PDF equal the derived ones to rounding at
    /// every parameter set compared, `differs` otherwise.
    pub verdict: &'static str,
    /// The largest difference found between a printed formula and the derived law.
    pub max_abs_diff: f64,
    /// What differs and where, and where it agrees.
    pub detail: String,
    /// Where the parameter values compared come from.
    pub parameters: String,
}

fn law(d: &Derivation, p: &Params) -> Result<Law> {
    Law::new(d, &values(p))
}

/// A grid of t over the law's bulk: between its 1e-9 and 1 − 1e-9 quantiles, found by
/// bisection on the CDF.
fn bulk(l: &Law) -> (f64, f64) {
    let quantile = |q: f64| {
        let (mut a, mut b) = (-1e3, 1e3);
        for _ in 0..200 {
            let m = 0.5 * (a + b);
            if l.cdf.eval(m) < q {
                a = m;
            } else {
                b = m;
            }
        }
        0.5 * (a + b)
    };
    (quantile(1e-9), quantile(1.0 - 1e-9))
}

fn grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * (i as f64 + 0.5) / n as f64)
        .collect()
}

fn show(p: &Params) -> String {
    p.iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Compare a section's derived law with the paper's formulas.
fn compare(s: &Section, d: &Derivation) -> Result<SectionReport> {
    let pr = printed(s.number);
    let mut worst: f64 = 0.0;
    let mut differs: Vec<String> = Vec::new();
    let mut agrees_at: Vec<String> = Vec::new();
    for p in &pr.params {
        let l = law(d, p)?;
        let (lo, hi) = bulk(&l);
        let span = hi - lo;
        let (lo, hi) = (lo - 0.05 * span, hi + 0.05 * span);
        let ts = grid(lo, hi, 801);
        let (mut cdf_diff, mut pdf_diff, mut pdf_rel): (f64, f64, f64) = (0.0, 0.0, 0.0);
        let mut pdf_worst = (0.0, 0.0, 0.0);
        // the CDF that the printed density implies, integrated from lo
        let mut implied = 0.0;
        let mut implied_diff: f64 = 0.0;
        let mut prev = lo;
        for &t in &ts {
            implied += quad::integrate(|u| (pr.pdf)(u, p).unwrap_or(0.0), prev, t, 1e-12);
            prev = t;
            implied_diff = implied_diff.max((implied - l.cdf.eval(t)).abs());
            if let Some(c) = pr.cdf.and_then(|c| c(t, p)) {
                cdf_diff = cdf_diff.max((c - l.cdf.eval(t)).abs());
            }
            if let Some(f) = (pr.pdf)(t, p) {
                let ours = l.density.eval(t);
                if (f - ours).abs() > pdf_diff {
                    pdf_worst = (t, ours, f);
                }
                pdf_diff = pdf_diff.max((f - ours).abs());
                pdf_rel = pdf_rel.max((f - ours).abs() / ours.abs().max(1e-300));
            }
        }
        let here = cdf_diff.max(pdf_diff).max(implied_diff);
        worst = worst.max(here);
        // agreement: the printed formulas equal ours to rounding, and the printed
        // density carries all of the mass
        if here < 1e-8 && pdf_rel < 1e-8 {
            agrees_at.push(show(p));
        } else {
            let mut why = Vec::new();
            if !l.atoms.is_empty() && implied_diff > 1e-3 {
                let atoms: Vec<String> = l
                    .atoms
                    .iter()
                    .map(|a| format!("P(Y = {}) = {:.6}", a.at, a.mass))
                    .collect();
                why.push(format!(
                    "the printed density leaves out the point mass {} (it integrates to {:.6})",
                    atoms.join(", "),
                    1.0 - l.atoms.iter().map(|a| a.mass).sum::<f64>()
                ));
            }
            if pdf_rel > 1e-8 {
                let (t, ours, theirs) = pdf_worst;
                why.push(format!("the printed density is off by up to {pdf_diff:.3e} (at t = {t:.4}: {theirs:.4} printed, {ours:.4} derived)"));
            }
            if cdf_diff > 1e-8 {
                why.push(format!("the printed CDF is off by up to {cdf_diff:.3e}"));
            }
            differs.push(format!("at {}: {}", show(p), why.join("; ")));
        }
    }
    let verdict = if differs.is_empty() {
        "agrees"
    } else {
        "differs"
    };
    let mut detail = String::new();
    if !differs.is_empty() {
        if !pr.note.is_empty() {
            detail.push_str(pr.note);
            detail.push(' ');
        }
        detail.push_str(&differs.join(". "));
        detail.push('.');
    }
    if !agrees_at.is_empty() {
        if !detail.is_empty() {
            detail.push(' ');
        }
        detail.push_str(&format!("Agrees to rounding at {}.", agrees_at.join("; ")));
    }
    Ok(SectionReport {
        section: s.number.to_string(),
        title: s.title.to_string(),
        verdict,
        max_abs_diff: worst,
        detail,
        parameters: pr.source.to_string(),
    })
}

/// Section 3's program, `examples/paper/section3.pf`, and the parameters it is
/// tabulated at.
pub(crate) const SECTION3: &str = include_str!("../../examples/paper/section3.pf");
pub(crate) const SECTION3_AT: [(&str, f64); 2] = [("mu", 0.0), ("sigma", 1.0)];

/// A statement of Section 3, tested against the laws layer by layer.
#[derive(Clone, Debug, Serialize)]
pub struct LayerClaim {
    pub claim: String,
    pub verdict: String,
    pub evidence: String,
}

/// Section 3: the law after each layer beside the Normal with its mean and variance,
/// and the section's claims.
#[derive(Clone, Debug, Serialize)]
pub struct Section3 {
    pub parameters: String,
    pub layers: Vec<crate::layers::Layer>,
    pub claims: Vec<LayerClaim>,
}

/// A law this close to its matched Normal in total variation is called Gaussian (the
/// numeric laws' errors are far below it).
const GAUSSIAN: f64 = 1e-9;

fn section3() -> Result<Section3> {
    let mut values = crate::eval::Values::default();
    for (k, v) in SECTION3_AT {
        values.insert(k, v);
    }
    let layers = crate::layers::layers(SECTION3, &values)?;
    // every layer the claims name is in the table (a renamed statement is an error)
    for name in ["conv1", "pool1", "conv2", "fc"] {
        if !layers.iter().any(|l| l.name == name) {
            return Err(crate::error::Error::new(
                crate::error::ErrorKind::Internal,
                format!("examples/paper/section3.pf has no statement {name}"),
            ));
        }
    }
    let tv = |name: &str| {
        layers
            .iter()
            .find(|l| l.name == name)
            .map_or(f64::NAN, |l| l.total_variation)
    };
    let row = |name: &str| {
        layers
            .iter()
            .find(|l| l.name == name)
            .map_or(String::new(), |l| {
                format!(
                    "{name}: total variation {:.3e} and Kolmogorov distance {:.3e} to its matched Normal, skewness {:.4}, excess kurtosis {:.4}",
                    l.total_variation, l.kolmogorov, l.skewness, l.excess_kurtosis
                )
            })
    };
    let verdict =
        |gaussian: bool, said: bool| if gaussian == said { "holds" } else { "wrong" }.to_string();
    let convs: Vec<&crate::layers::Layer> = layers
        .iter()
        .filter(|l| l.name.starts_with("conv"))
        .collect();
    let shrinking = convs
        .windows(2)
        .all(|w| w[1].total_variation < w[0].total_variation);
    let trail = convs
        .iter()
        .map(|l| format!("{} {:.3e}", l.name, l.total_variation))
        .collect::<Vec<_>>()
        .join(", ");
    let claims = vec![
        LayerClaim {
            claim: "the input, convolutionized (weighted sum), is still a Gaussian (Section 2.1)".into(),
            verdict: verdict(tv("conv1") < GAUSSIAN, true),
            evidence: row("conv1"),
        },
        LayerClaim {
            claim: "after max-pooling, the PDF follows what is derived in Section 2.7".into(),
            verdict: "the paper has no Section 2.7: max-pooling is its Section 2.6".into(),
            evidence: format!("{}; the law is Section 2.6's, max of 2 copies, not a Gaussian", row("pool1")),
        },
        LayerClaim {
            claim: "convolutionized again, we obtained another Gaussian distribution thanks to the power of Central Limit Theorem".into(),
            verdict: verdict(tv("conv2") < GAUSSIAN, true),
            evidence: format!(
                "{}; a sum of four terms divides the skewness by 2 and the excess kurtosis by 4, it does not remove them",
                row("conv2")
            ),
        },
        LayerClaim {
            claim: "after several times of convolution and max-pooling, and the fully connected layer, the output will be a Gaussian".into(),
            verdict: verdict(tv("fc") < GAUSSIAN, true),
            evidence: format!(
                "{}; after each convolution the distance {} ({trail}): the max-pooling between them pushes the law back to the same skewed shape",
                row("fc"),
                if shrinking { "shrinks" } else { "does not shrink" }
            ),
        },
    ];
    Ok(Section3 {
        parameters: SECTION3_AT
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        layers,
        claims,
    })
}

/// The whole reproduction.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The comparison of each section, 2.1 to 2.6.
    pub sections: Vec<SectionReport>,
    /// The statements about the figures, tested.
    pub claims: Vec<Claim>,
    /// Section 3, layer by layer.
    pub section3: Section3,
    /// Each section's number, program file and derivation.
    #[serde(skip)]
    pub derivations: Vec<(String, String, Derivation)>,
}

/// Derive, compare and test everything.
pub fn reproduce() -> Result<Report> {
    let mut derived = Vec::new();
    for s in SECTIONS {
        derived.push((s, crate::derive_source(s.source)?));
    }
    let mut sections = Vec::new();
    for (s, d) in &derived {
        sections.push(compare(s, d)?);
    }
    let claims = claims(&derived)?;
    Ok(Report {
        sections,
        claims,
        section3: section3()?,
        derivations: derived
            .into_iter()
            .map(|(s, d)| (s.number.to_string(), s.file.to_string(), d))
            .collect(),
    })
}

impl Report {
    /// The reproduction as Markdown: `docs/paper.md` is this text.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from(
            "# The paper, reproduced\n\nGenerated by `pushforward paper`; do not edit. The paper is Li, *Gaussian Noise Passes Through Neural Network* (`../shared/paper/`). Each section's program is in `examples/paper/`; its CDF and PDF are compared with the formulas the paper prints, and each statement the paper makes about a figure is tested with numbers.\n\n## Verdicts\n\n| section | | verdict | largest difference | parameters |\n|---|---|---|---|---|\n",
        );
        let cell = |s: &str| s.replace('|', "\\|");
        for s in &self.sections {
            let diff = if s.max_abs_diff < 1e-9 {
                "< 1e-9".to_string()
            } else {
                format!("{:.3e}", s.max_abs_diff)
            };
            out.push_str(&format!(
                "| {} | {} | **{}** | {} | {} |\n",
                s.section,
                s.title,
                s.verdict,
                diff,
                cell(&s.parameters)
            ));
        }
        out.push_str("\n## Claims about the figures\n\n| figure | claim | verdict | evidence |\n|---|---|---|---|\n");
        for c in &self.claims {
            out.push_str(&format!(
                "| {} | {} | **{}** | {} |\n",
                c.figure,
                cell(&c.claim),
                c.verdict,
                cell(&c.evidence)
            ));
        }
        out.push_str("\n## Figures\n\nDrawn again from the derived densities (lines) with a histogram of 100,000 values of each transform run forward on Normal draws (shaded); a point mass is a spike labelled with its mass. SVG beside each PNG in `docs/figures/`.\n");
        let captions = [
            "Leaky ReLU and Gaussian",
            "Tanh and Gaussian, tune μ",
            "Tanh and Gaussian, tune σ",
            "Sigmoid and Gaussian, tune μ",
            "Sigmoid and Gaussian, tune σ",
            "Max-pooling and Gaussian, tune N",
            "Max-pooling and Gaussian, tune μ",
            "Max-pooling and Gaussian, tune σ",
            "ReLU and Gaussian, which the paper does not draw: its point mass at 0",
        ];
        for (i, caption) in captions.iter().enumerate() {
            out.push_str(&format!(
                "\n### Figure {}: {caption}\n\n![Figure {}](figures/figure{}.png)\n",
                i + 1,
                i + 1,
                i + 1
            ));
            for c in self.claims.iter().filter(|c| c.figure as usize == i + 1) {
                out.push_str(&format!(
                    "\n- \"{}\": **{}**. {}\n",
                    c.claim, c.verdict, c.evidence
                ));
            }
        }
        let s3 = &self.section3;
        out.push_str(&format!(
            "\n## Section 3 — Gaussian noise through several layers\n\n`examples/paper/section3.pf`, at {}:\n\n```\n{SECTION3}```\n\nEach statement's law (derived, its numeric parts evaluated with their error bounds) beside the Normal with the same mean and variance, from `pushforward layers examples/paper/section3.pf --set mu=0 --set sigma=1`:\n\n```text\n{}```\n\n| claim | verdict | evidence |\n|---|---|---|\n",
            s3.parameters,
            crate::layers::to_text(&s3.layers)
        ));
        for c in &s3.claims {
            out.push_str(&format!(
                "| {} | **{}** | {} |\n",
                cell(&c.claim),
                cell(&c.verdict),
                cell(&c.evidence)
            ));
        }
        out.push_str("\n### Figure 10: each layer standardised, less N(0, 1)\n\nWhich the paper does not draw: the law after the first and the last max-pooling, the convolution after each and the fully connected layer, each standardised by its own mean and standard deviation, less the standard Normal that moment propagation would put in its place. A Gaussian layer would be the line 0.\n\n![Figure 10](figures/figure10.png)\n");
        for (s, (number, file, d)) in self.sections.iter().zip(&self.derivations) {
            debug_assert_eq!(&s.section, number);
            out.push_str(&format!(
                "\n## Section {} — {}\n\n`examples/paper/{}`:\n\n```\n{}```\n\n",
                s.section, s.title, file, d.model.source
            ));
            out.push_str(&format!(
                "Verdict: **{}**. {}\n\n```text\n{}```\n",
                s.verdict,
                s.detail,
                crate::render::to_text(d)
            ));
        }
        out
    }

    /// The verdicts alone, one a line: what a review should notice when it changes.
    pub fn verdicts(&self) -> String {
        let mut out = String::new();
        for s in &self.sections {
            out.push_str(&format!(
                "section {} ({}): {}\n",
                s.section, s.title, s.verdict
            ));
        }
        for c in &self.claims {
            out.push_str(&format!(
                "figure {}: {}: {}\n",
                c.figure, c.claim, c.verdict
            ));
        }
        for c in &self.section3.claims {
            out.push_str(&format!("section 3: {}: {}\n", c.claim, c.verdict));
        }
        out
    }

    /// A summary for the terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for s in &self.sections {
            out.push_str(&format!(
                "Section {} ({}): {} (largest difference {:.3e})\n  {}\n",
                s.section, s.title, s.verdict, s.max_abs_diff, s.detail
            ));
        }
        out.push('\n');
        for c in &self.claims {
            out.push_str(&format!(
                "Figure {}: \"{}\": {}\n  {}\n",
                c.figure, c.claim, c.verdict, c.evidence
            ));
        }
        out.push_str(&format!(
            "\nSection 3, at {}:\n{}",
            self.section3.parameters,
            crate::layers::to_text(&self.section3.layers)
        ));
        for c in &self.section3.claims {
            out.push_str(&format!(
                "Section 3: \"{}\": {}\n  {}\n",
                c.claim, c.verdict, c.evidence
            ));
        }
        out
    }
}
