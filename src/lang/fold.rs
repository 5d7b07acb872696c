//! Constants to numbers: exact folding of rationals, ±∞ and the exact values the
//! registry lists, and floating-point values of constants that have no exact one.

use super::{functions, Expr, Node, Num, Sign};
use egg::{Id, Language};
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};

/// Exact folding of a node whose children are exact: rationals, ±∞, and the exact
/// values of functions (log(1) = 0, artanh(0) = 0, Φ(0) = 1/2, ...).
pub fn fold(node: &Node, x: impl Fn(Id) -> Option<Num>) -> Option<Num> {
    use Num::*;
    let r = |n: Num| n.rat().cloned();
    let int_of = |n: &Num| -> Option<i64> {
        let r = n.rat()?;
        if r.is_integer() {
            r.to_integer().to_i64()
        } else {
            None
        }
    };
    Some(match node {
        Node::Num(n) => n.clone(),
        Node::Add([a, b]) => sum(x(*a)?, x(*b)?)?,
        Node::Sub([a, b]) => sum(x(*a)?, negated(x(*b)?))?,
        Node::Mul([a, b]) => {
            let (a, b) = (x(*a)?, x(*b)?);
            match (&a, &b) {
                (Rat(a), Rat(b)) => Num::from(a.as_ref() * b.as_ref()),
                _ if a.is_zero() || b.is_zero() => return None,
                _ => {
                    if a.sign().times(b.sign()) == Sign::POS {
                        PosInf
                    } else {
                        NegInf
                    }
                }
            }
        }
        Node::Div([a, b]) => {
            let (a, b) = (x(*a)?, x(*b)?);
            match (&a, &b) {
                (_, b) if b.is_zero() => return None,
                (Rat(a), Rat(b)) => Num::from(a.as_ref() / b.as_ref()),
                (Rat(_), _) => Num::int(0),
                (_, Rat(b)) => {
                    if a.sign().times(Rat(b.clone()).sign()) == Sign::POS {
                        PosInf
                    } else {
                        NegInf
                    }
                }
                _ => return None,
            }
        }
        Node::Neg(a) => negated(x(*a)?),
        Node::Abs(a) => match x(*a)? {
            Rat(a) => Num::from(a.abs()),
            _ => PosInf,
        },
        Node::Pow([a, b]) => {
            // a limit at ±∞ to a positive whole power
            if let (inf @ (PosInf | NegInf), Some(e)) = (x(*a)?, int_of(&x(*b)?)) {
                return match e {
                    e if e > 0 && (e % 2 == 0 || inf == PosInf) => Some(PosInf),
                    e if e > 0 => Some(NegInf),
                    _ => None,
                };
            }
            let (base, e) = (r(x(*a)?)?, int_of(&x(*b)?)?);
            // keep folded constants small: beyond this they stay symbolic
            if e.abs() > 64 || base.numer().bits() + base.denom().bits() > 256 {
                return None;
            }
            if e < 0 && base.is_zero() {
                return None;
            }
            Num::from(num_traits::pow::Pow::pow(&base, e as i32))
        }
        Node::Sqrt(a) => exact_root(&r(x(*a)?)?, 2)?,
        Node::Relu(a) => match x(*a)? {
            n if n.sign().within(Sign::NONPOS) => Num::int(0),
            n => n,
        },
        Node::LeakyRelu([a, s]) => {
            x(*s)?;
            let v = x(*a)?;
            if v.sign().within(Sign::NONNEG) {
                v
            } else {
                return fold(&Node::Mul([*s, *a]), x);
            }
        }
        Node::Root([a, n]) => {
            let (v, k) = (x(*a)?, int_of(&x(*n)?)?);
            match v {
                PosInf => PosInf,
                NegInf if k % 2 != 0 => NegInf,
                Rat(r) if (1..=64).contains(&k) => exact_root(&r, k as u32)?,
                _ => return None,
            }
        }
        Node::Max([a, b]) => std::cmp::max(x(*a)?, x(*b)?),
        Node::Min([a, b]) => std::cmp::min(x(*a)?, x(*b)?),
        Node::Clamp([a, lo, hi]) => std::cmp::min(std::cmp::max(x(*a)?, x(*lo)?), x(*hi)?),
        Node::Factorial(a) => {
            let k = int_of(&x(*a)?)?;
            if !(0..=20).contains(&k) {
                return None;
            }
            Num::int((1..=k).product())
        }
        Node::Ge([a, b]) => Num::int((x(*a)? >= x(*b)?) as i64),
        Node::Gt([a, b]) => Num::int((x(*a)? > x(*b)?) as i64),
        n => match (n.function(), n.children()) {
            // a function's exact values at the points its entry lists
            (Some(f), [a]) => {
                let v = x(*a)?;
                return functions::exact(f, &v);
            }
            _ => return None,
        },
    })
}

/// a + b, with ±∞ (∞ − ∞ has no value).
fn sum(a: Num, b: Num) -> Option<Num> {
    use Num::*;
    Some(match (a, b) {
        (Rat(a), Rat(b)) => Num::from(&*a + &*b),
        (PosInf, NegInf) | (NegInf, PosInf) => return None,
        (inf @ (PosInf | NegInf), _) | (_, inf @ (PosInf | NegInf)) => inf,
    })
}

fn negated(a: Num) -> Num {
    match a {
        Num::Rat(a) => Num::from(-&*a),
        Num::PosInf => Num::NegInf,
        Num::NegInf => Num::PosInf,
    }
}

/// The real k-th root of a rational, exact only for perfect powers (an even root of a
/// negative number has none).
fn exact_root(r: &BigRational, k: u32) -> Option<Num> {
    let neg = r.is_negative();
    if neg && k.is_multiple_of(2) {
        return None;
    }
    let m = r.abs();
    let (p, q) = (m.numer().nth_root(k), m.denom().nth_root(k));
    let exact = num_traits::pow(p.clone(), k as usize) == *m.numer()
        && num_traits::pow(q.clone(), k as usize) == *m.denom();
    exact.then(|| {
        let root = BigRational::new(p, q);
        Num::from(if neg { -root } else { root })
    })
}

/// The floating-point value of a node whose children all have one; `None` for anything
/// with t, a parameter or a random variable in it, and for NaN.
pub(super) fn approximate(node: &Node, x: impl Fn(Id) -> Option<f64>) -> Option<f64> {
    use crate::lang::special;
    let v = match node {
        Node::Add([a, b]) => x(*a)? + x(*b)?,
        Node::Sub([a, b]) => x(*a)? - x(*b)?,
        Node::Mul([a, b]) => x(*a)? * x(*b)?,
        Node::Div([a, b]) => x(*a)? / x(*b)?,
        Node::Pow([a, b]) => x(*a)?.powf(x(*b)?),
        Node::Neg(a) => -x(*a)?,
        Node::Abs(a) => x(*a)?.abs(),
        Node::OrderCdf([k, n, u]) => special::order_cdf(x(*k)?, x(*n)?, x(*u)?),
        Node::Factorial(a) => special::factorial(x(*a)?),
        // a reference's value is its index, which only the nodes below read: their
        // children are an index into lang::implicit, then the argument
        Node::Ref(r) => r.0 as f64,
        Node::Point(k) => crate::lang::implicit::get_point(x(*k)? as usize)?.value,
        Node::Inverse([k, u]) => {
            let inv = crate::lang::implicit::get_inverse(x(*k)? as usize)?;
            crate::lang::implicit::solve(&inv, x(*u)?)
        }
        Node::InverseD([k, u]) => {
            let inv = crate::lang::implicit::get_inverse(x(*k)? as usize)?;
            crate::lang::implicit::solve_d(&inv, x(*u)?)
        }
        n => {
            let f = n.function()?;
            let mut args = [0.0; 3];
            for (v, c) in args.iter_mut().zip(n.children()) {
                *v = x(*c)?;
            }
            (f.value)(&args[..n.children().len()])
        }
    };
    (!v.is_nan()).then_some(v)
}

/// The floating-point value of a constant term (no t, no parameter, no random
/// variable), as the analysis approximates constants; `None` otherwise.
pub fn value(e: &Expr) -> Option<f64> {
    let mut vals: Vec<Option<f64>> = Vec::with_capacity(e.as_ref().len());
    for node in e.as_ref() {
        let v = match node {
            Node::Num(n) => Some(n.to_f64()),
            _ => approximate(node, |i| vals[usize::from(i)]),
        };
        vals.push(v);
    }
    vals.last().copied().flatten()
}
