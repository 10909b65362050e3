//! Regional naming patterns: Sasak (with the noble titles Lalu and Baiq), Samawa and Mbojo in
//! NTB, Balinese in west Lombok, Javanese in Jawa Tengah, Banjar in Kalimantan Selatan.
//! Younger people draw more often from the modern pools, as birth registers show.

use rand::RngExt;
use sinergi_core::Sex;

use crate::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Culture {
    Sasak,
    Samawa,
    Mbojo,
    Bali,
    Jawa,
    Banjar,
    /// Names common everywhere in Indonesia (civil servants and migrants in the towns).
    Umum,
}

/// The mix of naming cultures of a kab/kota, as (culture, weight).
pub fn cultures_of(kabkota: &str) -> &'static [(Culture, u32)] {
    use Culture::*;
    match kabkota {
        // Lombok: Sasak, with Balinese communities in the west and in Mataram.
        "52.01" => &[(Sasak, 86), (Bali, 10), (Umum, 4)],
        "52.02" | "52.03" => &[(Sasak, 96), (Umum, 4)],
        "52.08" => &[(Sasak, 90), (Bali, 6), (Umum, 4)],
        "52.71" => &[(Sasak, 70), (Bali, 15), (Umum, 15)],
        // Sumbawa island: Samawa in the west, Mbojo (Bima, Dompu) in the east.
        "52.04" | "52.07" => &[(Samawa, 88), (Umum, 12)],
        "52.05" | "52.06" => &[(Mbojo, 94), (Umum, 6)],
        "52.72" => &[(Mbojo, 85), (Umum, 15)],
        k if k.starts_with("33.") => {
            if k >= "33.71" {
                &[(Jawa, 88), (Umum, 12)]
            } else {
                &[(Jawa, 97), (Umum, 3)]
            }
        }
        k if k.starts_with("63.") => {
            if k >= "63.71" {
                &[(Banjar, 80), (Jawa, 8), (Umum, 12)]
            } else {
                &[(Banjar, 88), (Jawa, 8), (Umum, 4)]
            }
        }
        _ => &[(Umum, 1)],
    }
}

/// Kab/kota where the Sasak titles Lalu and Baiq are at home (Lombok).
pub fn is_sasak_area(kabkota: &str) -> bool {
    matches!(kabkota, "52.01" | "52.02" | "52.03" | "52.08" | "52.71")
}

struct Pools {
    male_old: &'static [&'static str],
    male_new: &'static [&'static str],
    female_old: &'static [&'static str],
    female_new: &'static [&'static str],
    /// Share of men whose name starts with Muhammad (in one of its spellings).
    muhammad: f64,
    /// Share of two-part names among the old pools.
    second: f64,
}

const SASAK: Pools = Pools {
    male_old: &[
        "Zainal",
        "Sapri",
        "Mahsun",
        "Rusdi",
        "Sahabudin",
        "Abdul Hakim",
        "Junaidi",
        "Mastur",
        "Suhaimi",
        "Hasan",
        "Jumadil",
        "Sahrul",
        "Muhsin",
        "Lukman",
        "Najamudin",
        "Fathurrahman",
        "Sukri",
        "Ruslan",
        "Wardi",
        "Hamdi",
        "Supardi",
        "Aminullah",
        "Sahdan",
        "Munawir",
        "Ismail",
        "Burhanudin",
        "Jumarim",
        "Saparudin",
        "Mukhtar",
        "Sahnun",
        "Amrullah",
        "Hirwan",
        "Samsul",
        "Rauh",
        "Kertawi",
        "Sudirman",
        "Hapipi",
        "Rumadi",
    ],
    male_new: &[
        "Rizki",
        "Fajar",
        "Ahmad Fauzi",
        "Zulkarnain",
        "Ilham",
        "Hairul",
        "Alfian",
        "Dedi",
        "Reza",
        "Rian Hidayat",
        "Arya",
        "Aldi",
        "Yusril",
        "Hadi Saputra",
        "Fikri",
        "Wahyu",
        "Ridho",
        "Habibi",
        "Arif Rahman",
        "Hamzanwadi",
        "Zulhijjah",
        "Khairul Anam",
        "Irwan",
        "Abdurrahman",
    ],
    female_old: &[
        "Rohani",
        "Saenah",
        "Sumiati",
        "Marniati",
        "Hartini",
        "Rukmini",
        "Sanah",
        "Hadijah",
        "Nurhasanah",
        "Mahnim",
        "Sahriah",
        "Samsiah",
        "Rabiah",
        "Juariah",
        "Hulaemi",
        "Salmah",
        "Muniah",
        "Zuhriah",
        "Rahmawati",
        "Haerani",
        "Inun",
        "Senah",
        "Sahnim",
        "Maenah",
        "Rumenah",
        "Siti Aminah",
        "Nurmah",
    ],
    female_new: &[
        "Nurul Hidayati",
        "Aisyah",
        "Rina",
        "Nia Kurniati",
        "Lia",
        "Yuliana",
        "Susanti",
        "Dewi",
        "Wulandari",
        "Nabila",
        "Putri",
        "Zahra",
        "Husnul Khotimah",
        "Khairunnisa",
        "Hilmiati",
        "Nurul Aini",
        "Rizka",
        "Sri Wahyuni",
        "Lailatul Fitri",
        "Mardiana",
        "Ayu Lestari",
    ],
    muhammad: 0.22,
    second: 0.15,
};

const SAMAWA: Pools = Pools {
    male_old: &[
        "Syamsuddin",
        "Hasanuddin",
        "Zulkifli",
        "Abdul Muis",
        "Hamzah",
        "Jamaluddin",
        "Arifin",
        "Mustakim",
        "Sudirman",
        "Kamaluddin",
        "Usman",
        "Amiruddin",
        "Ridwan",
        "Burhanuddin",
        "Syarifuddin",
        "Mahmud",
        "Abdul Gani",
        "Sahabuddin",
        "Jafar",
        "Idris",
    ],
    male_new: &[
        "Rahmat Hidayat",
        "Fadli",
        "Andika",
        "Rizal",
        "Ilham Saputra",
        "Taufik",
        "Wahyudin",
        "Fajrin",
        "Dimas",
        "Arjuna",
        "Alif",
        "Haikal",
    ],
    female_old: &[
        "Nurhayati",
        "Siti Hajar",
        "Saidah",
        "Jamilah",
        "Rostina",
        "Hasnah",
        "Fatimah",
        "Ramlah",
        "Marlina",
        "Rosmiati",
        "Kartini",
        "Halimah",
        "Nurjannah",
        "Aminah",
        "Sumarni",
    ],
    female_new: &[
        "Nurul Fitriani",
        "Anisa",
        "Febriyanti",
        "Rahmi",
        "Ayu Safitri",
        "Sindi",
        "Rini",
        "Nadia",
        "Sri Rahayu",
        "Melati",
    ],
    muhammad: 0.15,
    second: 0.2,
};

const MBOJO: Pools = Pools {
    male_old: &[
        "Abdullah",
        "Ahmad",
        "Syarifuddin",
        "Nurdin",
        "Ikhsan",
        "Arsyad",
        "Ibrahim",
        "Sulaiman",
        "Muhdar",
        "Abdul Rahman",
        "Salahuddin",
        "Syahbudin",
        "Suhardin",
        "Haerudin",
        "Jaenudin",
        "Mansyur",
        "Bakri",
        "Ishaka",
        "Kasim",
        "Hamid",
        "Mustafa",
        "Yakub",
    ],
    male_new: &[
        "Irfan",
        "Taufik Hidayat",
        "Rahmatullah",
        "Fahrul",
        "Firdaus",
        "Syahrul",
        "Akbar",
        "Farhan",
        "Nurfaizin",
        "Aditya",
        "Fikri Haikal",
    ],
    female_old: &[
        "Jaenab",
        "Nurjannah",
        "Sitti Rahma",
        "Ruqayah",
        "Hadijah",
        "Mariam",
        "Hasanah",
        "Farida",
        "Sahara",
        "Rostiati",
        "Nurmi",
        "Sitti Aisyah",
        "Aminah",
        "Hafsah",
        "Maryati",
        "Jubaedah",
    ],
    female_new: &[
        "Nurul Azmi",
        "Sri Wahyuni",
        "Fitriani",
        "Nurfaidah",
        "Yuyun",
        "Mutmainah",
        "Intan",
        "Riska",
        "Nurhalimah",
        "Sitti Nurhaliza",
    ],
    muhammad: 0.25,
    second: 0.2,
};

const BALI: Pools = Pools {
    male_old: &[
        "Wayan Suarta",
        "Made Sudana",
        "Nyoman Rai",
        "Ketut Arsana",
        "Gede Putra",
        "Wayan Kertha",
        "Made Sukarta",
        "Nyoman Sudira",
        "Ketut Wirata",
        "Komang Suparta",
    ],
    male_new: &[
        "Wayan Adi Saputra",
        "Made Dwi Pranata",
        "Gede Arya",
        "Komang Yoga",
        "Ketut Agus",
        "Putu Eka",
    ],
    female_old: &[
        "Wayan Sukerti",
        "Made Suartini",
        "Nyoman Rasmi",
        "Ketut Sumiati",
        "Luh Sriani",
        "Made Widiasih",
        "Komang Ariani",
    ],
    female_new: &[
        "Putu Ayu Lestari",
        "Made Dewi Anggreni",
        "Komang Sintya",
        "Luh Putu Mega",
        "Kadek Ayu",
    ],
    muhammad: 0.0,
    second: 0.0,
};

const JAWA: Pools = Pools {
    male_old: &[
        "Sutrisno",
        "Suparman",
        "Slamet",
        "Sugiyono",
        "Sumarno",
        "Mulyadi",
        "Supriyadi",
        "Bambang",
        "Joko",
        "Wagiman",
        "Paijo",
        "Sukardi",
        "Darmanto",
        "Haryanto",
        "Purwanto",
        "Suyatno",
        "Widodo",
        "Sarwono",
        "Teguh",
        "Sunarto",
        "Mujiono",
        "Tukiman",
        "Ngadiman",
        "Rahmat",
        "Sutarno",
        "Kasno",
        "Suroso",
        "Priyanto",
    ],
    male_new: &[
        "Budi Santoso",
        "Agus Setiawan",
        "Eko Prasetyo",
        "Dwi Cahyono",
        "Aditya Pratama",
        "Rizky Saputra",
        "Dimas Anggoro",
        "Bagus Wicaksono",
        "Yoga Pratama",
        "Fajar Nugroho",
        "Galih Prakoso",
        "Arif Hidayat",
        "Tri Wibowo",
        "Wahyu Hidayat",
        "Danang Setyawan",
        "Anton Susilo",
    ],
    female_old: &[
        "Sri Wahyuni",
        "Sumarni",
        "Suharti",
        "Sulastri",
        "Tumini",
        "Painem",
        "Sutinah",
        "Wartini",
        "Rukmini",
        "Suwarni",
        "Ngatini",
        "Darsih",
        "Endang",
        "Sri Rahayu",
        "Tri Wahyuningsih",
        "Siti Aminah",
        "Kasmirah",
        "Sukinah",
        "Tarmi",
        "Sri Mulyani",
        "Parmi",
    ],
    female_new: &[
        "Dewi Lestari",
        "Ayu Puspitasari",
        "Rina Kurniawati",
        "Fitri Handayani",
        "Nabila Putri",
        "Anisa Rahmawati",
        "Dyah Ayu",
        "Intan Permatasari",
        "Putri Maharani",
        "Wulan Sari",
        "Citra Kirana",
        "Nur Aini",
        "Eka Safitri",
        "Novita Sari",
        "Retno Wulandari",
    ],
    muhammad: 0.06,
    second: 0.25,
};

const BANJAR: Pools = Pools {
    male_old: &[
        "Syahrani",
        "Rahmadi",
        "Ahmad Rijani",
        "Abdul Hadi",
        "Utuh",
        "Iberahim",
        "Jumberi",
        "Sarbani",
        "Masrani",
        "Syarkani",
        "Mahyuni",
        "Norhalis",
        "Hairani",
        "Basri",
        "Jailani",
        "Asmuni",
        "Mahfuz",
        "Sabarudin",
        "Anang Ardiansyah",
    ],
    male_new: &[
        "Ardiansyah",
        "Rusdiansyah",
        "Fahrurrazi",
        "Muhammad Rizky",
        "Ahmad Zaini",
        "Akhmad Fauzan",
        "Rahmat Hidayat",
        "Noor Ikhsan",
        "Rifani",
        "Anang Fadillah",
    ],
    female_old: &[
        "Norhayati",
        "Noorjannah",
        "Normila",
        "Masitah",
        "Jamilah",
        "Salasiah",
        "Rusmini",
        "Mahmudah",
        "Aluh",
        "Galuh",
        "Rabiatul Adawiyah",
        "Hartati",
        "Nor Aida",
        "Siti Mahmudah",
        "Saniah",
        "Arbainah",
    ],
    female_new: &[
        "Fitriani",
        "Noor Hidayah",
        "Nurul Hikmah",
        "Rahmah",
        "Siti Nurlatifah",
        "Mariatul Kiftiah",
        "Aulia Rahmah",
        "Nor Aulia",
        "Khairunnisa",
    ],
    muhammad: 0.30,
    second: 0.1,
};

const UMUM: Pools = Pools {
    male_old: &[
        "Andi",
        "Budi",
        "Rudi Hartono",
        "Yusuf",
        "Hendra Gunawan",
        "Dian",
        "Indra",
        "Hasan Basri",
        "Ahmad Yani",
        "Iwan",
        "Herman",
        "Abdul Karim",
        "Mulyono",
    ],
    male_new: &[
        "Kevin",
        "Rafi",
        "Fadil",
        "Bayu",
        "Rizal Firmansyah",
        "Dimas",
        "Yudha",
        "Hafiz",
        "Raka",
    ],
    female_old: &[
        "Ratna",
        "Yanti",
        "Lina",
        "Nurhaida",
        "Sri Handayani",
        "Erna",
        "Megawati",
        "Linda",
        "Yulia",
    ],
    female_new: &[
        "Salsabila",
        "Nadya",
        "Aurel",
        "Keysha",
        "Zaskia",
        "Tiara",
        "Amelia",
        "Syifa",
    ],
    muhammad: 0.1,
    second: 0.2,
};

fn pools(culture: Culture) -> &'static Pools {
    match culture {
        Culture::Sasak => &SASAK,
        Culture::Samawa => &SAMAWA,
        Culture::Mbojo => &MBOJO,
        Culture::Bali => &BALI,
        Culture::Jawa => &JAWA,
        Culture::Banjar => &BANJAR,
        Culture::Umum => &UMUM,
    }
}

/// Spellings of Muhammad in registers, most common first.
pub const MUHAMMAD_SPELLINGS: [&str; 6] =
    ["Muhammad", "Muhamad", "Mohammad", "Mohamad", "Moh.", "M."];

fn pick<'a>(rng: &mut Rng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

fn muhammad(rng: &mut Rng) -> &'static str {
    let r: f64 = rng.random();
    let idx = match r {
        r if r < 0.55 => 0,
        r if r < 0.72 => 1,
        r if r < 0.84 => 2,
        r if r < 0.90 => 3,
        r if r < 0.95 => 4,
        _ => 5,
    };
    MUHAMMAD_SPELLINGS[idx]
}

/// A registered name (no religious titles such as H./Hj.; Dukcapil does not record them).
/// `noble` puts Lalu/Baiq in front, for Sasak families of the *menak*.
pub fn person_name(
    rng: &mut Rng,
    culture: Culture,
    sex: Sex,
    birth_year: i32,
    noble: bool,
) -> String {
    let p = pools(culture);
    // Modern names dominate among people born after ~1995.
    let modern = ((birth_year - 1970) as f64 / 40.0).clamp(0.02, 0.9);
    let new = rng.random_bool(modern);
    let mut name = String::with_capacity(32);
    if culture == Culture::Bali {
        name.push_str(match sex {
            Sex::Male => "I ",
            Sex::Female => "Ni ",
        });
    }
    if noble && culture == Culture::Sasak {
        name.push_str(match sex {
            Sex::Male => "Lalu ",
            Sex::Female => "Baiq ",
        });
    }
    let (old, young) = match sex {
        Sex::Male => (p.male_old, p.male_new),
        Sex::Female => (p.female_old, p.female_new),
    };
    if sex == Sex::Male && p.muhammad > 0.0 && rng.random_bool(p.muhammad) {
        name.push_str(muhammad(rng));
        name.push(' ');
    }
    let given = if new {
        pick(rng, young)
    } else {
        pick(rng, old)
    };
    match given.split_once(' ') {
        // Modern two-part names recombine freely ("Nurul" + another name's second part).
        Some((first, _)) if new && culture != Culture::Bali && rng.random_bool(0.6) => {
            name.push_str(first);
            name.push(' ');
            name.push_str(pick(rng, young).split(' ').next_back().unwrap_or(""));
        }
        _ => name.push_str(given),
    }
    let second = if new { 0.45 } else { p.second };
    if !given.contains(' ') && second > 0.0 && rng.random_bool(second) {
        name.push(' ');
        name.push_str(
            pick(rng, if new { young } else { old })
                .split(' ')
                .next_back()
                .unwrap_or(""),
        );
        // Avoid "Slamet Slamet".
        if name.ends_with(&format!("{given} {given}")) {
            name.truncate(name.len() - given.len() - 1);
        }
    }
    name
}
