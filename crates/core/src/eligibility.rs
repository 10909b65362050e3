//! Eligibility rules as data (issue 20): a program owner writes a boolean expression over a
//! person's and family's facts, e.g.
//! `desil <= 2 && umur(tanggal_mulai) >= 6 && umur(tanggal_mulai) <= 18 && sekolah == "ya"`.
//!
//! The language is `evalexpr` (a maintained crate, no dependencies), not a home-made parser.
//! CEL (`cel-interpreter` 0.10) was measured first: 46 s of CPU and 1 min 55 s wall for a
//! cold debug build on the shared 2-core machine (ANTLR runtime, regex), against 1 s for
//! `evalexpr`; the rules here need only comparisons, `&&`/`||`/`!`, strings and a few
//! functions, which both give. `evalexpr` also lets a rule be evaluated against a borrowed
//! [`Context`] per person without building a map per person (fast over millions).
//!
//! Variables: `desil` (1–10), `jk` ("L"/"P"), `disabilitas` (true/false), `sekolah`
//! ("ya"/"tidak"), `jenjang` ("SD"/"SMP"/"SMA"), `wilayah` (region code), `tanggal_mulai`
//! (the cycle's first day, "YYYY-MM-DD"). Functions: `umur(tanggal)` (full years on that
//! date), `di_wilayah("5203")` (the person lives in that region or below), `ikut("KODE")`
//! (the person is in that other program), and `contains`, `len`, `min`, `max`. A fact the
//! registry lacks is empty; a rule that needs it cannot decide, and says so.

use chrono::{Datelike, NaiveDate};
use evalexpr::{
    Context, DefaultNumericTypes, EvalexprError, EvalexprResult, Node, Value, build_operator_tree,
};
use serde::{Deserialize, Serialize};

use crate::cycle::SchoolLevel;
use crate::msg::Msg;

/// The variables a rule may read.
pub const VARIABLES: [&str; 7] = [
    "desil",
    "jk",
    "disabilitas",
    "sekolah",
    "jenjang",
    "wilayah",
    "tanggal_mulai",
];

/// The functions a rule may call.
pub const FUNCTIONS: [&str; 7] = [
    "umur",
    "di_wilayah",
    "ikut",
    "contains",
    "len",
    "min",
    "max",
];

/// What is known about one person (and their family) when a rule is evaluated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    #[serde(default)]
    pub desil: Option<u8>,
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// "L" or "P".
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub disability: Option<bool>,
    /// In school ("ya") or not ("tidak").
    #[serde(default)]
    pub in_school: Option<bool>,
    #[serde(default)]
    pub level: Option<SchoolLevel>,
    #[serde(default)]
    pub region: String,
    /// Codes of the other programs the person is in.
    #[serde(default)]
    pub programs: Vec<String>,
}

/// Full years between `birth` and `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i64 {
    let mut years = i64::from(on.year() - birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// A rule, parsed and checked against the known names.
#[derive(Debug, Clone)]
pub struct Rule {
    text: String,
    tree: Node<DefaultNumericTypes>,
    /// The same tree lowered to typed nodes over a person's facts, evaluated without a
    /// value per variable or a string per date; `None` when the rule uses something only
    /// `evalexpr` evaluates (the built-ins, arithmetic), which then answers alone.
    fast: Option<Lowered>,
}

/// A rule's answer for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Eligible,
    NotEligible,
    /// The rule could not decide (a fact is missing, a value has the wrong type).
    Undecided(String),
}

impl Verdict {
    pub fn is_eligible(&self) -> bool {
        *self == Verdict::Eligible
    }

    pub fn key(&self) -> &'static str {
        match self {
            Verdict::Eligible => "memenuhi",
            Verdict::NotEligible => "tidak_memenuhi",
            Verdict::Undecided(_) => "tidak_dapat_dinilai",
        }
    }
}

impl Rule {
    /// Parses `text`; refuses unknown variables and functions (a typo must not silently
    /// make everyone ineligible) and assignments.
    pub fn parse(text: &str) -> Result<Rule, Msg> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Msg::new("cycles.rule_empty"));
        }
        let tree = build_operator_tree::<DefaultNumericTypes>(text)
            .map_err(|e| Msg::new("cycles.rule_syntax").arg("error", e))?;
        if let Some(v) = tree
            .iter_variable_identifiers()
            .find(|v| !VARIABLES.contains(v))
        {
            return Err(Msg::new("cycles.rule_unknown_name")
                .arg("name", v)
                .arg("choices", VARIABLES.join(", ")));
        }
        if let Some(f) = tree
            .iter_function_identifiers()
            .find(|f| !FUNCTIONS.contains(f))
        {
            return Err(Msg::new("cycles.rule_unknown_function")
                .arg("name", f)
                .arg("choices", FUNCTIONS.join(", ")));
        }
        if tree.iter_write_variable_identifiers().next().is_some() {
            return Err(Msg::new("cycles.rule_assignment"));
        }
        // evalexpr accepts an unfinished tree (`desil <=`) until it is evaluated: try it once
        // on a person with every fact known, which must give true or false.
        let fast = Lowered::lower(&tree);
        let rule = Rule {
            text: text.to_string(),
            tree,
            fast,
        };
        let probe = Facts {
            desil: Some(1),
            birth_date: NaiveDate::from_ymd_opt(2015, 1, 1),
            sex: Some("L".into()),
            disability: Some(false),
            in_school: Some(true),
            level: Some(SchoolLevel::Sd),
            region: "52".into(),
            programs: Vec::new(),
        };
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        if let Verdict::Undecided(error) = rule.evaluate(&probe, start) {
            return Err(Msg::new("cycles.rule_syntax").arg("error", error));
        }
        Ok(rule)
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The rule as typed nodes, when it lowers to them (see [`Lowered`]): what a store may
    /// translate to its query language.
    pub fn lowered(&self) -> Option<&Lowered> {
        self.fast.as_ref()
    }

    /// The rule's answer for `facts` in a cycle starting on `start`; an undecided answer
    /// carries `evalexpr`'s words for what was missing.
    pub fn evaluate(&self, facts: &Facts, start: NaiveDate) -> Verdict {
        match self.at(start).outcome(facts) {
            Outcome::Eligible => Verdict::Eligible,
            Outcome::NotEligible => Verdict::NotEligible,
            Outcome::Undecided => match self.evaluate_slow(facts, start) {
                Verdict::Undecided(why) => Verdict::Undecided(why),
                // The two paths are tested to agree; should they not, say so.
                other => Verdict::Undecided(format!("{other:?}")),
            },
        }
    }

    /// The rule bound to a cycle's first day, for evaluating many people in one pass.
    pub fn at(&self, start: NaiveDate) -> BoundRule<'_> {
        BoundRule {
            rule: self,
            start,
            start_text: start.format("%Y-%m-%d").to_string(),
        }
    }

    /// The rule's answer through `evalexpr` alone (one value per variable per person).
    pub fn evaluate_slow(&self, facts: &Facts, start: NaiveDate) -> Verdict {
        let ctx = PersonContext::new(facts, start);
        match self.tree.eval_boolean_with_context(&ctx) {
            Ok(true) => Verdict::Eligible,
            Ok(false) => Verdict::NotEligible,
            Err(e) => Verdict::Undecided(e.to_string()),
        }
    }

    /// Runs the rule's stored test cases; the failing ones are returned.
    pub fn run_cases<'c>(&self, cases: &'c [RuleCase], start: NaiveDate) -> Vec<&'c RuleCase> {
        cases
            .iter()
            .filter(|c| self.evaluate(&c.facts, start).is_eligible() != c.expected)
            .collect()
    }
}

/// A rule's answer without the words: what a count over millions needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Eligible,
    NotEligible,
    Undecided,
}

/// A rule bound to a cycle's first day (see [`Rule::at`]).
pub struct BoundRule<'r> {
    rule: &'r Rule,
    start: NaiveDate,
    start_text: String,
}

impl BoundRule<'_> {
    /// The rule's answer for one person: typed nodes when the rule lowers to them (no
    /// allocation per person), `evalexpr` otherwise.
    pub fn outcome(&self, facts: &Facts) -> Outcome {
        match &self.rule.fast {
            Some(fast) => match fast.eval(facts, self) {
                Ok(Val::Bool(true)) => Outcome::Eligible,
                Ok(Val::Bool(false)) => Outcome::NotEligible,
                _ => Outcome::Undecided,
            },
            None => match self.rule.evaluate_slow(facts, self.start) {
                Verdict::Eligible => Outcome::Eligible,
                Verdict::NotEligible => Outcome::NotEligible,
                Verdict::Undecided(_) => Outcome::Undecided,
            },
        }
    }
}

/// A value while a lowered rule is evaluated; strings are borrowed from the facts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Val<'a> {
    Empty,
    Bool(bool),
    Int(i64),
    Str(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Neq,
    Lt,
    Leq,
    Gt,
    Geq,
}

/// A rule's tree lowered to typed nodes. The semantics are `evalexpr`'s own: every child
/// is evaluated (no short circuit), any error makes the whole rule undecided, `==`
/// compares kind and value, ordering needs two numbers or two strings, `&&`/`||`/`!`
/// need booleans.
#[derive(Debug, Clone)]
pub enum Lowered {
    Empty,
    Bool(bool),
    Int(i64),
    Str(String),
    /// Index into [`VARIABLES`].
    Var(usize),
    Cmp(CmpOp, Box<Lowered>, Box<Lowered>),
    And(Box<Lowered>, Box<Lowered>),
    Or(Box<Lowered>, Box<Lowered>),
    Not(Box<Lowered>),
    /// `umur(x)` on the cycle's first day (`umur(tanggal_mulai)`, `umur()`).
    AgeAtStart,
    /// `umur("YYYY-MM-DD")`; `None` when the text is not a date (always an error).
    AgeOn(Option<NaiveDate>),
    /// `umur(x)` for any other argument.
    Age(Box<Lowered>),
    InRegion(Box<Lowered>),
    InProgram(Box<Lowered>),
}

const START: usize = 6;

impl Lowered {
    fn lower(node: &Node<DefaultNumericTypes>) -> Option<Lowered> {
        use evalexpr::Operator as O;
        let kids = node.children();
        let one = |i: usize| kids.get(i).and_then(Lowered::lower).map(Box::new);
        let two = |op: fn(Box<Lowered>, Box<Lowered>) -> Lowered| {
            (kids.len() == 2).then_some(())?;
            Some(op(one(0)?, one(1)?))
        };
        let cmp = |op: CmpOp| {
            (kids.len() == 2).then_some(())?;
            Some(Lowered::Cmp(op, one(0)?, one(1)?))
        };
        match node.operator() {
            O::RootNode => match kids.len() {
                0 => Some(Lowered::Empty),
                1 => Lowered::lower(&kids[0]),
                _ => None,
            },
            O::Const { value } => match value {
                Value::Empty => Some(Lowered::Empty),
                Value::Boolean(b) => Some(Lowered::Bool(*b)),
                Value::Int(i) => Some(Lowered::Int(*i)),
                Value::String(s) => Some(Lowered::Str(s.clone())),
                _ => None,
            },
            O::VariableIdentifierRead { identifier } => VARIABLES
                .iter()
                .position(|v| v == identifier)
                .map(Lowered::Var),
            O::Eq => cmp(CmpOp::Eq),
            O::Neq => cmp(CmpOp::Neq),
            O::Lt => cmp(CmpOp::Lt),
            O::Leq => cmp(CmpOp::Leq),
            O::Gt => cmp(CmpOp::Gt),
            O::Geq => cmp(CmpOp::Geq),
            O::And => two(Lowered::And),
            O::Or => two(Lowered::Or),
            O::Not => (kids.len() == 1).then(|| one(0).map(Lowered::Not))?,
            O::FunctionIdentifier { identifier } => {
                (kids.len() == 1).then_some(())?;
                let arg = one(0)?;
                match identifier.as_str() {
                    "umur" => Some(match *arg {
                        Lowered::Empty | Lowered::Var(START) => Lowered::AgeAtStart,
                        Lowered::Str(ref s) => {
                            Lowered::AgeOn(NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                        }
                        _ => Lowered::Age(arg),
                    }),
                    "di_wilayah" => Some(Lowered::InRegion(arg)),
                    "ikut" => Some(Lowered::InProgram(arg)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn eval<'a>(&'a self, facts: &'a Facts, at: &'a BoundRule<'_>) -> Result<Val<'a>, ()> {
        let boolean = |v: Val<'_>| match v {
            Val::Bool(b) => Ok(b),
            _ => Err(()),
        };
        let age = |on: NaiveDate| match facts.birth_date {
            Some(birth) => Ok(Val::Int(age_on(birth, on))),
            None => Err(()),
        };
        Ok(match self {
            Lowered::Empty => Val::Empty,
            Lowered::Bool(b) => Val::Bool(*b),
            Lowered::Int(i) => Val::Int(*i),
            Lowered::Str(s) => Val::Str(s),
            Lowered::Var(i) => variable(*i, facts, at),
            Lowered::Cmp(op, a, b) => {
                let (a, b) = (a.eval(facts, at)?, b.eval(facts, at)?);
                let ord = match (a, b) {
                    _ if matches!(op, CmpOp::Eq) => return Ok(Val::Bool(a == b)),
                    _ if matches!(op, CmpOp::Neq) => return Ok(Val::Bool(a != b)),
                    (Val::Str(x), Val::Str(y)) => x.cmp(y),
                    (Val::Int(x), Val::Int(y)) => x.cmp(&y),
                    _ => return Err(()),
                };
                Val::Bool(match op {
                    CmpOp::Lt => ord.is_lt(),
                    CmpOp::Leq => ord.is_le(),
                    CmpOp::Gt => ord.is_gt(),
                    CmpOp::Geq => ord.is_ge(),
                    CmpOp::Eq | CmpOp::Neq => unreachable!("answered above"),
                })
            }
            Lowered::And(a, b) => {
                let (a, b) = (a.eval(facts, at)?, b.eval(facts, at)?);
                Val::Bool(boolean(a)? & boolean(b)?)
            }
            Lowered::Or(a, b) => {
                let (a, b) = (a.eval(facts, at)?, b.eval(facts, at)?);
                Val::Bool(boolean(a)? | boolean(b)?)
            }
            Lowered::Not(a) => Val::Bool(!boolean(a.eval(facts, at)?)?),
            Lowered::AgeAtStart => age(at.start)?,
            Lowered::AgeOn(on) => age(on.ok_or(())?)?,
            Lowered::Age(arg) => match arg.eval(facts, at)? {
                Val::Empty => age(at.start)?,
                Val::Str(s) => age(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ())?)?,
                _ => return Err(()),
            },
            Lowered::InRegion(arg) => {
                let Val::Str(code) = arg.eval(facts, at)? else {
                    return Err(());
                };
                let mut code = code.bytes().filter(|b| *b != b'.').peekable();
                if code.peek().is_none() {
                    return Ok(Val::Bool(false));
                }
                let mut own = facts.region.bytes().filter(|b| *b != b'.');
                Val::Bool(code.all(|c| own.next() == Some(c)))
            }
            Lowered::InProgram(arg) => {
                let Val::Str(code) = arg.eval(facts, at)? else {
                    return Err(());
                };
                Val::Bool(facts.programs.iter().any(|p| p.eq_ignore_ascii_case(code)))
            }
        })
    }
}

/// Variable `i` of [`VARIABLES`] for one person, borrowed.
fn variable<'a>(i: usize, facts: &'a Facts, at: &'a BoundRule<'_>) -> Val<'a> {
    let text = |s: Option<&'a str>| s.map_or(Val::Empty, Val::Str);
    match i {
        0 => facts.desil.map_or(Val::Empty, |d| Val::Int(i64::from(d))),
        1 => text(facts.sex.as_deref()),
        2 => facts.disability.map_or(Val::Empty, Val::Bool),
        3 => text(facts.in_school.map(|b| if b { "ya" } else { "tidak" })),
        4 => text(facts.level.map(SchoolLevel::key)),
        5 => Val::Str(&facts.region),
        _ => Val::Str(&at.start_text),
    }
}

/// A test case stored with a rule: these facts must (or must not) be eligible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCase {
    pub label: String,
    pub facts: Facts,
    pub expected: bool,
}

/// The life of a rule: edited as a draft, used by cycles once published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    Draft,
    Published,
}

impl RuleStatus {
    /// The status's name in the user's language.
    pub fn label(self) -> crate::msg::Msg {
        crate::msg::Msg::new(match self {
            RuleStatus::Draft => "cycles.rule.draft",
            RuleStatus::Published => "cycles.rule.published",
        })
    }

    pub fn key(self) -> &'static str {
        match self {
            RuleStatus::Draft => "draft",
            RuleStatus::Published => "published",
        }
    }

    pub fn from_key(key: &str) -> Option<RuleStatus> {
        match key {
            "draft" => Some(RuleStatus::Draft),
            "published" => Some(RuleStatus::Published),
            _ => None,
        }
    }
}

/// Whether a draft may be published: its test cases must all pass (and it needs at least
/// one, so that the owner has said once what the rule means).
pub fn check_publish(rule: &Rule, cases: &[RuleCase], start: NaiveDate) -> Result<(), Msg> {
    if cases.is_empty() {
        return Err(Msg::new("cycles.rule_needs_cases"));
    }
    let failing = rule.run_cases(cases, start);
    if let Some(first) = failing.first() {
        return Err(Msg::new("cycles.rule_case_failed")
            .arg("label", &first.label)
            .arg("count", failing.len()));
    }
    Ok(())
}

/// One person's facts as the rule's variables; borrowed, built once per evaluation.
struct PersonContext<'a> {
    facts: &'a Facts,
    start: NaiveDate,
    values: [Value; 7],
}

fn text_or_empty(v: Option<&str>) -> Value {
    v.map_or(Value::Empty, |s| Value::String(s.to_string()))
}

impl<'a> PersonContext<'a> {
    fn new(facts: &'a Facts, start: NaiveDate) -> PersonContext<'a> {
        let yes_no = |b: bool| if b { "ya" } else { "tidak" };
        PersonContext {
            facts,
            start,
            values: [
                facts
                    .desil
                    .map_or(Value::Empty, |d| Value::Int(i64::from(d))),
                text_or_empty(facts.sex.as_deref()),
                facts.disability.map_or(Value::Empty, Value::Boolean),
                text_or_empty(facts.in_school.map(yes_no)),
                text_or_empty(facts.level.map(SchoolLevel::key)),
                Value::String(facts.region.clone()),
                Value::String(start.format("%Y-%m-%d").to_string()),
            ],
        }
    }
}

fn custom(msg: impl Into<String>) -> EvalexprError {
    EvalexprError::CustomMessage(msg.into())
}

impl Context for PersonContext<'_> {
    type NumericTypes = DefaultNumericTypes;

    fn get_value(&self, identifier: &str) -> Option<&Value> {
        let i = VARIABLES.iter().position(|v| *v == identifier)?;
        Some(&self.values[i])
    }

    fn call_function(&self, identifier: &str, argument: &Value) -> EvalexprResult<Value> {
        match identifier {
            "umur" => {
                let on = match argument {
                    Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .map_err(|_| custom(format!("umur: tanggal {s}")))?,
                    Value::Empty => self.start,
                    other => return Err(custom(format!("umur: {other}"))),
                };
                let birth = self
                    .facts
                    .birth_date
                    .ok_or_else(|| custom("tanggal lahir tidak diketahui"))?;
                Ok(Value::Int(age_on(birth, on)))
            }
            "di_wilayah" => {
                let code = argument.as_string()?;
                let code = code.replace('.', "");
                let own = self.facts.region.replace('.', "");
                Ok(Value::Boolean(!code.is_empty() && own.starts_with(&code)))
            }
            "ikut" => {
                let code = argument.as_string()?;
                Ok(Value::Boolean(
                    self.facts
                        .programs
                        .iter()
                        .any(|p| p.eq_ignore_ascii_case(&code)),
                ))
            }
            _ => Err(EvalexprError::FunctionIdentifierNotFound(
                identifier.to_string(),
            )),
        }
    }

    /// Built-ins stay on for `contains`, `len`, `min`, `max`: [`Rule::parse`] refuses any
    /// other function name, so nothing else (e.g. `random`) is reachable.
    fn are_builtin_functions_disabled(&self) -> bool {
        false
    }

    fn set_builtin_functions_disabled(&mut self, _disabled: bool) -> EvalexprResult<()> {
        Err(EvalexprError::BuiltinFunctionsCannotBeDisabled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn child() -> Facts {
        Facts {
            desil: Some(2),
            birth_date: Some(d("2014-08-17")),
            sex: Some("P".into()),
            disability: Some(false),
            in_school: Some(true),
            level: Some(SchoolLevel::Smp),
            region: "52.03.05.2001".into(),
            programs: vec!["PKH".into()],
        }
    }

    const TUNAS: &str =
        r#"desil <= 2 && umur(tanggal_mulai) >= 6 && umur(tanggal_mulai) <= 18 && sekolah == "ya""#;

    #[test]
    fn the_tunas_negeri_rule_decides() {
        let rule = Rule::parse(TUNAS).unwrap();
        let start = d("2026-07-13");
        assert_eq!(rule.evaluate(&child(), start), Verdict::Eligible);
        let richer = Facts {
            desil: Some(5),
            ..child()
        };
        assert_eq!(rule.evaluate(&richer, start), Verdict::NotEligible);
        let out_of_school = Facts {
            in_school: Some(false),
            ..child()
        };
        assert_eq!(rule.evaluate(&out_of_school, start), Verdict::NotEligible);
        // Born 2005: 20 at the start.
        let adult = Facts {
            birth_date: Some(d("2005-01-01")),
            ..child()
        };
        assert_eq!(rule.evaluate(&adult, start), Verdict::NotEligible);
    }

    #[test]
    fn a_missing_fact_leaves_the_rule_undecided() {
        let rule = Rule::parse(TUNAS).unwrap();
        let unknown = Facts {
            desil: None,
            ..child()
        };
        assert!(matches!(
            rule.evaluate(&unknown, d("2026-07-13")),
            Verdict::Undecided(_)
        ));
    }

    #[test]
    fn region_membership_and_functions() {
        let start = d("2026-07-13");
        let rule = Rule::parse(r#"di_wilayah("52.03") && ikut("PKH") && jk == "P""#).unwrap();
        assert_eq!(rule.evaluate(&child(), start), Verdict::Eligible);
        let rule = Rule::parse(r#"di_wilayah("5201") || !ikut("pkh")"#).unwrap();
        assert_eq!(rule.evaluate(&child(), start), Verdict::NotEligible);
        let rule = Rule::parse(r#"jenjang == "SMP" && min(desil, 3) == 2"#).unwrap();
        assert_eq!(rule.evaluate(&child(), start), Verdict::Eligible);
    }

    #[test]
    fn unknown_names_and_assignments_are_refused() {
        assert_eq!(
            Rule::parse("desli <= 2").unwrap_err().key,
            "cycles.rule_unknown_name"
        );
        assert_eq!(
            Rule::parse("random() > 1").unwrap_err().key,
            "cycles.rule_unknown_function"
        );
        assert_eq!(
            Rule::parse("desil = 2").unwrap_err().key,
            "cycles.rule_assignment"
        );
        assert_eq!(
            Rule::parse("desil <= ").unwrap_err().key,
            "cycles.rule_syntax"
        );
        assert_eq!(Rule::parse(" ").unwrap_err().key, "cycles.rule_empty");
    }

    #[test]
    fn publishing_needs_passing_cases() {
        let rule = Rule::parse(TUNAS).unwrap();
        let start = d("2026-07-13");
        assert_eq!(
            check_publish(&rule, &[], start).unwrap_err().key,
            "cycles.rule_needs_cases"
        );
        let good = RuleCase {
            label: "anak desil 2".into(),
            facts: child(),
            expected: true,
        };
        assert!(check_publish(&rule, std::slice::from_ref(&good), start).is_ok());
        let wrong = RuleCase {
            label: "salah".into(),
            facts: child(),
            expected: false,
        };
        let err = check_publish(&rule, &[good, wrong], start).unwrap_err();
        assert_eq!(err.key, "cycles.rule_case_failed");
    }

    /// The lowered rule must answer exactly as `evalexpr` does, missing facts included.
    #[test]
    fn the_lowered_rule_agrees_with_evalexpr() {
        let rules = [
            TUNAS,
            r#"desil <= 2 || sekolah != "ya""#,
            r#"!(jk == "L") && disabilitas"#,
            r#"di_wilayah("52.03.05") && jenjang >= "SMP""#,
            r#"ikut("pkh") || umur("2030-01-01") > 15 || umur() < 7"#,
            r#"wilayah < "52.04" && tanggal_mulai == "2026-07-13""#,
            "desil == 3 || desil != 4 && disabilitas == true",
            r#"umur(tanggal_mulai) >= desil || jk == 1"#,
        ];
        let mut seed: u64 = 20;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let start = d("2026-07-13");
        for text in rules {
            let rule = Rule::parse(text).unwrap();
            assert!(rule.fast.is_some(), "{text} should lower");
            let bound = rule.at(start);
            let mut seen = [0usize; 3];
            for _ in 0..3_000 {
                let facts = Facts {
                    desil: (next(5) > 0).then(|| next(10) as u8 + 1),
                    birth_date: (next(5) > 0).then(|| {
                        NaiveDate::from_ymd_opt(2000 + next(26) as i32, 1 + next(12) as u32, 1)
                            .unwrap()
                    }),
                    sex: (next(4) > 0).then(|| if next(2) == 0 { "L" } else { "P" }.into()),
                    disability: (next(4) > 0).then(|| next(2) == 0),
                    in_school: (next(4) > 0).then(|| next(2) == 0),
                    level: [
                        None,
                        Some(SchoolLevel::Sd),
                        Some(SchoolLevel::Smp),
                        Some(SchoolLevel::Sma),
                    ][next(4) as usize],
                    region: ["52.03.05.2001", "52.03.06.2002", "52.71.01.1001", ""]
                        [next(4) as usize]
                        .into(),
                    programs: if next(2) == 0 {
                        vec!["PKH".into()]
                    } else {
                        Vec::new()
                    },
                };
                let slow = rule.evaluate_slow(&facts, start);
                let fast = bound.outcome(&facts);
                let expected = match slow {
                    Verdict::Eligible => Outcome::Eligible,
                    Verdict::NotEligible => Outcome::NotEligible,
                    Verdict::Undecided(_) => Outcome::Undecided,
                };
                assert_eq!(fast, expected, "{text} on {facts:?}");
                seen[fast as usize] += 1;
            }
            assert!(
                seen.iter().filter(|n| **n > 0).count() >= 2,
                "{text}: {seen:?}"
            );
        }
        // Built-ins stay with evalexpr, and still answer.
        let rule = Rule::parse(r#"jenjang == "SMP" && min(desil, 3) == 2"#).unwrap();
        assert!(rule.fast.is_none());
        assert_eq!(rule.at(start).outcome(&child()), Outcome::Eligible);
    }

    #[test]
    fn age_counts_full_years() {
        assert_eq!(age_on(d("2014-08-17"), d("2026-08-16")), 11);
        assert_eq!(age_on(d("2014-08-17"), d("2026-08-17")), 12);
    }
}
