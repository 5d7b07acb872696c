//! Monte Carlo samples of a random term, by running the program forward on draws of
//! its inputs: `tanh(x)` is tanh of each draw, `maxpool(E, N)` the largest of N fresh
//! copies, `conv(E, w)` the weighted sum of fresh copies. No derived formula is used.
//!
//! Each input (a `(normal M S)`, or a `(var NAME LAW)` of a program with several) is
//! drawn once per value, and every place the term reads it sees that draw (`h + h` is
//! 2h); inside a copy (of conv, a pool, an order statistic) the inputs it reads are
//! drawn afresh for each copy.
//!
//! The sample is split into fixed chunks, each with its own ChaCha stream of the seed,
//! and the chunks are spread over every core: the result depends on the seed only,
//! not on the number of threads.

use crate::error::{Error, ErrorKind, Result};
use crate::eval::{Compiled, Values};
use crate::lang::subterm;
use crate::lang::{Expr, Node};
use egg::Id;
use egg::Language;
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::collections::HashMap;
use std::sync::Arc;

/// Draws per chunk; each chunk has its own random stream.
const CHUNK: usize = 1 << 15;
/// The most Normal draws one sample may take (a pool of N copies takes N per value).
pub const MAX_DRAWS: u64 = 200_000_000;

/// How many Normal draws one value of the term takes.
pub fn draws_per_value(e: &Expr, values: &Values) -> Result<u64> {
    fn go(e: &Expr, id: Id, values: &Values) -> Result<u64> {
        Ok(match &e[id] {
            Node::Normal(_) | Node::Var(_) => 1,
            Node::MaxPool([a, n]) | Node::MinPool([a, n]) | Node::Order([a, _, n]) => {
                let n = Compiled::new(&subterm(e, *n), values)?.eval(0.0);
                go(e, *a, values)?.saturating_mul(n as u64)
            }
            Node::Conv([a, w]) => {
                let mut k = 0u64;
                let mut cur = *w;
                while let Node::Cons([_, r]) = &e[cur] {
                    k += 1;
                    cur = *r;
                }
                if let Node::Symbol(s) = &e[*w] {
                    k = values.vector(s.as_str()).map_or(1, |v| v.len() as u64);
                }
                go(e, *a, values)?.saturating_mul(k)
            }
            n => {
                let mut total = 0u64;
                for c in egg::Language::children(n) {
                    total = total.saturating_add(go(e, *c, values)?);
                }
                total
            }
        })
    }
    let e = &crate::lang::implicit::unleaf(e);
    go(e, Id::from(e.as_ref().len() - 1), values)
}

/// `n` values of the random term `e`, reproducible from `seed`.
pub fn sample(e: &Expr, values: &Values, n: usize, seed: u64) -> Result<Vec<f64>> {
    // a leaf with a numeric law is drawn as the sum it stands for
    let e = &crate::lang::implicit::unleaf(e);
    let root = Id::from(e.as_ref().len() - 1);
    let plan = Plan::new(e, values)?;
    let chunks: Vec<(usize, usize)> = (0..n)
        .step_by(CHUNK)
        .map(|s| (s, (s + CHUNK).min(n)))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(chunks.len().max(1));
    let mut out = vec![0.0; n];
    let mut slices: Vec<(usize, &mut [f64])> = Vec::new();
    let mut rest: &mut [f64] = &mut out;
    for (k, (s, t)) in chunks.iter().enumerate() {
        let (head, tail) = rest.split_at_mut(t - s);
        slices.push((k, head));
        rest = tail;
    }
    std::thread::scope(|scope| {
        let mut per_thread: Vec<Vec<(usize, &mut [f64])>> =
            (0..threads).map(|_| Vec::new()).collect();
        for (i, item) in slices.into_iter().enumerate() {
            per_thread[i % threads].push(item);
        }
        for work in per_thread {
            let plan = &plan;
            scope.spawn(move || {
                for (k, slice) in work {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed);
                    rng.set_stream(k as u64);
                    let env = plan.draw(
                        &plan.free[usize::from(root)],
                        &Env::new(),
                        slice.len(),
                        &mut rng,
                    );
                    let values = plan.column(root, slice.len(), &mut rng, &env);
                    slice.copy_from_slice(&values);
                }
            });
        }
    });
    Ok(out)
}

/// The draws of the inputs in a context: by each input's structural hash.
type Env = HashMap<u64, Arc<Vec<f64>>>;

/// The law an input is drawn from.
#[derive(Clone, Copy)]
enum Draw {
    Normal(f64, f64),
    Bernoulli(f64),
    Uniform(f64, f64),
}

/// The term with its constant parts evaluated once.
struct Plan<'a> {
    e: &'a Expr,
    /// Values of the parts that are not random (parameters, weights, pool sizes).
    constant: Vec<Option<f64>>,
    /// Weight vectors given by name, by the position of their symbol.
    vectors: HashMap<usize, Vec<f64>>,
    /// Each node's structural hash, which names an input.
    hashes: Vec<u64>,
    /// The inputs each node reads outside its copies, in the order first written.
    free: Vec<Vec<u64>>,
    /// The law of each input.
    laws: HashMap<u64, Draw>,
}

impl<'a> Plan<'a> {
    fn new(e: &'a Expr, values: &Values) -> Result<Plan<'a>> {
        let len = e.as_ref().len();
        let mut constant = vec![None; len];
        let mut random = vec![false; len];
        let mut vectors = HashMap::new();
        let hashes = crate::lang::structural_hashes(e);
        let mut free: Vec<Vec<u64>> = vec![Vec::new(); len];
        let mut laws = HashMap::new();
        // the names of inputs are no parameters
        let mut names = vec![false; len];
        for node in e.as_ref() {
            if let Node::Var([n, _]) = node {
                names[usize::from(*n)] = true;
            }
        }
        for (i, node) in e.as_ref().iter().enumerate() {
            if names[i] {
                continue;
            }
            if let Node::Symbol(s) = node {
                if let Some(ws) = values.vector(s.as_str()) {
                    vectors.insert(i, ws.to_vec());
                    continue;
                }
            }
            let input = matches!(node, Node::Normal(_) | Node::Var(_));
            random[i] = input
                || (!matches!(node, Node::Bernoulli(_) | Node::Uniform(_))
                    && egg::Language::children(node)
                        .iter()
                        .any(|c| random[usize::from(*c)]));
            if input {
                let law = match node {
                    Node::Var([_, l]) => *l,
                    _ => Id::from(i),
                };
                let v =
                    |c: Id| -> Result<f64> { Ok(Compiled::new(&subterm(e, c), values)?.eval(0.0)) };
                let draw = match &e[law] {
                    Node::Normal([m, s]) => Draw::Normal(v(*m)?, v(*s)?),
                    Node::Bernoulli(p) => Draw::Bernoulli(v(*p)?),
                    Node::Uniform([a, b]) => Draw::Uniform(v(*a)?, v(*b)?),
                    _ => {
                        return Err(Error::new(
                            ErrorKind::Internal,
                            "an input without a law to draw from",
                        ))
                    }
                };
                laws.insert(hashes[i], draw);
                free[i] = vec![hashes[i]];
            } else if !matches!(
                node,
                Node::Conv(_) | Node::MaxPool(_) | Node::MinPool(_) | Node::Order(_)
            ) {
                let mut mine: Vec<u64> = Vec::new();
                for c in egg::Language::children(node) {
                    for h in &free[usize::from(*c)] {
                        if !mine.contains(h) {
                            mine.push(*h);
                        }
                    }
                }
                free[i] = mine;
            }
            if !random[i]
                && !matches!(
                    node,
                    Node::Cons(_) | Node::Nil | Node::Bernoulli(_) | Node::Uniform(_)
                )
            {
                constant[i] = Some(Compiled::new(&subterm(e, Id::from(i)), values)?.eval(0.0));
            }
        }
        Ok(Plan {
            e,
            constant,
            vectors,
            hashes,
            free,
            laws,
        })
    }

    fn value(&self, id: Id) -> f64 {
        self.constant[usize::from(id)].unwrap_or(f64::NAN)
    }

    /// `env` with fresh draws of the inputs `which`.
    fn draw(&self, which: &[u64], env: &Env, len: usize, rng: &mut ChaCha8Rng) -> Env {
        let mut env = env.clone();
        for h in which {
            let column: Vec<f64> = match self.laws.get(h) {
                Some(&Draw::Normal(m, s)) => (0..len)
                    .map(|_| {
                        let z: f64 = StandardNormal.sample(rng);
                        m + s * z
                    })
                    .collect(),
                Some(&Draw::Bernoulli(p)) => (0..len)
                    .map(|_| if rng.gen::<f64>() < p { 1.0 } else { 0.0 })
                    .collect(),
                Some(&Draw::Uniform(a, b)) => {
                    (0..len).map(|_| a + (b - a) * rng.gen::<f64>()).collect()
                }
                None => vec![f64::NAN; len],
            };
            env.insert(*h, Arc::new(column));
        }
        env
    }

    /// `len` values of the random subterm `id`, its inputs read from `env`.
    fn column(&self, id: Id, len: usize, rng: &mut ChaCha8Rng, env: &Env) -> Vec<f64> {
        // a constant branch of an `if`
        if let Some(v) = self.constant[usize::from(id)] {
            return vec![v; len];
        }
        match &self.e[id] {
            Node::Normal(_) | Node::Var(_) => env
                .get(&self.hashes[usize::from(id)])
                .map_or_else(|| vec![f64::NAN; len], |c| c.to_vec()),
            Node::MaxPool([a, n]) => self.pool(*a, *n, true, len, rng, env),
            Node::MinPool([a, n]) => self.pool(*a, *n, false, len, rng, env),
            Node::Ite([x, c, a, b]) => self.ite([*x, *c, *a, *b], len, rng, env),
            Node::Order([a, k, n]) => self.order(*a, *k, *n, len, rng, env),
            Node::Pow([a, n]) => {
                let n = self.value(*n);
                self.map(*a, len, rng, env, &move |x| x.powi(n as i32))
            }
            Node::Conv([a, w]) => self.conv(*a, *w, len, rng, env),
            Node::Neg(a) => self.map(*a, len, rng, env, &|x| -x),
            Node::Add([a, b]) | Node::Sub([a, b]) | Node::Mul([a, b]) | Node::Div([a, b]) => {
                self.affine(id, *a, *b, len, rng, env)
            }
            n => self.call(n, len, rng, env),
        }
    }

    /// A fresh copy of `a`: its inputs drawn again.
    fn copy(&self, a: Id, len: usize, rng: &mut ChaCha8Rng, env: &Env) -> Vec<f64> {
        let env = self.draw(&self.free[usize::from(a)], env, len, rng);
        self.column(a, len, rng, &env)
    }

    /// `f` of each of `len` values of `a`.
    fn map(
        &self,
        a: Id,
        len: usize,
        rng: &mut ChaCha8Rng,
        env: &Env,
        f: &dyn Fn(f64) -> f64,
    ) -> Vec<f64> {
        let mut v = self.column(a, len, rng, env);
        v.iter_mut().for_each(|x| *x = f(*x));
        v
    }

    /// The largest (or smallest) of `n` fresh copies of `a`, copy after copy.
    fn pool(
        &self,
        a: Id,
        n: Id,
        largest: bool,
        len: usize,
        rng: &mut ChaCha8Rng,
        env: &Env,
    ) -> Vec<f64> {
        let n = self.value(n) as u64;
        let (start, pick): (f64, fn(f64, f64) -> f64) = if largest {
            (f64::NEG_INFINITY, f64::max)
        } else {
            (f64::INFINITY, f64::min)
        };
        let mut best = vec![start; len];
        for _ in 0..n {
            for (b, v) in best.iter_mut().zip(self.copy(a, len, rng, env)) {
                *b = pick(*b, v);
            }
        }
        best
    }

    /// `ite(x, c, a, b)`: the condition and both branches see the same draws of the input.
    fn ite(&self, [x, c, a, b]: [Id; 4], len: usize, rng: &mut ChaCha8Rng, env: &Env) -> Vec<f64> {
        let c = self.value(c);
        let xs = self.column(x, len, rng, env);
        let first = self.column(a, len, rng, env);
        let second = self.column(b, len, rng, env);
        xs.iter()
            .zip(first)
            .zip(second)
            .map(|((x, f), s)| if *x >= c { f } else { s })
            .collect()
    }

    /// The `k`-th smallest of `n` fresh copies of `a`, all drawn first.
    fn order(&self, a: Id, k: Id, n: Id, len: usize, rng: &mut ChaCha8Rng, env: &Env) -> Vec<f64> {
        let (k, n) = (self.value(k) as usize, self.value(n) as usize);
        let copies: Vec<Vec<f64>> = (0..n).map(|_| self.copy(a, len, rng, env)).collect();
        let mut row = vec![0.0; n];
        (0..len)
            .map(|i| {
                for (r, c) in row.iter_mut().zip(&copies) {
                    *r = c[i];
                }
                row.sort_by(|x, y| x.total_cmp(y));
                row[k.clamp(1, n.max(1)) - 1]
            })
            .collect()
    }

    /// The weighted sum of fresh copies of `a`, one per weight of a named or written list.
    fn conv(&self, a: Id, w: Id, len: usize, rng: &mut ChaCha8Rng, env: &Env) -> Vec<f64> {
        let mut sum = vec![0.0; len];
        let mut add = |wk: f64, rng: &mut ChaCha8Rng| {
            for (s, v) in sum.iter_mut().zip(self.copy(a, len, rng, env)) {
                *s += wk * v;
            }
        };
        if let Some(ws) = self.vectors.get(&usize::from(w)) {
            for &wk in ws {
                add(wk, rng);
            }
        } else {
            let mut cur = w;
            while let Node::Cons([h, r]) = &self.e[cur] {
                add(self.value(*h), rng);
                cur = *r;
            }
        }
        sum
    }

    /// A sum, difference, product or quotient of node `id`: one operand random and the
    /// other constant, or both random, each reading the same draws of the inputs.
    fn affine(
        &self,
        id: Id,
        a: Id,
        b: Id,
        len: usize,
        rng: &mut ChaCha8Rng,
        env: &Env,
    ) -> Vec<f64> {
        let a_random = self.constant[usize::from(a)].is_none();
        if a_random && self.constant[usize::from(b)].is_none() {
            let x = self.column(a, len, rng, env);
            let y = self.column(b, len, rng, env);
            let op: fn(f64, f64) -> f64 = match &self.e[id] {
                Node::Add(_) => |x, y| x + y,
                Node::Sub(_) => |x, y| x - y,
                Node::Mul(_) => |x, y| x * y,
                _ => |x, y| x / y,
            };
            return x.into_iter().zip(y).map(|(x, y)| op(x, y)).collect();
        }
        let (r, c) = if a_random {
            (a, self.value(b))
        } else {
            (b, self.value(a))
        };
        let op: Box<dyn Fn(f64) -> f64> = match (&self.e[id], a_random) {
            (Node::Add(_), _) => Box::new(move |x| x + c),
            (Node::Sub(_), true) => Box::new(move |x| x - c),
            (Node::Sub(_), false) => Box::new(move |x| c - x),
            (Node::Mul(_), _) => Box::new(move |x| x * c),
            (Node::Div(_), true) => Box::new(move |x| x / c),
            _ => Box::new(move |x| c / x),
        };
        self.map(r, len, rng, env, &*op)
    }

    /// A function of the registry: its first argument is the random one, the others constants.
    fn call(&self, n: &Node, len: usize, rng: &mut ChaCha8Rng, env: &Env) -> Vec<f64> {
        match (n.function(), n.children()) {
            (Some(f), [a, rest @ ..]) => {
                let mut args = [0.0; 3];
                for (k, c) in args[1..].iter_mut().zip(rest) {
                    *k = self.value(*c);
                }
                let arity = n.children().len();
                self.map(*a, len, rng, env, &move |x| {
                    let mut args = args;
                    args[0] = x;
                    (f.value)(&args[..arity])
                })
            }
            _ => vec![f64::NAN; len],
        }
    }
}

/// Refuse a sample that would take more draws than [`MAX_DRAWS`].
pub fn check_budget(e: &Expr, values: &Values, n: usize) -> Result<()> {
    let per = draws_per_value(e, values)?;
    if per.saturating_mul(n as u64) > MAX_DRAWS {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("a sample of {n} values takes {per} Normal draws each, more than {MAX_DRAWS} in all"),
        )
        .help("use a smaller --samples, or a smaller pool size"));
    }
    Ok(())
}
