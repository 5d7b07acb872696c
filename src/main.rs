//! The command line: a thin clap layer over the library. Exit 0 on success, 2 on any
//! user error (with a diagnostic on stderr that points into the source), 1 on a bug.

use clap::{Parser, Subcommand, ValueEnum};
use pushforward::{eval, render, Derivation, Limits};
use pushforward::{Error, ErrorKind};
use std::io::{Read, Write};
use std::process::ExitCode;

/// mimalloc: derive allocates and frees many small e-graph nodes, which glibc's
/// allocator handles slowly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "pushforward",
    version,
    about = "Derive, step by step, the exact CDF and PDF of a Gaussian pushed through neural-network operations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Source {
    /// The program file (`-` or nothing reads standard input)
    file: Option<String>,
    /// The program's text, instead of a file
    #[arg(
        short = 'e',
        long = "expr",
        value_name = "SOURCE",
        conflicts_with = "file"
    )]
    source: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Derive the CDF and PDF, with the derivation step by step
    Derive {
        #[command(flatten)]
        source: Source,
        #[arg(long, value_enum, default_value_t = DeriveFormat::Text)]
        format: DeriveFormat,
    },
    /// Evaluate the derived CDF, density and atoms at points
    Eval {
        #[command(flatten)]
        source: Source,
        /// A parameter's value, NAME=VALUE (repeat for each parameter)
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Points, comma-separated: --at=-1,0,0.5
        #[arg(
            long,
            value_name = "T1,T2,...",
            allow_hyphen_values = true,
            conflicts_with = "grid",
            required_unless_present = "grid"
        )]
        at: Option<String>,
        /// An evenly spaced grid: --grid LO,HI,COUNT
        #[arg(long, value_name = "LO,HI,COUNT", allow_hyphen_values = true)]
        grid: Option<String>,
        #[arg(long, value_enum, default_value_t = EvalFormat::Json)]
        format: EvalFormat,
    },
    /// Check a derived law independently: derivative, mass, sampling, derivation, moments
    Check {
        #[command(flatten)]
        source: Source,
        /// A parameter's value, NAME=VALUE (repeat for each parameter)
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Monte Carlo sample size
        #[arg(long, default_value_t = 1_000_000)]
        samples: usize,
        /// Seed of the sample: the same seed gives the same figures
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Each statement's law beside the Normal with its mean and variance: moments, Kolmogorov and total-variation distances
    Layers {
        #[command(flatten)]
        source: Source,
        /// A parameter's value, NAME=VALUE (repeat for each parameter)
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Reproduce the paper: each section's formulas compared, each claim about a figure tested
    Paper {
        /// Write `paper.md` (docs/paper.md is this file) into DIR
        #[arg(long, value_name = "DIR")]
        out: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Print the table of the language's functions (docs/language.md holds it)
    Functions,
    /// Print the rule catalogue (docs/rules.md is its Markdown)
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Markdown)]
        format: RulesFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Markdown,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum DeriveFormat {
    Text,
    Latex,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum EvalFormat {
    Json,
    Csv,
}

/// The largest number of points one `eval` call accepts.
const MAX_POINTS: usize = 10_000_000;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (name, source) = match &cli.command {
        Command::Derive { source, .. }
        | Command::Eval { source, .. }
        | Command::Check { source, .. }
        | Command::Layers { source, .. } => match read_source(source) {
            Ok(s) => s,
            Err(e) => return report(e, "", ""),
        },
        Command::Paper { out, format } => return paper(out.as_deref(), *format),
        Command::Functions => {
            let text = pushforward::reference::functions_markdown();
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            return ExitCode::SUCCESS;
        }
        Command::Rules { format } => {
            let text = match format {
                RulesFormat::Markdown => pushforward::reference::rules_markdown(),
                RulesFormat::Json => pushforward::reference::rules_json(),
            };
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            return ExitCode::SUCCESS;
        }
    };
    let result = run(&cli.command, &source);
    match result {
        Ok((out, ok)) => {
            let mut stdout = std::io::stdout().lock();
            // a closed pipe (`| head`) is not an error of ours
            let _ = stdout.write_all(out.as_bytes());
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => report(e, &name, &source),
    }
}

fn read_source(s: &Source) -> Result<(String, String), Error> {
    if let Some(src) = &s.source {
        return Ok(("<-e>".into(), src.clone()));
    }
    match s.file.as_deref() {
        None | Some("-") => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| {
                Error::new(ErrorKind::Io, format!("cannot read standard input: {e}"))
            })?;
            Ok(("<stdin>".into(), text))
        }
        Some(path) => std::fs::read_to_string(path)
            .map(|text| (path.to_string(), text))
            .map_err(|e| {
                Error::new(ErrorKind::Io, format!("cannot read {path}: {e}"))
                    .help("give a program file, or the program itself with -e")
            }),
    }
}

fn report(e: Error, name: &str, source: &str) -> ExitCode {
    let code = e.exit_code();
    let report =
        miette::Report::new(e).with_source_code(miette::NamedSource::new(name, source.to_string()));
    eprintln!("{report:?}");
    ExitCode::from(code as u8)
}

/// The output, and whether the command succeeded (a failed check is not an error).
fn run(command: &Command, source: &str) -> Result<(String, bool), Error> {
    let model = pushforward::model(source)?;
    let d = pushforward::derive(&model, Limits::default())?;
    if let Command::Check {
        set,
        samples,
        seed,
        format,
        ..
    } = command
    {
        let values = eval::bind(&d.model, set)?;
        let options = pushforward::check::Options {
            samples: *samples,
            seed: *seed,
            ..Default::default()
        };
        let report = pushforward::check::run(&d, &values, &options)?;
        let out = match format {
            CheckFormat::Text => report.to_text(),
            CheckFormat::Json => format!("{:#}\n", serde_json::json!(report)),
        };
        return Ok((out, report.passed()));
    }
    if let Command::Layers { set, format, .. } = command {
        let values = eval::bind(&d.model, set)?;
        let table = pushforward::layers::layers(source, &values)?;
        let out = match format {
            CheckFormat::Text => pushforward::layers::to_text(&table),
            CheckFormat::Json => format!("{:#}\n", serde_json::json!(table)),
        };
        return Ok((out, true));
    }
    let out = match command {
        Command::Derive { format, .. } => Ok(match format {
            DeriveFormat::Text => render::to_text(&d),
            DeriveFormat::Latex => render::to_latex(&d),
            DeriveFormat::Json => format!("{:#}\n", render::to_json(&d)),
        }),
        Command::Eval {
            set,
            at,
            grid,
            format,
            ..
        } => evaluate(&d, set, at.as_deref(), grid.as_deref(), *format),
        Command::Rules { .. }
        | Command::Functions
        | Command::Check { .. }
        | Command::Layers { .. }
        | Command::Paper { .. } => Ok(String::new()),
    }?;
    Ok((out, true))
}

fn paper(out: Option<&std::path::Path>, format: CheckFormat) -> ExitCode {
    let report = match pushforward::paper::reproduce() {
        Ok(r) => r,
        Err(e) => return report(e, "", ""),
    };
    if let Some(dir) = out {
        let written = std::fs::create_dir_all(dir)
            .and_then(|_| std::fs::write(dir.join("paper.md"), report.to_markdown()));
        if let Err(e) = written {
            return report_error(Error::new(
                ErrorKind::Io,
                format!("cannot write {}: {e}", dir.display()),
            ));
        }
        if let Err(e) = pushforward::figures::write(&dir.join("figures")) {
            return report_error(e);
        }
    }
    let text = match format {
        CheckFormat::Text => report.to_text(),
        CheckFormat::Json => format!("{:#}\n", serde_json::json!(report)),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn report_error(e: Error) -> ExitCode {
    report(e, "", "")
}

fn numbers(list: &str, what: &str) -> Result<Vec<f64>, Error> {
    list.split(',')
        .map(|s| {
            let v: f64 = s.trim().parse().map_err(|_| {
                Error::new(
                    ErrorKind::Parameter,
                    format!("`{}` in {what} is not a number", s.trim()),
                )
                .help("write finite decimal numbers separated by commas, such as --at=-1,0,2.5")
            })?;
            if v.is_finite() {
                Ok(v)
            } else {
                Err(Error::new(
                    ErrorKind::Parameter,
                    format!("{what} must be finite, not {v}"),
                ))
            }
        })
        .collect()
}

fn points(at: Option<&str>, grid: Option<&str>) -> Result<Vec<f64>, Error> {
    if let Some(at) = at {
        let ts = numbers(at, "--at")?;
        if ts.len() > MAX_POINTS {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("more than {MAX_POINTS} points"),
            ));
        }
        return Ok(ts);
    }
    let g = grid.unwrap_or_default();
    let parts: Vec<&str> = g.split(',').collect();
    let usage = || {
        Error::new(
            ErrorKind::Parameter,
            format!("--grid {g} is not LO,HI,COUNT"),
        )
        .help("write for example --grid -3,3,601")
    };
    let [lo, hi, count] = parts.as_slice() else {
        return Err(usage());
    };
    let lohi = numbers(&format!("{lo},{hi}"), "--grid")?;
    let count: usize = count.trim().parse().map_err(|_| usage())?;
    if count == 0 || count > MAX_POINTS {
        return Err(Error::new(
            ErrorKind::Parameter,
            format!("the grid needs from 1 to {MAX_POINTS} points, not {count}"),
        ));
    }
    if lohi[0] > lohi[1] {
        return Err(
            Error::new(ErrorKind::Parameter, "the grid's LO is above its HI")
                .help("write --grid LO,HI,COUNT with LO ≤ HI"),
        );
    }
    if count == 1 {
        return Ok(vec![lohi[0]]);
    }
    let step = (lohi[1] - lohi[0]) / (count - 1) as f64;
    Ok((0..count)
        .map(|i| {
            if i + 1 == count {
                lohi[1]
            } else {
                lohi[0] + step * i as f64
            }
        })
        .collect())
}

fn evaluate(
    d: &Derivation,
    set: &[String],
    at: Option<&str>,
    grid: Option<&str>,
    format: EvalFormat,
) -> Result<String, Error> {
    let values = eval::bind(&d.model, set)?;
    let ts = points(at, grid)?;
    let law = eval::Law::new(d, &values)?;
    let mut cdf = vec![0.0; ts.len()];
    let mut pdf = vec![0.0; ts.len()];
    law.cdf.eval_parallel(&ts, &mut cdf);
    law.density.eval_parallel(&ts, &mut pdf);
    // an infinite density where the CDF is fine is the law's singularity (x³ at 0,
    // where F is continuous but has an infinite slope): a fact to report, not a bug
    // and so is a density with no value at all (0/0) where the CDF is fine: x² at 0,
    // where the density's limit is infinite, or the value of a map at a turn
    if let Some((t, (_, p))) = ts
        .iter()
        .zip(cdf.iter().zip(&pdf))
        .find(|(_, (c, p))| (**p == f64::INFINITY || p.is_nan()) && (0.0..=1.0).contains(*c))
    {
        let what = if p.is_nan() {
            "has no value in f64 (0/0)"
        } else {
            "is infinite"
        };
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "the density {what} at t = {}: the density is singular there (the CDF has no finite slope)",
                shown(*t)
            ),
        )
        .help("evaluate at points next to it; the CDF at that point is finite"));
    }
    let bad = ts
        .iter()
        .zip(cdf.iter().zip(&pdf))
        // a CDF outside [0, 1] or a negative density is as wrong as a NaN
        .find(|(_, (c, p))| {
            !c.is_finite() || !p.is_finite() || !(-1e-12..=1.0 + 1e-12).contains(*c) || **p < -1e-12
        });
    if let Some((t, (c, p))) = bad {
        return Err(Error::new(
            ErrorKind::Internal,
            format!("the derived formulas give cdf = {c}, pdf = {p} at t = {}; this is a bug in pushforward", shown(*t)),
        ));
    }
    if let Some(a) = law
        .atoms
        .iter()
        .find(|a| !a.at.is_finite() || !a.mass.is_finite())
    {
        return Err(Error::new(
            ErrorKind::Internal,
            format!("an atom evaluates to {a:?}; this is a bug in pushforward"),
        ));
    }
    Ok(match format {
        EvalFormat::Json => {
            let mut v = serde_json::json!({"at": ts, "cdf": cdf, "pdf": pdf, "atoms": law.atoms});
            // a law computed numerically: the bound of its CDF's absolute error
            let bound = law.error_bound();
            if bound > 0.0 {
                v["error_bound"] = serde_json::json!(bound);
            }
            format!("{v}\n")
        }
        EvalFormat::Csv => {
            let mut out = String::new();
            for a in &law.atoms {
                out.push_str(&format!("# atom at={} mass={}\n", a.at, a.mass));
            }
            let bound = law.error_bound();
            if bound > 0.0 {
                out.push_str(&format!("# error_bound of the cdf={bound:e}\n"));
            }
            out.push_str("t,cdf,pdf\n");
            for ((t, c), p) in ts.iter().zip(&cdf).zip(&pdf) {
                out.push_str(&format!("{t},{c},{p}\n"));
            }
            out
        }
    })
}

/// A point as a person reads it: in scientific notation when very small or large.
fn shown(t: f64) -> String {
    if t != 0.0 && !(1e-4..1e15).contains(&t.abs()) {
        format!("{t:e}")
    } else {
        format!("{t}")
    }
}
