//! The access-scope fixture shared by the store and web test suites.

use chrono::NaiveDate;
use sinergi_core::{LegalBasis, Nik, PersonInput, Principal, RegionCode, RegionEntry, Role, Scope};
use sinergi_store::{NewPersonList, NewUser, OrganisationKind, PersonFilter, PiiKey, Store};

use crate::TestDb;

pub const PASSWORD: &str = "kata-sandi-uji-123";

pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

pub fn mini_regions() -> Vec<RegionEntry> {
    [
        ("52", "Nusa Tenggara Barat"),
        ("52.02", "Kabupaten Lombok Tengah"),
        ("52.02.01", "Praya"),
        ("52.02.01.2001", "Panjisari"),
        ("52.03", "Kabupaten Lombok Timur"),
        ("52.03.05", "Masbagik"),
        ("52.03.05.2003", "Masbagik Selatan"),
        ("52.03.05.2004", "Masbagik Timur"),
        ("33", "Jawa Tengah"),
        ("33.01", "Kabupaten Cilacap"),
        ("33.01.01", "Dayeuhluhur"),
        ("33.01.01.2001", "Hanum"),
    ]
    .into_iter()
    .map(|(c, n)| RegionEntry {
        code: code(c),
        name: n.into(),
        latitude: None,
        longitude: None,
    })
    .collect()
}

/// One person of the fixture, as the test knows it.
#[derive(Clone, Debug)]
pub struct Truth {
    pub label: &'static str,
    pub org: usize,
    pub region: &'static str,
    pub name: &'static str,
    pub nik: &'static str,
    pub id: i64,
}

pub struct World {
    pub store: Store,
    pub key: PiiKey,
    /// The key as text, for SINERGI_KUNCI.
    pub key_text: String,
    pub orgs: Vec<i64>,
    pub people: Vec<Truth>,
}

impl World {
    /// The principal of a fixture account.
    pub async fn principal(&self, username: &str) -> Principal {
        self.store
            .principal_by_username(username)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("fixture account {username}"))
    }

    pub fn who(&self, label: &str) -> &Truth {
        self.people.iter().find(|p| p.label == label).unwrap()
    }
}

pub async fn user(
    store: &Store,
    username: &str,
    role: Role,
    regions: &[&str],
    org: Option<i64>,
) -> Principal {
    store
        .as_system("cli")
        .create_user(NewUser {
            username: username.into(),
            display_name: username.into(),
            password: PASSWORD.into(),
            role,
            scope: Scope {
                regions: regions.iter().map(|r| code(r)).collect(),
                organisation: org,
            },
        })
        .await
        .unwrap_or_else(|e| panic!("create {username}: {e}"));
    store
        .principal_by_username(username)
        .await
        .unwrap()
        .unwrap()
}

pub fn basis() -> Option<LegalBasis> {
    Some(LegalBasis::TugasPublik)
}

/// The access fixture: NTB (Lombok Tengah 52.02 and Lombok Timur 52.03) and Jawa Tengah;
/// three NTB organisations and one in Jawa Tengah; an account per role and scope edge (all
/// with [`PASSWORD`]); seven people in four lists.
pub async fn build(db: &TestDb) -> World {
    let (key, key_text) = PiiKey::generate();
    let store = db.open().await.with_key(key.clone()).await.unwrap();
    store
        .apply_region_list(
            &mini_regions(),
            NaiveDate::from_ymd_opt(2025, 4, 25).unwrap(),
            "uji",
        )
        .await
        .unwrap();
    let mut orgs = Vec::new();
    for (kind, name, region) in [
        (OrganisationKind::Mitra, "Mitra A", "52"),
        (OrganisationKind::Mitra, "Mitra B", "52"),
        (OrganisationKind::Lks, "LKS Masbagik", "52.03"),
        (OrganisationKind::Mitra, "Mitra Jateng", "33"),
    ] {
        orgs.push(
            store
                .as_system("cli")
                .create_organisation(kind, name, &code(region))
                .await
                .unwrap(),
        );
    }
    let admin52 = user(&store, "admin52", Role::AdminProvinsi, &["52"], None).await;
    let admin33 = user(&store, "admin33", Role::AdminProvinsi, &["33"], None).await;
    user(&store, "op5203", Role::OperatorKabKota, &["52.03"], None).await;
    user(&store, "op5202", Role::OperatorKabKota, &["52.02"], None).await;
    user(&store, "lks", Role::OperatorLks, &[], Some(orgs[2])).await;
    user(&store, "mitra.a", Role::Mitra, &[], Some(orgs[0])).await;
    user(
        &store,
        "mitra.a.lotim",
        Role::Mitra,
        &["52.03"],
        Some(orgs[0]),
    )
    .await;
    user(&store, "mitra.b", Role::Mitra, &[], Some(orgs[1])).await;
    user(&store, "mitra.jateng", Role::Mitra, &[], Some(orgs[3])).await;
    user(&store, "pimpinan52", Role::Pimpinan, &["52"], None).await;
    user(&store, "pimpinan5203", Role::Pimpinan, &["52.03"], None).await;
    let mut people = vec![
        Truth {
            label: "A1",
            org: 0,
            region: "52.03.05.2003",
            name: "Siti Aminah",
            nik: "5203054507900001",
            id: 0,
        },
        Truth {
            label: "A2",
            org: 0,
            region: "52.03.05.2003",
            name: "Lalu Ahmad",
            nik: "5203051203850002",
            id: 0,
        },
        Truth {
            label: "A3",
            org: 0,
            region: "52.02.01.2001",
            name: "Baiq Siti Hajar",
            nik: "5202014101950003",
            id: 0,
        },
        Truth {
            label: "B1",
            org: 1,
            region: "52.03.05.2003",
            name: "Siti Aminah",
            nik: "5203054507900001",
            id: 0,
        },
        Truth {
            label: "B2",
            org: 1,
            region: "52.03.05.2004",
            name: "Muhammad Zain",
            nik: "5203050101800004",
            id: 0,
        },
        Truth {
            label: "L1",
            org: 2,
            region: "52.03.05.2004",
            name: "Nurul Hidayah",
            nik: "5203055505100005",
            id: 0,
        },
        Truth {
            label: "D1",
            org: 3,
            region: "33.01.01.2001",
            name: "Siti Rahayu",
            nik: "3301014203880006",
            id: 0,
        },
    ];
    for (org, &org_id) in orgs.iter().enumerate() {
        let importer = if org == 3 { &admin33 } else { &admin52 };
        let rows: Vec<PersonInput> = people
            .iter()
            .filter(|p| p.org == org)
            .enumerate()
            .map(|(i, p)| PersonInput {
                line: i as u64 + 2,
                name: p.name.into(),
                sex: None,
                birth_date: None,
                nik: Some(Nik::parse(p.nik, None).unwrap().nik),
                kk: None,
                region: code(p.region),
                extra: Default::default(),
            })
            .collect();
        let list = NewPersonList {
            organisation_id: org_id,
            name: format!("daftar {org}"),
            legal_basis: basis(),
            reference: "PKS 1/2025".into(),
            source_file: None,
            content_hash: None,
            replaces: None,
        };
        let stored = store
            .as_user(importer)
            .import_person_list(&list, &rows, &|_| {})
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.stored as usize, rows.len());
    }
    // Ids in insertion order: find each by its NIK within its organisation.
    let all = store
        .as_user(&admin52)
        .export_persons(&PersonFilter::default())
        .await
        .unwrap();
    let all33 = store
        .as_user(&admin33)
        .export_persons(&PersonFilter::default())
        .await
        .unwrap();
    for p in people.iter_mut() {
        let pool = if p.org == 3 { &all33 } else { &all };
        p.id = pool
            .iter()
            .find(|r| r.organisation_id == orgs[p.org] && r.name == p.name && r.region == p.region)
            .unwrap_or_else(|| panic!("{} stored", p.label))
            .id;
    }
    World {
        store,
        key,
        key_text,
        orgs,
        people,
    }
}
