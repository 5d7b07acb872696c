//! The paper's Figures 1 to 8 drawn again from our formulas, for the parameter sweeps
//! its text describes, each curve with a Monte Carlo histogram of its transform (the
//! program run forward) laid over it, and each atom drawn as a spike with its mass.
//! SVG and PNG, with plotters.

use crate::check::sample;
use crate::error::{Error, ErrorKind, Result};
use crate::eval::{Law, Values};
use crate::paper::SECTIONS;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// One curve of a figure: a program's law at one parameter set.
struct Curve {
    label: String,
    law: Law,
    sample: Vec<f64>,
}

/// A figure: its number, what the paper calls it, and its curves.
struct Figure {
    number: u32,
    title: String,
    curves: Vec<Curve>,
    x: (f64, f64),
}

/// Values per curve of the histograms.
const SAMPLES: usize = 100_000;
const BINS: usize = 120;

fn curve(section: &str, label: String, params: &[(&str, f64)], seed: u64) -> Result<Curve> {
    let s = SECTIONS
        .iter()
        .find(|s| s.number == section)
        .ok_or_else(|| Error::new(ErrorKind::Internal, format!("no section {section}")))?;
    let d = crate::derive_source(s.source)?;
    let mut v = Values::default();
    for (k, x) in params {
        v.insert(k, *x);
    }
    let law = Law::new(&d, &v)?;
    let sample = sample::sample(&d.model.y, &v, SAMPLES, seed)?;
    Ok(Curve { label, law, sample })
}

/// A figure of `curves` over `x`.
fn fig(number: u32, title: &str, x: (f64, f64), curves: Vec<Curve>) -> Figure {
    Figure {
        number,
        title: title.to_string(),
        curves,
        x,
    }
}

/// The curves of one parameter tuned over `values`, the others `fixed`, with seeds
/// from `seed` on.
fn sweep(
    section: &str,
    name: &str,
    fixed: &[(&'static str, f64)],
    vary: &'static str,
    values: &[f64],
    seed: u64,
) -> Result<Vec<Curve>> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let mut p: Vec<(&str, f64)> = fixed.to_vec();
            p.push((vary, v));
            curve(section, format!("{name} = {v}"), &p, seed + i as u64)
        })
        .collect()
}

/// The eight figures, and a ninth of ReLU.
fn figures() -> Result<Vec<Figure>> {
    let mut out = vec![leaky_relu()?];
    out.extend(tuned()?);
    out.push(relu()?);
    Ok(out)
}

/// Figure 1: Leaky ReLU for three α.
fn leaky_relu() -> Result<Figure> {
    Ok(fig(
        1,
        "Leaky ReLU and Gaussian (μ = 0, σ = 1)",
        (-3.0, 3.0),
        vec![
            curve(
                "2.3",
                "α = 1 (the Gaussian)".into(),
                &[("mu", 0.0), ("sigma", 1.0), ("alpha", 1.0)],
                1,
            )?,
            curve(
                "2.3",
                "α = 0.5".into(),
                &[("mu", 0.0), ("sigma", 1.0), ("alpha", 0.5)],
                2,
            )?,
            curve(
                "2.3",
                "α = 0.1".into(),
                &[("mu", 0.0), ("sigma", 1.0), ("alpha", 0.1)],
                3,
            )?,
        ],
    ))
}

/// Figures 2 to 8: tanh, sigmoid and max-pooling with one parameter tuned.
fn tuned() -> Result<Vec<Figure>> {
    Ok(vec![
        fig(
            2,
            "Tanh and Gaussian, tune μ (σ = 1)",
            (-1.0, 1.0),
            sweep("2.4", "μ", &[("sigma", 1.0)], "mu", &[-1.0, 0.0, 1.0], 10)?,
        ),
        fig(
            3,
            "Tanh and Gaussian, tune σ (μ = 0)",
            (-1.0, 1.0),
            sweep("2.4", "σ", &[("mu", 0.0)], "sigma", &[0.5, 1.0, 2.0], 20)?,
        ),
        fig(
            4,
            "Sigmoid and Gaussian, tune μ (σ = 1)",
            (0.0, 1.0),
            sweep("2.5", "μ", &[("sigma", 1.0)], "mu", &[-1.0, 0.0, 1.0], 30)?,
        ),
        fig(
            5,
            "Sigmoid and Gaussian, tune σ (μ = 0)",
            (0.0, 1.0),
            sweep("2.5", "σ", &[("mu", 0.0)], "sigma", &[0.5, 1.0, 2.0], 40)?,
        ),
        fig(
            6,
            "Max-pooling and Gaussian, tune N (μ = 0, σ = 1)",
            (-4.0, 4.0),
            sweep(
                "2.6",
                "N",
                &[("mu", 0.0), ("sigma", 1.0)],
                "N",
                &[1.0, 2.0, 4.0, 8.0],
                50,
            )?,
        ),
        fig(
            7,
            "Max-pooling and Gaussian, tune μ (σ = 1, N = 2)",
            (-4.0, 5.0),
            sweep(
                "2.6",
                "μ",
                &[("sigma", 1.0), ("N", 2.0)],
                "mu",
                &[-1.0, 0.0, 1.0],
                60,
            )?,
        ),
        fig(
            8,
            "Max-pooling and Gaussian, tune σ (μ = 0, N = 2)",
            (-4.0, 6.0),
            sweep(
                "2.6",
                "σ",
                &[("mu", 0.0), ("N", 2.0)],
                "sigma",
                &[0.5, 1.0, 2.0],
                70,
            )?,
        ),
    ])
}

/// Figure 9: relu, which the paper does not plot, shows its atom.
fn relu() -> Result<Figure> {
    Ok(fig(
        9,
        "ReLU and Gaussian (not in the paper): the point mass at 0",
        (-1.0, 3.0),
        vec![
            curve(
                "2.2",
                "μ = 0, σ = 1".into(),
                &[("mu", 0.0), ("sigma", 1.0)],
                80,
            )?,
            curve(
                "2.2",
                "μ = 0.5, σ = 1".into(),
                &[("mu", 0.5), ("sigma", 1.0)],
                81,
            )?,
        ],
    ))
}

const COLORS: [RGBColor; 4] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
];

fn draw_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::new(ErrorKind::Io, format!("cannot draw a figure: {e}"))
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, f: &Figure) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(draw_error)?;
    let (lo, hi) = f.x;
    let width = (hi - lo) / BINS as f64;
    // histograms: the share of each curve's sample in each bin, over its width
    let mut hists = Vec::new();
    for c in &f.curves {
        let mut counts = vec![0usize; BINS];
        for &v in &c.sample {
            // atoms are drawn as spikes, not in the histogram
            if c.law.atoms.iter().any(|a| a.at == v) {
                continue;
            }
            if v >= lo && v < hi {
                counts[((v - lo) / width) as usize % BINS] += 1;
            }
        }
        let n = c.sample.len() as f64;
        hists.push(
            counts
                .iter()
                .map(|k| *k as f64 / (n * width))
                .collect::<Vec<_>>(),
        );
    }
    // the density on a fine grid; the y range is cut at 3 times the typical peak so
    // that a spike at the edge of the support (tanh with σ = 2) does not flatten the rest
    let grid: Vec<f64> = (0..=2000)
        .map(|i| lo + (hi - lo) * i as f64 / 2000.0)
        .collect();
    let mut peaks: Vec<f64> = Vec::new();
    let mut curves = Vec::new();
    for c in &f.curves {
        let mut ys = vec![0.0; grid.len()];
        c.law.density.eval_batch(&grid, &mut ys);
        peaks.push(ys.iter().copied().fold(0.0, f64::max));
        curves.push(ys);
    }
    let mut sorted = peaks.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let ymax = (1.15 * sorted[sorted.len() / 2])
        .max(1.15 * sorted[0])
        .min(3.0 * sorted[sorted.len() / 2])
        .max(0.1);
    let ymax = ymax.max(
        peaks
            .iter()
            .copied()
            .filter(|p| *p < 3.0 * ymax)
            .fold(0.0, f64::max)
            * 1.1,
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Figure {}: {}", f.number, f.title),
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(lo..hi, 0.0..ymax)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc("t")
        .y_desc("density")
        .draw()
        .map_err(draw_error)?;
    for (k, c) in f.curves.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        chart
            .draw_series(hists[k].iter().enumerate().map(|(i, h)| {
                let x0 = lo + width * i as f64;
                Rectangle::new(
                    [(x0, 0.0), (x0 + width, h.min(ymax))],
                    color.mix(0.18).filled(),
                )
            }))
            .map_err(draw_error)?;
        let points = grid.iter().zip(&curves[k]).map(|(x, y)| (*x, y.min(ymax)));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))
            .map_err(draw_error)?
            .label(c.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        // atoms: a spike to the top of the plot, with the mass written by it
        for a in &c.law.atoms {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(a.at, 0.0), (a.at, ymax * 0.95)],
                    color.stroke_width(3),
                )))
                .map_err(draw_error)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("P(Y = {}) = {:.3}", a.at, a.mass),
                    (a.at + 0.02 * (hi - lo), ymax * (0.9 - 0.07 * k as f64)),
                    ("sans-serif", 15).into_font().color(&color),
                )))
                .map_err(draw_error)?;
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(draw_error)?;
    root.present().map_err(draw_error)?;
    Ok(())
}

/// Figure 10, which the paper does not draw: Section 3's laws after the first and the
/// last max-pooling, the convolution after each and the fully connected layer, each
/// standardised by its own mean and standard deviation, less the standard Normal that
/// moment propagation would put in their place (a Gaussian layer is the line 0).
fn draw_layers<DB: DrawingBackend>(root: DrawingArea<DB, Shift>) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut values = Values::default();
    for (k, v) in crate::paper::SECTION3_AT {
        values.insert(k, v);
    }
    let shown = ["pool1", "conv2", "pool5", "conv5", "fc"];
    let laws: Vec<(String, usize, Law)> = crate::layers::laws(crate::paper::SECTION3, &values)?
        .into_iter()
        .filter(|(n, _, _)| shown.contains(&n.as_str()))
        .collect();
    let (lo, hi) = (-4.0, 4.0);
    let grid: Vec<f64> = (0..=800)
        .map(|i| lo + (hi - lo) * f64::from(i) / 800.0)
        .collect();
    // each law standardised, less the standard Normal
    let mut lines = Vec::new();
    for (name, line, law) in &laws {
        let m = crate::layers::measure(law, name.clone(), *line);
        let sd = m.variance.sqrt();
        let points: Vec<(f64, f64)> = grid
            .iter()
            .map(|&z| {
                let phi = crate::lang::special::std_normal_pdf(z);
                (z, sd * law.density.eval(m.mean + sd * z) - phi)
            })
            .collect();
        lines.push((m, points));
    }
    let top = lines
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.1.abs()))
        .fold(1e-6, f64::max)
        * 1.15;
    root.fill(&WHITE).map_err(draw_error)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Figure 10: Section 3, each layer standardised, less N(0, 1)",
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(65)
        .build_cartesian_2d(lo..hi, -top..top)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc("z = (t − mean)/sd")
        .y_desc("sd · density(mean + sd·z) − φ(z)")
        .draw()
        .map_err(draw_error)?;
    chart
        .draw_series(LineSeries::new(
            vec![(lo, 0.0), (hi, 0.0)],
            BLACK.stroke_width(1),
        ))
        .map_err(draw_error)?;
    let palette = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(44, 160, 44),
        RGBColor(255, 127, 14),
    ];
    for (k, (m, points)) in lines.into_iter().enumerate() {
        let color = palette[k % palette.len()];
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))
            .map_err(draw_error)?
            .label(format!(
                "{}: TV {:.2e} to its matched Normal, skewness {:.3}",
                m.name, m.total_variation, m.skewness
            ))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(draw_error)?;
    root.present().map_err(draw_error)?;
    Ok(())
}

/// Draw every figure as `figureN.svg` and `figureN.png` in `dir`; returns the files.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot create {}: {e}", dir.display()),
        )
    })?;
    let mut files = Vec::new();
    for f in figures()? {
        let svg = dir.join(format!("figure{}.svg", f.number));
        draw(SVGBackend::new(&svg, (900, 560)).into_drawing_area(), &f)?;
        let png = dir.join(format!("figure{}.png", f.number));
        draw(BitMapBackend::new(&png, (900, 560)).into_drawing_area(), &f)?;
        files.push(svg);
        files.push(png);
    }
    let svg = dir.join("figure10.svg");
    draw_layers(SVGBackend::new(&svg, (900, 560)).into_drawing_area())?;
    let png = dir.join("figure10.png");
    draw_layers(BitMapBackend::new(&png, (900, 560)).into_drawing_area())?;
    files.push(svg);
    files.push(png);
    Ok(files)
}
