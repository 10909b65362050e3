//! Every user-facing error of core says itself through the catalogue: each message renders
//! in both languages with every key (nested ones too) in the catalogue and no placeholder
//! left over, and the Indonesian text is the wording the error has always had (its log
//! text, `Display`).

use chrono::NaiveDate;
use sinergi_core::access::ScopeError;
use sinergi_core::region_match::MatchError;
use sinergi_core::review::Decision;
use sinergi_core::{
    Desil, DesilError, DesilRange, ExcelDamage, IdInput, Localized, Msg, MsgArg, Nik, NikError,
    NikWarning, NoKk, Period, Ppks, PpksError, Quarter, RegionCode, RegionCodeError, Sex,
    parse_date,
};
use sinergi_i18n::{Lang, Messages};

fn assert_known(msg: &Msg, keys: &[String]) {
    assert!(
        keys.iter().any(|k| k == msg.key),
        "{} is not in the catalogue",
        msg.key
    );
    for (_, arg) in &msg.args {
        match arg {
            MsgArg::Text(_) => {}
            MsgArg::Msg(m) => assert_known(m, keys),
            MsgArg::List(ms) => ms.iter().for_each(|m| assert_known(m, keys)),
        }
    }
}

fn rendered(msg: &Msg, lang: Lang) -> String {
    assert_known(msg, &sinergi_i18n::keys(lang));
    let text = Messages::new(lang).render(msg);
    assert!(
        !text.contains('{'),
        "{lang:?}: placeholder left in {text:?} ({msg})"
    );
    text
}

/// Renders in both languages; the Indonesian text is the error's own wording.
fn check(e: &(impl Localized + std::fmt::Display)) {
    let msg = e.msg();
    let id = rendered(&msg, Lang::Id);
    let en = rendered(&msg, Lang::En);
    assert_eq!(id, e.to_string(), "{}", msg.key);
    assert_ne!(id, en, "{}: English is not a translation", msg.key);
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn nik_and_kk_errors_and_warnings() {
    let inputs = [
        IdInput::text(""),
        IdInput::text("5.2E+15"),
        IdInput::text("5203025205900001.0"),
        IdInput::text("5.203.025.205.900.001"),
        IdInput::numeric_cell("5203025205900000"),
        IdInput::text("52030252059000x1"),
        IdInput::text("520302520590001"),
        IdInput::text("0003025205900001"),
        IdInput::text("5203023205900001"),
        IdInput::text("5203021513900001"),
        IdInput::text("5203023102900001"),
        IdInput::text("5203025205900000"),
    ];
    let mut keys = std::collections::BTreeSet::new();
    for input in inputs {
        for e in Nik::parse(input, None).unwrap_err() {
            keys.insert(e.code());
            check(&e);
        }
        if let Err(es) = NoKk::parse(input, None) {
            for e in es {
                keys.insert(e.code());
                check(&e);
            }
        }
    }
    for key in [
        "nik.empty",
        "nik.stored_as_number",
        "nik.not_digits",
        "nik.length",
        "nik.region_zero",
        "nik.day",
        "nik.month",
        "nik.no_such_date",
        "nik.serial_zero",
        "kk.stored_as_number",
        "kk.month",
    ] {
        assert!(keys.contains(key), "{key} not exercised: {keys:?}");
    }
    for damage in [
        ExcelDamage::NumericCell,
        ExcelDamage::ScientificNotation,
        ExcelDamage::DecimalPart,
        ExcelDamage::ThousandsSeparators,
    ] {
        check(&NikError::StoredAsNumber {
            value: "x".into(),
            damage,
        });
    }
    let code = RegionCode::parse("52.03.02").unwrap();
    for w in [
        NikWarning::PrefixHistorical {
            kecamatan: code.clone(),
        },
        NikWarning::BirthDayMonthMismatch {
            nik_day: 5,
            nik_month: 2,
            recorded: d(1990, 3, 4),
        },
        NikWarning::BirthYearMismatch {
            nik_yy: 90,
            recorded: d(1991, 3, 4),
        },
        NikWarning::SexMismatch {
            nik: Sex::Female,
            recorded: Sex::Male,
        },
    ] {
        check(&w);
    }
    check(&sinergi_core::KkWarning::PrefixHistorical {
        region: code.clone(),
    });
    check(&NikError::PrefixUnknown {
        kecamatan: code.clone(),
    });
    check(&sinergi_core::KkError::PrefixUnknown { region: code });
}

#[test]
fn desil_period_ppks_region_and_date_errors() {
    for s in ["", "11", "xyz"] {
        check(&Desil::parse(s).unwrap_err());
    }
    for s in ["a-b", "5-1"] {
        check(&DesilRange::parse(s).unwrap_err());
    }
    let e: DesilError = DesilRange::parse("5-1").unwrap_err();
    assert_eq!(e.msg().key, "desil.range_reversed");
    for s in ["", "kapan", "2025-Q5", "2025-13", "0999"] {
        check(&Period::parse(s).unwrap_err());
    }
    check(&Quarter::parse("2025-03").unwrap_err());
    for s in ["", "27", "tidak ada"] {
        check(&Ppks::lookup(s).unwrap_err());
    }
    let e: PpksError = Ppks::lookup("27").unwrap_err();
    assert_eq!(e.msg().get("number"), Some(&MsgArg::Text("27".into())));
    for s in ["", "52.x", "520", "5.201", "52.00"] {
        let e: RegionCodeError = RegionCode::parse(s).unwrap_err();
        check(&e);
    }
    for s in ["", "kemarin", "12-05-85", "31-04-2024", "12 Mai 1985"] {
        check(&parse_date(s).unwrap_err());
    }
    check(&Decision::parse("mungkin").unwrap_err());
}

#[test]
fn region_match_errors() {
    check(&MatchError::Empty);
    check(&MatchError::Unknown {
        column: "desa",
        name: "Kembang".into(),
        suggestions: vec![],
    });
    check(&MatchError::Unknown {
        column: "desa",
        name: "Kembang".into(),
        suggestions: vec!["Kembang Kerang (52.03.05.2001)".into()],
    });
    for column in ["desa", "kecamatan", "kabupaten_kota"] {
        check(&MatchError::Ambiguous {
            column,
            name: "Bima".into(),
            candidates: vec!["Kabupaten Bima (52.06)".into(), "Kota Bima (52.72)".into()],
        });
    }
}

#[test]
fn scope_errors_name_the_role_and_level_in_each_language() {
    let e = ScopeError::WrongLevel {
        role: "operator_kabkota",
        level: "kabkota",
        code: "52".into(),
    };
    let id = rendered(&e.msg(), Lang::Id);
    let en = rendered(&e.msg(), Lang::En);
    assert_eq!(
        id,
        "peran Operator kab/kota hanya boleh berwilayah Kabupaten/Kota; 52 tidak sesuai"
    );
    assert!(en.contains("52") && en != id, "{en}");
    for e in [
        ScopeError::RegionRequired {
            role: "admin_provinsi",
        },
        ScopeError::OrganisationRequired { role: "mitra" },
        ScopeError::OrganisationNotAllowed { role: "pimpinan" },
    ] {
        let id = rendered(&e.msg(), Lang::Id);
        assert!(id.starts_with("peran "), "{id}");
        assert!(!id.contains('_'), "the role is named, not keyed: {id}");
        rendered(&e.msg(), Lang::En);
    }
}
