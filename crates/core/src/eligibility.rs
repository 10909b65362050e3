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
        let rule = Rule {
            text: text.to_string(),
            tree,
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

    /// The rule's answer for `facts` in a cycle starting on `start`.
    pub fn evaluate(&self, facts: &Facts, start: NaiveDate) -> Verdict {
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

    #[test]
    fn age_counts_full_years() {
        assert_eq!(age_on(d("2014-08-17"), d("2026-08-16")), 11);
        assert_eq!(age_on(d("2014-08-17"), d("2026-08-17")), 12);
    }
}
