//! The entries of the registry, one function each, and the list of the nodes they
//! generate (`for_each_function!`): adding a function is an entry here and a line in
//! the list. The types of the fields are documented in the parent module.

use super::{
    Call, Derivative, Domain, Finite, Function, Lowering, Map, Piece, Print, Signs, Turns,
};
use crate::lang::{special, Need};

/// The default entry that the ones below fill in.
const BASE: Function = Function {
    op: "",
    call: None,
    value: |_| f64::NAN,
    vector: None,
    with_derivatives: None,
    print: Print::Own,
    exact: &[],
    signs: Signs::Own,
    finite: Finite::Unknown,
    domain: Domain::Own,
    increasing: false,
    turns: Turns::Unknown,
    derivative: None,
    map: None,
};

const fn call(
    name: &'static str,
    usage: &'static str,
    arity: usize,
    meaning: &'static str,
    example: &'static str,
) -> Option<Call> {
    Some(Call {
        name,
        usage,
        arity,
        meaning,
        example,
        lowering: Lowering::Own,
    })
}

/// A call of a random argument and constant ones (a slope, a scale) that lowers to
/// the function's own node.
const fn parametric(
    name: &'static str,
    usage: &'static str,
    arity: usize,
    meaning: &'static str,
    example: &'static str,
) -> Option<Call> {
    Some(Call {
        name,
        usage,
        arity,
        meaning,
        example,
        lowering: Lowering::Node,
    })
}

/// A call of one argument that lowers to the function's own node.
const fn node(
    name: &'static str,
    usage: &'static str,
    meaning: &'static str,
    example: &'static str,
) -> Option<Call> {
    Some(Call {
        name,
        usage,
        arity: 1,
        meaning,
        example,
        lowering: Lowering::Node,
    })
}

/// One increasing piece onto (lo, hi).
const fn onto(lo: Option<&'static str>, hi: Option<&'static str>, inverse: &'static str) -> Piece {
    Piece {
        lo: match lo {
            Some(l) => Some((l, false)),
            None => None,
        },
        hi,
        inverse,
    }
}

/// SELU's constants, as PyTorch defines them.
pub const SELU_LAMBDA: f64 = 1.0507009873554805;
pub const SELU_ALPHA: f64 = 1.6732632423543772;

/// Calls `$then!` with `{ $head }` and the list of function nodes, `"op" = Variant(children)
/// => entry`, in the order the term language declares them (the order of its nodes
/// decides ties in extraction, so entries are only ever appended).
macro_rules! for_each_function {
    ($then:ident { $($head:tt)* } { $($tail:tt)* }) => {
        $then! { { $($head)* } { $($tail)* }
            "abs" = Abs(Id) => $crate::lang::functions::ABS,
            "exp" = Exp(Id) => $crate::lang::functions::EXP,
            "log" = Log(Id) => $crate::lang::functions::LOG,
            "sqrt" = Sqrt(Id) => $crate::lang::functions::SQRT,
            "tanh" = Tanh(Id) => $crate::lang::functions::TANH,
            "atanh" = Atanh(Id) => $crate::lang::functions::ATANH,
            "sigmoid" = Sigmoid(Id) => $crate::lang::functions::SIGMOID,
            "logit" = Logit(Id) => $crate::lang::functions::LOGIT,
            "softplus" = Softplus(Id) => $crate::lang::functions::SOFTPLUS,
            "relu" = Relu(Id) => $crate::lang::functions::RELU,
            "leaky-relu" = LeakyRelu([Id; 2]) => $crate::lang::functions::LEAKY_RELU,
            "elu" = Elu([Id; 2]) => $crate::lang::functions::ELU,
            "softsign" = Softsign(Id) => $crate::lang::functions::SOFTSIGN,
            "softsign-inv" = SoftsignInv(Id) => $crate::lang::functions::SOFTSIGN_INV,
            "root" = Root([Id; 2]) => $crate::lang::functions::ROOT,
            "clamp" = Clamp([Id; 3]) => $crate::lang::functions::CLAMP,
            "max" = Max([Id; 2]) => $crate::lang::functions::MAX,
            "min" = Min([Id; 2]) => $crate::lang::functions::MIN,
            "Phi" = Phi(Id) => $crate::lang::functions::PHI,
            "phi" = NPdf(Id) => $crate::lang::functions::NPDF,
            "logsigmoid" = Logsigmoid(Id) => $crate::lang::functions::LOGSIGMOID,
            "selu" = Selu(Id) => $crate::lang::functions::SELU,
            "gelu" = Gelu(Id) => $crate::lang::functions::GELU,
            "gelu-d" = GeluD(Id) => $crate::lang::functions::GELU_D,
            "gelu-tanh" = GeluTanh(Id) => $crate::lang::functions::GELU_TANH,
            "silu" = Silu(Id) => $crate::lang::functions::SILU,
            "mish" = Mish(Id) => $crate::lang::functions::MISH,
        }
    };
}

pub const ABS: Function = Function {
    op: "abs",
    call: node(
        "abs",
        "abs(E)",
        "|E|: two preimages, ±t, for every t > 0",
        "y = abs(tanh(x))",
    ),
    value: |x| x[0].abs(),
    finite: Finite::WithArgs,
    ..BASE
};

pub const EXP: Function = Function {
    op: "exp",
    call: node("exp", "exp(E)", "e^E, increasing onto (0, ∞)", "y = exp(x)"),
    value: |x| x[0].exp(),
    vector: Some(crate::lang::simd::exp),
    with_derivatives: None,
    print: Print::Call("exp", "\\exp"),
    exact: &[("-inf", "0"), ("inf", "inf"), ("0", "1")],
    signs: Signs::Positive,
    finite: Finite::WithArgs,
    domain: Domain::All,
    increasing: true,
    turns: Turns::Unknown,
    derivative: Some(Derivative {
        name: "d-chain-exp",
        rhs: "(* (exp ?u) (Dc ?u))",
        words: "chain rule: exp' = exp",
    }),
    map: Some(Map {
        inverse_name: "log",
        pieces: &[onto(Some("0"), None, "(log ?t)")],
        domain: None,
        words: "exp is increasing onto (0, inf)",
        density: Some(("(/ INNER ?t)", "f_E(log(t))/t")),
    }),
};

pub const LOG: Function = Function {
    op: "log",
    call: node(
        "log",
        "log(E)",
        "natural logarithm; E must be positive almost surely",
        "y = log(softplus(x))",
    ),
    value: |x| x[0].ln(),
    vector: Some(crate::lang::simd::ln),
    with_derivatives: None,
    print: Print::Call("log", "\\log"),
    exact: &[("inf", "inf"), ("0", "-inf"), ("1", "0")],
    signs: Signs::Any,
    finite: Finite::PositiveArg,
    domain: Domain::Positive,
    increasing: true,
    turns: Turns::Unknown,
    derivative: Some(Derivative {
        name: "d-chain-log",
        rhs: "(/ (Dc ?u) ?u)",
        words: "chain rule: log'(u) = 1/u",
    }),
    map: Some(Map {
        inverse_name: "exp",
        pieces: &[onto(None, None, "(exp ?t)")],
        domain: Some(Need::Positive),
        words: "log is increasing on (0, inf), and its argument is positive almost surely",
        density: Some(("(* INNER (exp ?t))", "f_E(e^t) e^t")),
    }),
};

pub const SQRT: Function = Function {
    op: "sqrt",
    call: node(
        "sqrt",
        "sqrt(E)",
        "square root; E must be non-negative almost surely",
        "y = sqrt(relu(x))",
    ),
    value: |x| x[0].sqrt(),
    signs: Signs::Root,
    finite: Finite::PositiveArg,
    domain: Domain::NonNegative,
    derivative: Some(Derivative {
        name: "d-chain-sqrt",
        rhs: "(/ (Dc ?u) (* 2 (sqrt ?u)))",
        words: "chain rule: sqrt'(u) = 1/(2 sqrt(u))",
    }),
    map: Some(Map {
        inverse_name: "sqrt-inverse",
        pieces: &[Piece {
            lo: Some(("0", true)),
            hi: None,
            inverse: "(^ ?t 2)",
        }],
        domain: Some(Need::NonNegative),
        words: "sqrt is increasing on [0, inf), and its argument is non-negative almost surely",
        density: Some(("(* INNER (* 2 ?t))", "f_E(t^2) 2t")),
    }),
    ..BASE
};

pub const TANH: Function = Function {
    op: "tanh",
    call: node(
        "tanh",
        "tanh(E)",
        "hyperbolic tangent, increasing onto (-1, 1)",
        "y = tanh(2*x + 1)",
    ),
    value: |x| x[0].tanh(),
    print: Print::Call("tanh", "\\tanh"),
    exact: &[("-inf", "-1"), ("inf", "1"), ("0", "0")],
    signs: Signs::Same,
    finite: Finite::Always,
    domain: Domain::All,
    increasing: true,
    derivative: Some(Derivative {
        name: "d-chain-tanh",
        rhs: "(* (- 1 (^ (tanh ?u) 2)) (Dc ?u))",
        words: "chain rule: tanh' = 1 - tanh^2",
    }),
    map: Some(Map {
        inverse_name: "atanh",
        pieces: &[onto(Some("-1"), Some("1"), "(atanh ?t)")],
        domain: None,
        words: "tanh is increasing onto (-1, 1)",
        density: Some(("(/ INNER (- 1 (^ ?t 2)))", "f_E(artanh(t))/(1 - t^2)")),
    }),
    ..BASE
};

pub const ATANH: Function = Function {
    op: "atanh",
    value: |x| libm::atanh(x[0]),
    vector: Some(crate::lang::simd::atanh),
    print: Print::Call("artanh", "\\operatorname{artanh}"),
    // at the edge of its domain, the one-sided limit from inside (the only side)
    exact: &[("0", "0"), ("1", "inf"), ("-1", "-inf")],
    signs: Signs::Same,
    domain: Domain::Inside(-1.0, 1.0),
    increasing: true,
    derivative: Some(Derivative {
        name: "d-chain-atanh",
        rhs: "(/ (Dc ?u) (- 1 (^ ?u 2)))",
        words: "chain rule: artanh'(u) = 1/(1 - u^2)",
    }),
    ..BASE
};

pub const SIGMOID: Function = Function {
    op: "sigmoid",
    call: node(
        "sigmoid",
        "sigmoid(E)",
        "1/(1 + e^-E), increasing onto (0, 1)",
        "y = sigmoid(exp(x))",
    ),
    value: |x| special::sigmoid(x[0]),
    vector: Some(crate::lang::simd::sigmoid),
    with_derivatives: None,
    print: Print::Call("sigmoid", "\\operatorname{sigmoid}"),
    exact: &[("-inf", "0"), ("inf", "1"), ("0", "1/2")],
    signs: Signs::Positive,
    finite: Finite::Always,
    domain: Domain::All,
    increasing: true,
    turns: Turns::Unknown,
    derivative: Some(Derivative {
        name: "d-chain-sigmoid",
        rhs: "(* (* (sigmoid ?u) (- 1 (sigmoid ?u))) (Dc ?u))",
        words: "chain rule: sigmoid' = sigmoid (1 - sigmoid)",
    }),
    map: Some(Map {
        inverse_name: "logit",
        pieces: &[onto(Some("0"), Some("1"), "(logit ?t)")],
        domain: None,
        words: "sigmoid is increasing onto (0, 1)",
        density: Some(("(/ INNER (* ?t (- 1 ?t)))", "f_E(logit(t))/(t(1 - t))")),
    }),
};

pub const LOGIT: Function = Function {
    op: "logit",
    value: |x| special::logit(x[0]),
    vector: Some(crate::lang::simd::logit),
    print: Print::Call("logit", "\\operatorname{logit}"),
    exact: &[("0", "-inf"), ("1", "inf"), ("1/2", "0")],
    signs: Signs::Own,
    domain: Domain::Inside(0.0, 1.0),
    increasing: true,
    derivative: Some(Derivative {
        name: "d-chain-logit",
        rhs: "(/ (Dc ?u) (* ?u (- 1 ?u)))",
        words: "chain rule: logit'(u) = 1/(u(1 - u))",
    }),
    ..BASE
};

pub const SOFTPLUS: Function = Function {
    op: "softplus",
    call: node(
        "softplus",
        "softplus(E)",
        "log(1 + e^E), increasing onto (0, ∞)",
        "y = softplus(x)",
    ),
    value: |x| special::softplus(x[0]),
    print: Print::Call("softplus", "\\operatorname{softplus}"),
    exact: &[("-inf", "0"), ("inf", "inf")],
    signs: Signs::Positive,
    finite: Finite::WithArgs,
    domain: Domain::All,
    increasing: true,
    derivative: Some(Derivative {
        name: "d-chain-softplus",
        rhs: "(* (sigmoid ?u) (Dc ?u))",
        words: "chain rule: softplus' = sigmoid",
    }),
    map: Some(Map {
        inverse_name: "softplus-inverse",
        pieces: &[onto(Some("0"), None, "(log (- (exp ?t) 1))")],
        domain: None,
        words: "softplus is increasing onto (0, inf)",
        density: Some((
            "(/ INNER (- 1 (exp (neg ?t))))",
            "f_E(log(e^t - 1))/(1 - e^(-t))",
        )),
    }),
    ..BASE
};

pub const RELU: Function = Function {
    op: "relu",
    call: node(
        "relu",
        "relu(E)",
        "max(0, E): all of E ≤ 0 goes to the point 0, an atom",
        "y = relu(x)",
    ),
    value: |x| if x[0] > 0.0 { x[0] } else { 0.0 },
    print: Print::Call("relu", "\\operatorname{relu}"),
    finite: Finite::WithArgs,
    ..BASE
};

pub const LEAKY_RELU: Function = Function {
    op: "leaky-relu",
    call: parametric(
        "leaky_relu",
        "leaky_relu(E, ALPHA)",
        2,
        "E for E ≥ 0 and ALPHA·E below; needs ALPHA > 0",
        "y = leaky_relu(x, 0.1)",
    ),
    value: |x| if x[0] >= 0.0 { x[0] } else { x[1] * x[0] },
    print: Print::Call("leaky_relu", "\\operatorname{leaky\\_relu}"),
    finite: Finite::WithArgs,
    ..BASE
};

pub const ELU: Function = Function {
    op: "elu",
    call: parametric(
        "elu",
        "elu(E, ALPHA)",
        2,
        "E for E > 0 and ALPHA·(e^E − 1) below; needs ALPHA > 0; increasing onto (−ALPHA, ∞)",
        "y = elu(x, 1)",
    ),
    value: |x| special::elu(x[0], x[1]),
    print: Print::Call("elu", "\\operatorname{elu}"),
    finite: Finite::WithArgs,
    ..BASE
};

pub const SOFTSIGN: Function = Function {
    op: "softsign",
    call: node(
        "softsign",
        "softsign(E)",
        "E/(1 + |E|), increasing onto (-1, 1)",
        "y = softsign(x)",
    ),
    value: |x| special::softsign(x[0]),
    print: Print::Call("softsign", "\\operatorname{softsign}"),
    exact: &[("-inf", "-1"), ("inf", "1"), ("0", "0")],
    signs: Signs::Same,
    finite: Finite::Always,
    domain: Domain::All,
    increasing: true,
    map: Some(Map {
        inverse_name: "softsign-inverse",
        pieces: &[onto(Some("-1"), Some("1"), "(softsign-inv ?t)")],
        domain: None,
        words: "softsign is increasing onto (-1, 1)",
        density: Some((
            "(/ INNER (^ (- 1 (abs ?t)) 2))",
            "f_E(t/(1 - |t|))/(1 - |t|)^2",
        )),
    }),
    ..BASE
};

pub const SOFTSIGN_INV: Function = Function {
    op: "softsign-inv",
    value: |x| special::softsign_inv(x[0]),
    exact: &[("0", "0"), ("1", "inf"), ("-1", "-inf")],
    signs: Signs::Same,
    domain: Domain::Inside(-1.0, 1.0),
    increasing: true,
    derivative: Some(Derivative {
        name: "d-chain-softsign-inverse",
        rhs: "(/ (Dc ?u) (^ (- 1 (abs ?u)) 2))",
        words: "chain rule: (u/(1 - |u|))' = 1/(1 - |u|)^2",
    }),
    ..BASE
};

pub const ROOT: Function = Function {
    op: "root",
    value: |x| special::root(x[0], x[1]),
    ..BASE
};

pub const CLAMP: Function = Function {
    op: "clamp",
    call: call("clamp", "clamp(E, LO, HI)", 3, "min(max(E, LO), HI): point masses at both ends; LO and HI numbers or parameters (order them with `assume lo < 0`, `assume hi > 0` to have the brackets decided)", "y = clamp(2*x, 0, 6)"),
    value: |x| x[0].max(x[1]).min(x[2]),
    print: Print::Call("clamp", "\\operatorname{clamp}"),
    finite: Finite::WithArgs,
    ..BASE
};

pub const MAX: Function = Function {
    op: "max",
    call: call(
        "max",
        "max(E, C)",
        2,
        "the larger of E and a constant C: a point mass at C",
        "y = max(x, c)",
    ),
    value: |x| x[0].max(x[1]),
    print: Print::Call("max", "\\max"),
    finite: Finite::WithArgs,
    ..BASE
};

pub const MIN: Function = Function {
    op: "min",
    call: call(
        "min",
        "min(E, C)",
        2,
        "the smaller of E and a constant C: a point mass at C",
        "y = min(x, 1)",
    ),
    value: |x| x[0].min(x[1]),
    print: Print::Call("min", "\\min"),
    finite: Finite::WithArgs,
    ..BASE
};

pub const PHI: Function = Function {
    op: "Phi",
    value: |x| special::std_normal_cdf(x[0]),
    vector: Some(crate::lang::simd::std_normal_cdf),
    print: Print::Call("Φ", "\\Phi"),
    exact: &[("-inf", "0"), ("inf", "1"), ("0", "1/2")],
    signs: Signs::Positive,
    finite: Finite::Always,
    domain: Domain::All,
    increasing: true,
    derivative: Some(Derivative {
        name: "d-chain-Phi",
        rhs: "(* (phi ?u) (Dc ?u))",
        words: "chain rule: Phi' = phi, the standard Normal density",
    }),
    ..BASE
};

pub const NPDF: Function = Function {
    op: "phi",
    value: |x| special::std_normal_pdf(x[0]),
    vector: Some(crate::lang::simd::std_normal_pdf),
    print: Print::Call("φ", "\\varphi"),
    exact: &[("-inf", "0"), ("inf", "0")],
    signs: Signs::Positive,
    finite: Finite::Always,
    domain: Domain::All,
    turns: Turns::At(&[(0.0, false)]),
    derivative: Some(Derivative {
        name: "d-chain-phi",
        rhs: "(* (neg (* ?u (phi ?u))) (Dc ?u))",
        words: "chain rule: phi'(u) = -u phi(u)",
    }),
    ..BASE
};

pub const LOGSIGMOID: Function = Function {
    op: "logsigmoid",
    call: node(
        "logsigmoid",
        "logsigmoid(E)",
        "log σ(E) = −softplus(−E), increasing onto (−∞, 0)",
        "y = logsigmoid(x)",
    ),
    // min(x, 0) − log(1 + e^(−|x|)): no overflow of e^(−x) for x ≪ 0
    value: |x| x[0].min(0.0) - (-x[0].abs()).exp().ln_1p(),
    print: Print::Call("logsigmoid", "\\operatorname{logsigmoid}"),
    exact: &[("-inf", "-inf"), ("inf", "0")],
    signs: Signs::Negative,
    finite: Finite::WithArgs,
    domain: Domain::All,
    increasing: true,
    derivative: Some(Derivative {
        name: "d-chain-logsigmoid",
        rhs: "(* (sigmoid (neg ?u)) (Dc ?u))",
        words: "chain rule: (log sigmoid)'(u) = sigmoid(-u)",
    }),
    map: Some(Map {
        inverse_name: "logsigmoid-inverse",
        // the inverse −log(e^(−t) − 1) = −softplus⁻¹(−t)
        pieces: &[onto(None, Some("0"), "(neg (log (- (exp (neg ?t)) 1)))")],
        domain: None,
        words: "logsigmoid is increasing onto (-inf, 0)",
        density: Some((
            "(/ INNER (- 1 (exp ?t)))",
            "f_E(-log(e^(-t) - 1))/(1 - e^t)",
        )),
    }),
    ..BASE
};

/// SELU as PyTorch defines it: λ·E above 0 and λα(e^E − 1) below, λ = 1.0507009873554805
/// and α = 1.6732632423543772 (exact decimals; λ = 2101401974710961/2·10¹⁵ and λα below
/// are them as fractions).
pub const SELU: Function = Function {
    op: "selu",
    call: node(
        "selu",
        "selu(E)",
        "λE for E > 0 and λα(e^E − 1) below (λ = 1.0507009873554805, α = 1.6732632423543772, as PyTorch), increasing onto (−λα, ∞)",
        "y = selu(x)",
    ),
    value: |x| {
        let (lambda, alpha) = (SELU_LAMBDA, SELU_ALPHA);
        if x[0] > 0.0 {
            lambda * x[0]
        } else {
            lambda * (alpha * x[0].exp_m1())
        }
    },
    print: Print::Call("selu", "\\operatorname{selu}"),
    exact: &[
        ("0", "0"),
        ("inf", "inf"),
        ("-inf", "-8790496704236883909170257921223/5000000000000000000000000000000"),
    ],
    signs: Signs::Same,
    finite: Finite::WithArgs,
    domain: Domain::All,
    increasing: true,
    derivative: Some(Derivative {
        name: "d-chain-selu",
        rhs: "(* (+ (* (> ?u 0) 2101401974710961/2000000000000000) (* (>= 0 ?u) (* 8790496704236883909170257921223/5000000000000000000000000000000 (exp ?u)))) (Dc ?u))",
        words: "chain rule: selu'(u) = lambda for u > 0, lambda alpha e^u below",
    }),
    map: Some(Map {
        pieces: &[
            Piece {
                lo: Some(("-8790496704236883909170257921223/5000000000000000000000000000000", false)),
                hi: Some("0"),
                inverse: "(log (+ 1 (/ ?t 8790496704236883909170257921223/5000000000000000000000000000000)))",
            },
            Piece { lo: Some(("0", true)), hi: None, inverse: "(/ ?t 2101401974710961/2000000000000000)" },
        ],
        inverse_name: "selu-inverse",
        domain: None,
        words: "selu (lambda = 1.0507009873554805, alpha = 1.6732632423543772) is increasing onto (-lambda alpha, inf): t/lambda above 0, log(1 + t/(lambda alpha)) below",
        density: None,
    }),
    ..BASE
};

/// Constants of the registry's entries that print by name, not as the fraction they
/// are exactly: (value, text, LaTeX, whether the name is a product, λα, and so is
/// wrapped as a divisor). Terms keep the exact rational; only printing names it.
pub const NAMED_CONSTANTS: &[(&str, &str, &str, bool)] = &[
    ("2101401974710961/2000000000000000", "λ", "\\lambda", false),
    (
        "8790496704236883909170257921223/5000000000000000000000000000000",
        "λα",
        "\\lambda\\alpha",
        true,
    ),
];

/// The activations of today's networks: smooth, and not monotone. Each turns once,
/// at a minimum its entry finds from its derivative (`Turns::Derived`); their laws
/// come from the pieces of the input's map (`derive::pieces`), not from rules of
/// their own. The derivatives are written so that interval arithmetic can sign them
/// in the tails, and so that their f64 values neither overflow nor lose their
/// relative accuracy there (1 − σ(u) is σ(−u)).
pub const GELU: Function = Function {
    op: "gelu",
    call: node(
        "gelu",
        "gelu(E)",
        "E·Φ(E), the Gaussian error linear unit (exact form): decreasing to its minimum −0.170 at E = −0.752, then increasing",
        "y = gelu(x)",
    ),
    value: |x| if x[0] == f64::NEG_INFINITY { 0.0 } else { x[0] * special::std_normal_cdf(x[0]) },
    vector: Some(crate::lang::simd::gelu),
    with_derivatives: Some(crate::lang::simd::gelu_with_derivatives),
    print: Print::Call("GELU", "\\operatorname{GELU}"),
    exact: &[("0", "0"), ("-inf", "0"), ("inf", "inf")],
    signs: Signs::Same,
    finite: Finite::WithArgs,
    domain: Domain::All,
    turns: Turns::Derived,
    derivative: Some(Derivative {
        name: "d-chain-gelu",
        rhs: "(* (gelu-d ?u) (Dc ?u))",
        words: "chain rule: GELU'(u) = Phi(u) + u phi(u)",
    }),
    ..BASE
};

/// GELU′(u) = Φ(u) + u·φ(u), its own node so that its turns (at ±√2) bound it: as a
/// sum, intervals cannot see that it is negative for u → −∞.
pub const GELU_D: Function = Function {
    op: "gelu-d",
    value: |x| {
        let u = x[0];
        let p = special::std_normal_cdf(u);
        if u.is_infinite() {
            p
        } else {
            p + u * special::std_normal_pdf(u)
        }
    },
    vector: Some(crate::lang::simd::gelu_d),
    print: Print::As("(+ (Phi ?u) (* ?u (phi ?u)))"),
    exact: &[("-inf", "0"), ("inf", "1"), ("0", "1/2")],
    signs: Signs::Any,
    finite: Finite::Always,
    domain: Domain::All,
    turns: Turns::Derived,
    derivative: Some(Derivative {
        name: "d-chain-gelu-d",
        rhs: "(* (* (phi ?u) (- 2 (^ ?u 2))) (Dc ?u))",
        words: "chain rule: (Phi(u) + u phi(u))' = phi(u)(2 - u^2)",
    }),
    ..BASE
};

/// PyTorch's `gelu(approximate="tanh")`: u(1 + tanh(k(u + 0.044715u³)))/2 with k = √(2/π)
/// (to f64 precision, 0.7978845608028654), which is u·σ(2k(u + 0.044715u³)).
pub const GELU_TANH: Function = Function {
    op: "gelu-tanh",
    call: node(
        "gelu_tanh",
        "gelu_tanh(E)",
        "E(1 + tanh(√(2/π)(E + 0.044715E³)))/2, PyTorch's approximate=\"tanh\" GELU: its minimum −0.170 at E = −0.752",
        "y = gelu_tanh(x)",
    ),
    value: |x| {
        let u = x[0];
        if u == f64::NEG_INFINITY {
            return 0.0;
        }
        u * special::sigmoid(1.5957691216057308 * (u + 0.044715 * u * u * u))
    },
    vector: Some(crate::lang::simd::gelu_tanh),
    print: Print::Call("GELU_tanh", "\\operatorname{GELU}_{\\tanh}"),
    exact: &[("0", "0"), ("-inf", "0"), ("inf", "inf")],
    signs: Signs::Same,
    finite: Finite::WithArgs,
    domain: Domain::All,
    turns: Turns::Derived,
    derivative: Some(Derivative {
        name: "d-chain-gelu-tanh",
        rhs: "(* (* (sigmoid (* 7978845608028654/5000000000000000 (+ ?u (* 44715/1000000 (^ ?u 3))))) (+ 1 (* (* ?u (sigmoid (neg (* 7978845608028654/5000000000000000 (+ ?u (* 44715/1000000 (^ ?u 3))))))) (* 7978845608028654/5000000000000000 (+ 1 (* 134145/1000000 (^ ?u 2))))))) (Dc ?u))",
        words: "chain rule: with s = 2k(u + 0.044715u^3), (u sigmoid(s))' = sigmoid(s)(1 + u sigmoid(-s) s')",
    }),
    ..BASE
};

pub const SILU: Function = Function {
    op: "silu",
    call: node(
        "silu",
        "silu(E)",
        "E·σ(E), the sigmoid linear unit (swish): its minimum −0.278 at E = −1.278",
        "y = silu(x)",
    ),
    value: |x| {
        if x[0] == f64::NEG_INFINITY {
            0.0
        } else {
            x[0] * special::sigmoid(x[0])
        }
    },
    vector: Some(crate::lang::simd::silu),
    with_derivatives: Some(crate::lang::simd::silu_with_derivatives),
    print: Print::Call("SiLU", "\\operatorname{SiLU}"),
    exact: &[("0", "0"), ("-inf", "0"), ("inf", "inf")],
    signs: Signs::Same,
    finite: Finite::WithArgs,
    domain: Domain::All,
    turns: Turns::Derived,
    derivative: Some(Derivative {
        name: "d-chain-silu",
        rhs: "(* (* (sigmoid ?u) (+ 1 (* ?u (sigmoid (neg ?u))))) (Dc ?u))",
        words: "chain rule: SiLU'(u) = sigmoid(u)(1 + u sigmoid(-u))",
    }),
    ..BASE
};

/// Mish, u·tanh(softplus(u)) (its value in `special::mish`). With q = σ(−u), its derivative is σ(u)/(1 + q²)·(1 + q + 4uq²/(1 + q²)).
pub const MISH: Function = Function {
    op: "mish",
    call: node(
        "mish",
        "mish(E)",
        "E·tanh(softplus(E)): its minimum −0.309 at E = −1.192",
        "y = mish(x)",
    ),
    value: |x| {
        let u = x[0];
        if u == f64::NEG_INFINITY {
            return 0.0;
        }
        special::mish(u)
    },
    vector: Some(crate::lang::simd::mish),
    print: Print::Call("Mish", "\\operatorname{Mish}"),
    exact: &[("0", "0"), ("-inf", "0"), ("inf", "inf")],
    signs: Signs::Same,
    finite: Finite::WithArgs,
    domain: Domain::All,
    turns: Turns::Derived,
    derivative: Some(Derivative {
        name: "d-chain-mish",
        rhs: "(* (* (/ (sigmoid ?u) (+ 1 (^ (sigmoid (neg ?u)) 2))) (+ (+ 1 (sigmoid (neg ?u))) (/ (* (* 4 ?u) (^ (sigmoid (neg ?u)) 2)) (+ 1 (^ (sigmoid (neg ?u)) 2))))) (Dc ?u))",
        words: "chain rule: with q = sigmoid(-u), Mish'(u) = sigmoid(u)/(1 + q^2) (1 + q + 4u q^2/(1 + q^2))",
    }),
    ..BASE
};

/// Calls that lower to other functions (shorthands) or to operators of their own,
/// listed for the language reference and errors: (name, call).
#[rustfmt::skip]
pub const OTHER_CALLS: &[Call] = &[
    Call { name: "swish",        usage: "swish(E)",               arity: 1, meaning: "silu(E)", example: "y = swish(x)", lowering: Lowering::Sugar("(silu ?x)") },
    Call { name: "hardswish",    usage: "hardswish(E)",           arity: 1, meaning: "E·relu6(E + 3)/6, PyTorch's hardswish: 0 for E ≤ −3, its minimum −3/8 at E = −3/2", example: "y = hardswish(x)", lowering: Lowering::Sugar("(/ (* ?x (clamp (+ ?x 3) 0 6)) 6)") },
    Call { name: "relu6",        usage: "relu6(E)",               arity: 1, meaning: "clamp(E, 0, 6)", example: "y = relu6(3*x)", lowering: Lowering::Sugar("(clamp ?x 0 6)") },
    Call { name: "hardtanh",     usage: "hardtanh(E)",            arity: 1, meaning: "clamp(E, -1, 1)", example: "y = hardtanh(x)", lowering: Lowering::Sugar("(clamp ?x -1 1)") },
    Call { name: "hard_sigmoid", usage: "hard_sigmoid(E)",        arity: 1, meaning: "clamp(E/6 + 1/2, 0, 1), as relu6(E + 3)/6 in PyTorch", example: "y = hard_sigmoid(x)", lowering: Lowering::Sugar("(clamp (+ (/ ?x 6) 1/2) 0 1)") },
    Call { name: "minpool",      usage: "minpool(E, N)",          arity: 2, meaning: "the smallest of N iid copies of E; N a whole number or a parameter (then N ≥ 1 is assumed)", example: "y = minpool(relu(x), N)", lowering: Lowering::Own },
    Call { name: "order",        usage: "order(E, K, N)",         arity: 3, meaning: "the K-th smallest of N iid copies of E (K = 1 is minpool, K = N maxpool); K, N whole numbers or parameters (then 1 ≤ K ≤ N is assumed)", example: "y = order(x, 2, 5)", lowering: Lowering::Own },
    Call { name: "maxpool",      usage: "maxpool(E, N)",          arity: 2, meaning: "the largest of N iid copies of E; N a whole number or a parameter (then N ≥ 1 is assumed)", example: "y = maxpool(x, N)", lowering: Lowering::Own },
    Call { name: "conv",         usage: "conv(E, [w1, ..., wn])", arity: 2, meaning: "w1·E1 + ... + wn·En for iid copies Ei of E. For a Normal E the sum is Normal; for any other E (relu(x), maxpool(x, 2), ...) its atoms are exact and the rest is computed numerically, with the CDF's error bound in eval's output. For a Normal E the weights may also be a vector parameter, conv(E, w), given with --set w=[1,2,1]; then Σw and ‖w‖ stay symbolic", example: "y = conv(x, [0.25, 0.5, 0.25])", lowering: Lowering::Own },
];
