//! Command-line arguments, with help and errors in Bahasa Indonesia.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, Args, Parser, Subcommand};

const HELP_TEMPLATE: &str =
    "{before-help}{name} {version} — {about}\n\nPemakaian: {usage}\n\n{all-args}{after-help}";

#[derive(Debug, Parser)]
#[command(
    name = "sinergi",
    version,
    about = "Platform data dan kolaborasi kesejahteraan sosial untuk LKKS dan mitranya",
    long_about = "Sinergi menyatukan data dan program kesejahteraan sosial LKKS dan mitranya sampai ke tingkat desa. \
                  Satu berkas program: server web, API dan perintah baris. Basis data bawaan SQLite (berkas ./sinergi.db); \
                  untuk skala besar pakai PostgreSQL dengan --database postgres://… atau DATABASE_URL.",
    help_template = HELP_TEMPLATE,
    subcommand_help_heading = "Perintah",
    next_help_heading = "Opsi",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    propagate_version = true,
    after_help = "Contoh:\n  sinergi serve --demo\n  sinergi serve --database postgres://postgres@127.0.0.1:5432/sinergi\n  sinergi wilayah cari \"Kab. Lombok Timur\"\n  sinergi wilayah import wilayah_2025.csv --berlaku 2025-06-23\n  sinergi link penerima.csv --keluar hasil"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub help: HelpFlags,
    #[command(flatten)]
    pub verbose: VerboseFlag,
    /// Tampilkan versi
    #[arg(short = 'V', long = "version", action = ArgAction::Version, global = true)]
    version: Option<bool>,
}

/// `-v/--verbose` on every command: timestamps, levels and the database driver's messages.
#[derive(Debug, Args)]
pub struct VerboseFlag {
    /// Tampilkan rincian log (waktu, tingkat, pesan basis data)
    #[arg(short = 'v', long = "verbose", global = true)]
    pub verbose: bool,
}

/// `-h/--help` with an Indonesian description, on every command.
#[derive(Debug, Args)]
pub struct HelpFlags {
    /// Tampilkan bantuan ini
    #[arg(short = 'h', long = "help", action = ArgAction::Help, global = true)]
    help: Option<bool>,
}

#[derive(Debug, Args)]
pub struct DatabaseArg {
    /// Basis data: path berkas SQLite (bawaan: ./sinergi.db) atau URL postgres://pengguna@host:port/nama
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "URL_ATAU_BERKAS",
        default_value = "sinergi.db",
        hide_env_values = true
    )]
    pub database: String,
}

/// Where the key for personal data (NIK, No. KK) comes from, and whether this is production.
#[derive(Debug, Args, Clone)]
pub struct KeyArgs {
    /// Mode produksi: kunci data pribadi wajib ada (tidak dibuat otomatis)
    #[arg(long, env = "SINERGI_PRODUKSI", value_parser = clap::builder::FalseyValueParser::new())]
    pub produksi: bool,
    /// Berkas berisi kunci data pribadi (32 bita, heksadesimal atau base64); atau isi SINERGI_KUNCI
    #[arg(long, env = "SINERGI_KUNCI_BERKAS", value_name = "BERKAS")]
    pub kunci_berkas: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Jalankan server web (halaman, API) di alamat yang diberikan
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Menjalankan server web Sinergi. Pada awal pertama, basis data dibuat, skemanya dipasang, \
                      dan data wilayah bawaan (38 provinsi, 514 kab/kota, 7.285 kecamatan, 83.762 desa/kelurahan) dimuat."
    )]
    Serve {
        /// Alamat dan port untuk mendengarkan
        #[arg(long, value_name = "ALAMAT:PORT", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        #[command(flatten)]
        db: DatabaseArg,
        /// Muat isi demo pada awal pertama: dunia sintetis NTB (organisasi, penduduk, daftar penerima, agregat) dan akun demo (lihat README)
        #[arg(long)]
        demo: bool,
        /// Skala dunia demo, lebih dari 0 sampai 2 (1,0 = seluruh 5,75 juta penduduk NTB); hanya berlaku dengan --demo pada awal pertama
        #[arg(long, value_name = "S", env = "SINERGI_DEMO_SKALA", default_value_t = crate::demo::DEFAULT_DEMO_SCALE)]
        skala_demo: f64,
        /// Percayai X-Forwarded-For/-Proto dari proxy balik di depan server (cookie Secure bila https)
        #[arg(long)]
        proxy_tepercaya: bool,
        /// Angka publik di bawah ambang ini disembunyikan
        #[arg(long, value_name = "N", default_value_t = 10)]
        ambang_sensor: u64,
        /// Batas laju API per token: permintaan per detik (boleh melonjak sampai 3 kali lipat)
        #[arg(long, value_name = "N", env = "SINERGI_LAJU_TOKEN", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        laju_token: u32,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Akun pengguna: buat admin pertama
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Admin(AdminCommand),
    /// Log audit: periksa keutuhan rantai hash
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Audit(AuditCommand),
    /// Daftar data perorangan (penerima manfaat): impor dengan dasar hukumnya
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Daftar(DaftarCommand),
    /// Program mitra (4W): impor lembar 4W atas nama seorang pengguna
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Program(ProgramCommand),
    /// Siklus program: aturan kelayakan, siklus, pendaftaran, persetujuan, pembayaran, laporan donor
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Siklus(SiklusCommand),
    /// Kunci data pribadi: buat kunci baru
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Kunci(KunciCommand),
    /// Forum dan rapat: impor daftar hadir (rapat yang ada atau rapat lampau)
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Forum(ForumCommand),
    /// Realisasi strategi: impor berkas realisasi atas nama seorang pengguna
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Realisasi(RealisasiCommand),
    /// Registri lembaga (LKS, LKKS, mitra): impor dari CSV atau XLSX
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Registri(RegistriCommand),
    /// Angka agregat per wilayah (PPKS per desa, desa sasaran kemiskinan ekstrem, kemiskinan, stunting): impor dari CSV atau XLSX
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Agregat(AgregatCommand),
    /// Token API untuk sistem lain: buat, daftar, cabut
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Token(TokenCommand),
    /// Data wilayah: impor daftar resmi, lihat kode, cari nama
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Wilayah(WilayahCommand),
    /// Batas wilayah untuk peta: impor GeoJSON atau TopoJSON berkode Kemendagri
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    Geo(GeoCommand),
    /// Templat impor XLSX (petunjuk, baris contoh, daftar pilihan): daftar, program, lks, lkks, mitra
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        after_help = "Contoh:\n  sinergi templat daftar -o templat_daftar.xlsx --wilayah 52.03"
    )]
    Templat {
        /// Jenis impor: daftar, program (4w), lks, lkks, mitra
        #[arg(value_name = "JENIS", help_heading = "Argumen")]
        jenis: String,
        /// Berkas XLSX yang ditulis
        #[arg(short = 'o', long = "keluaran", value_name = "BERKAS")]
        keluaran: std::path::PathBuf,
        /// Wilayah untuk daftar pilihan (kab/kota, kode desa), mis. 52 atau 52.03; bawaan: semua kab/kota, tanpa daftar desa
        #[arg(long, value_name = "KODE")]
        wilayah: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Buat dunia sintetis satu provinsi (penduduk, keluarga, desil, lembaga, program) sebagai CSV
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Membuat dunia sintetis satu provinsi untuk demo, uji dan tolok ukur: keluarga (No. KK) dan \
                      penduduk (NIK) di setiap desa, desil per keluarga, agregat, lembaga, program mitra dan daftar \
                      penerimanya. Benih yang sama menghasilkan berkas yang sama persis. Berkas lama di folder tujuan \
                      baru diganti setelah semua berkas baru selesai ditulis. Isi tiap berkas: docs/synthetic-world.md.",
        after_help = "Contoh:\n  sinergi generate --province 52 --out dunia-ntb\n  sinergi generate --province 63 --scale 0.1 --seed 7 --out kalsel --linkage 100000"
    )]
    Generate(GenerateArgs),
    /// Cari orang yang sama dalam satu daftar (deduplikasi) atau di antara dua daftar
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Menautkan catatan (record linkage) dengan model Fellegi–Sunter: satu berkas dicari duplikatnya, \
                      dua berkas dicari pasangannya. Berkas CSV (koma atau titik koma, UTF-8) atau XLSX. \
                      Tanpa --pengaturan dipakai preset orang Indonesia (kolom id, nik, nama, jenis_kelamin, \
                      tanggal_lahir, no_kk, kode_desa). Hasil: pasangan.csv (pasangan cocok dengan probabilitas dan \
                      bobot tiap kolom), klaster.csv (nomor klaster tiap catatan) dan tinjauan.csv (pasangan ragu untuk \
                      ditinjau; isi kolom keputusan dengan terima/tolak lalu berikan kembali dengan --keputusan). \
                      Pengaturan dijelaskan di docs/linkage.md.",
        after_help = "Contoh:\n  sinergi link penerima.csv --keluar hasil\n  sinergi link mitra_a.csv mitra_b.xlsx --pengaturan taut.toml --simpan-model model.json\n  sinergi link penerima.csv --model model.json --keputusan hasil/tinjauan.csv\n  sinergi link penerima.csv --jelaskan P000123 P004567"
    )]
    Link(LinkArgs),
    /// Sandikan daftar mitra untuk cek bantuan ganda (dijalankan di komputer mitra sendiri)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Membaca daftar penerima seperti impor biasa dan menulis berkas tersandi: token berkunci \
                      (HMAC) dari NIK dan No. KK, dan filter Bloom (CLK) dari nama, tanggal lahir, jenis kelamin \
                      dan desa, dengan rahasia yang dibagi antarmitra dan tidak pernah dikirim ke server. \
                      Berkas tersandi tanpa nama, tanpa id asli dan urutannya diacak. Peta baris (BERKAS.peta.csv) \
                      tetap di komputer mitra untuk membaca hasilnya. Lihat docs/double-aid.md.",
        after_help = "Contoh:\n  sinergi sandi penerima.xlsx --rahasia rahasia-putaran-1.txt --keluar penerima.sandi.csv"
    )]
    Sandi(SandiArgs),
    /// Cek bantuan ganda antarmitra pada berkas tersandi (lihat docs/double-aid.md)
    #[command(subcommand, help_template = HELP_TEMPLATE, subcommand_help_heading = "Perintah")]
    BantuanGanda(BantuanGandaCommand),
}

#[derive(Debug, Subcommand)]
pub enum BantuanGandaCommand {
    /// Jalankan satu putaran pada berkas tersandi para mitra (tanpa basis data)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Menautkan berkas tersandi (hasil `sinergi sandi`) antarmitra dan menulis rekap per \
                      kecamatan × pasangan mitra × jenis bantuan (rekap.csv) serta, untuk tiap mitra, baris \
                      tersandinya yang juga menerima bantuan dari mitra lain (nama dan kontak mitra itu). \
                      Pasangan yang belum pasti ditulis ke tinjauan.csv.",
        after_help = "Contoh:\n  sinergi bantuan-ganda jalankan --anggota \"Baznas NTB=baznas.sandi.csv\" \\\n    --anggota \"Yayasan Sumbawa=ys.sandi.csv\" --jenis tunai --keluar hasil"
    )]
    Jalankan {
        /// Mitra dan berkas tersandinya: NAMA=BERKAS (boleh NAMA=BERKAS=KONTAK); paling sedikit dua
        #[arg(long, value_name = "NAMA=BERKAS", required = true, num_args = 1)]
        anggota: Vec<String>,
        /// Jenis bantuan yang dihitung sebagai bantuan yang sama (boleh berulang); kosong = semua
        #[arg(long, value_name = "JENIS")]
        jenis: Vec<String>,
        /// Folder keluaran
        #[arg(long, value_name = "FOLDER", default_value = "hasil_bantuan_ganda")]
        keluar: PathBuf,
    },
    /// Buka putaran tersimpan untuk satu wilayah dan periode, dan undang mitranya
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        after_help = "Contoh:\n  sinergi bantuan-ganda buka --wilayah 52 --periode 2025 --jenis tunai \\\n    --mitra \"Baznas NTB\" --mitra 12"
    )]
    Buka {
        /// Kode wilayah putaran, mis. 52 atau 52.03
        #[arg(long, value_name = "KODE")]
        wilayah: String,
        /// Periode: tahun (2025), triwulan (2025-Q3) atau bulan (2025-07)
        #[arg(long, value_name = "PERIODE")]
        periode: String,
        /// Jenis bantuan yang dihitung sebagai bantuan yang sama (boleh berulang); kosong = semua
        #[arg(long, value_name = "JENIS")]
        jenis: Vec<String>,
        /// Mitra yang diundang: nomor atau nama organisasi (paling sedikit dua; boleh berulang)
        #[arg(long, value_name = "MITRA", required = true)]
        mitra: Vec<String>,
        /// Pengguna yang membuka (bawaan: sistem)
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Gabungkan mitra ke putaran terbuka dengan daftar tersimpan (--daftar) atau berkas sandi (--berkas)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        after_help = "Contoh:\n  sinergi bantuan-ganda gabung 3 --mitra \"Baznas NTB\" --daftar 7\n  sinergi bantuan-ganda gabung 3 --mitra 12 --berkas ys.sandi.csv"
    )]
    Gabung {
        /// Nomor putaran
        #[arg(value_name = "PUTARAN")]
        putaran: i64,
        /// Mitra yang bergabung: nomor atau nama organisasi
        #[arg(long, value_name = "MITRA")]
        mitra: String,
        /// Nomor daftar tersimpan milik mitra itu
        #[arg(
            long,
            value_name = "ID",
            conflicts_with = "berkas",
            required_unless_present = "berkas"
        )]
        daftar: Option<i64>,
        /// Berkas sandi buatan `sinergi sandi`
        #[arg(long, value_name = "BERKAS")]
        berkas: Option<PathBuf>,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Jalankan putaran tersimpan dan tutup (hasil dibekukan); --coba hanya menjalankan
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Tutup {
        #[arg(value_name = "PUTARAN")]
        putaran: i64,
        /// Hanya jalankan (hasil sementara), jangan tutup
        #[arg(long)]
        coba: bool,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Tampilkan hasil putaran sebagaimana boleh dilihat pengguna itu (mitra: barisnya sendiri)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Hasil {
        #[arg(value_name = "PUTARAN")]
        putaran: i64,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

impl BantuanGandaCommand {
    /// `jalankan` works on files only, without a database or a runtime.
    pub fn is_offline(&self) -> bool {
        matches!(self, BantuanGandaCommand::Jalankan { .. })
    }
}

/// Options of `sinergi sandi`.
#[derive(Debug, Args)]
pub struct SandiArgs {
    /// Daftar penerima (CSV atau XLSX, kolom seperti impor daftar)
    #[arg(value_name = "BERKAS")]
    pub file: PathBuf,
    /// Berkas rahasia bersama putaran ini (paling sedikit 16 byte; ganti tiap putaran)
    #[arg(long, value_name = "BERKAS_RAHASIA")]
    pub rahasia: PathBuf,
    /// Berkas tersandi yang ditulis (bawaan: BERKAS.sandi.csv)
    #[arg(long, value_name = "BERKAS")]
    pub keluar: Option<PathBuf>,
}

/// Options of `sinergi generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Kode provinsi: 52 (Nusa Tenggara Barat), 33 (Jawa Tengah) atau 63 (Kalimantan Selatan)
    #[arg(long, visible_alias = "provinsi", value_name = "KODE")]
    pub province: String,
    /// Skala penduduk, lebih dari 0 sampai 2 (1.0 = jumlah penduduk sebenarnya)
    #[arg(
        long,
        visible_alias = "skala",
        value_name = "SKALA",
        default_value_t = 1.0
    )]
    pub scale: f64,
    /// Benih acak: benih yang sama menghasilkan berkas yang sama persis
    #[arg(
        long,
        visible_alias = "benih",
        value_name = "N",
        default_value_t = 2025
    )]
    pub seed: u64,
    /// Folder tujuan (dibuat bila belum ada)
    #[arg(long, visible_alias = "keluaran", value_name = "FOLDER")]
    pub out: PathBuf,
    /// Tulis juga N rekaman uji pencocokan identitas (linkage/records.csv, linkage/truth.csv)
    #[arg(long, value_name = "N")]
    pub linkage: Option<u64>,
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// Satu berkas (deduplikasi) atau dua berkas (penautan), CSV atau XLSX
    #[arg(value_name = "BERKAS", help_heading = "Argumen", required = true, num_args = 1..=2)]
    pub files: Vec<PathBuf>,
    /// Berkas pengaturan TOML; bawaan: preset orang Indonesia
    #[arg(long, value_name = "BERKAS")]
    pub pengaturan: Option<PathBuf>,
    /// Pakai model tersimpan (m dan u) alih-alih melatih dari data
    #[arg(long, value_name = "BERKAS")]
    pub model: Option<PathBuf>,
    /// Simpan model hasil latihan ke berkas JSON ini
    #[arg(long = "simpan-model", value_name = "BERKAS")]
    pub simpan_model: Option<PathBuf>,
    /// Folder keluaran
    #[arg(long, value_name = "FOLDER", default_value = "hasil_link")]
    pub keluar: PathBuf,
    /// Keputusan peninjau (id_kiri,id_kanan,keputusan = terima/tolak), mis. tinjauan.csv yang sudah diisi
    #[arg(long, value_name = "BERKAS")]
    pub keputusan: Option<PathBuf>,
    /// Probabilitas minimum pasangan dianggap cocok (0–1); bawaan dari pengaturan (0.9)
    #[arg(long, value_name = "P")]
    pub ambang: Option<f64>,
    /// Tampilkan bobot tiap kolom untuk satu pasangan id, tanpa menulis berkas
    #[arg(long, value_names = ["ID_KIRI", "ID_KANAN"], num_args = 2)]
    pub jelaskan: Option<Vec<String>>,
    /// Kebenaran (id,person_id) untuk mengukur ketepatan; menulis evaluasi.json
    #[arg(long, value_name = "BERKAS")]
    pub kebenaran: Option<PathBuf>,
    /// Tampilkan kolom berkas yang dipakai untuk tiap kolom pengaturan, lalu berhenti
    #[arg(long)]
    pub periksa: bool,
    /// Tanggal umur dicatat (YYYY-MM-DD): umur dihitung mundur dari tanggal ini; bawaan dari pengaturan (tanggal_acuan), lalu hari ini
    #[arg(long = "tanggal-acuan", value_name = "TANGGAL")]
    pub tanggal_acuan: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum GeoCommand {
    /// Simpan batas wilayah dari berkas GeoJSON/TopoJSON (menggantikan batas lama berkode sama)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Menyimpan batas wilayah (poligon) dari berkas GeoJSON (FeatureCollection) atau TopoJSON \
                      (Topology), dengan kode Kemendagri di properti kode, kode_wilayah, kode_nodot, code atau id. \
                      Peta program lalu menggambar wilayah sebagai bidang (choropleth), bukan titik. \
                      Satu fitur salah atau kode tidak dikenal membatalkan seluruh impor.",
        after_help = "Contoh:\n  sinergi geo import kabkota_514_s30.topojson --sumber \"cahyadsn/wilayah_boundaries\""
    )]
    Import {
        /// Berkas .geojson, .json atau .topojson
        #[arg(value_name = "BERKAS", help_heading = "Argumen")]
        file: PathBuf,
        /// Sumber batas wilayah; bawaan: nama berkas
        #[arg(long, value_name = "TEKS")]
        sumber: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum WilayahCommand {
    /// Terapkan daftar wilayah resmi (CSV kode,nama) dengan menjaga riwayat
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Menerapkan daftar wilayah resmi berbentuk CSV dengan kolom kode,nama (kode bertitik seperti 52.01.01.2001; \
                      kolom lain diabaikan, kolom lat/lng dibaca bila ada; pemisah koma atau titik koma). \
                      Daftar yang berlaku sama atau lebih baru dari daftar terakhir memperbarui data: kode baru ditambah, \
                      nama yang berubah disimpan riwayatnya, dan kode di provinsi yang dicakup berkas tetapi tidak ada lagi \
                      dinyatakan tidak berlaku (tetap bisa dicari, dengan kode penggantinya bila dapat ditentukan). \
                      Daftar yang lebih lama hanya menambah riwayat. Satu baris salah membatalkan seluruh impor."
    )]
    Import {
        /// Berkas CSV daftar wilayah
        #[arg(value_name = "BERKAS", help_heading = "Argumen")]
        file: PathBuf,
        /// Tanggal mulai berlaku daftar ini (TTTT-BB-HH); bawaan: hari ini
        #[arg(long, value_name = "TANGGAL")]
        berlaku: Option<NaiveDate>,
        /// Sumber daftar, mis. nomor Kepmendagri; bawaan: nama berkas
        #[arg(long, value_name = "TEKS")]
        sumber: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Tampilkan satu wilayah menurut kodenya (bertitik atau tidak)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Lihat {
        /// Kode wilayah, mis. 52.03 atau 5203
        #[arg(value_name = "KODE", help_heading = "Argumen")]
        code: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Cari wilayah menurut nama (paham "Kab."/"Kabupaten"/"Kota")
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Cari {
        /// Nama atau sebagian nama
        #[arg(value_name = "NAMA", help_heading = "Argumen", required = true, num_args = 1..)]
        name: Vec<String>,
        /// Jumlah hasil paling banyak
        #[arg(long, default_value_t = 20, value_name = "N")]
        batas: u32,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Buat akun admin provinsi (kata sandi ditanyakan, atau dibaca dari stdin)
    #[command(alias = "buat", help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Create {
        /// Nama pengguna (huruf kecil, angka, titik, garis bawah, tanda hubung)
        #[arg(long = "nama-pengguna", value_name = "NAMA")]
        username: String,
        /// Nama lengkap yang ditampilkan
        #[arg(long, value_name = "TEKS")]
        nama: Option<String>,
        /// Kode provinsi cakupannya (boleh diulang), mis. 52
        #[arg(long = "wilayah", value_name = "KODE", required = true)]
        regions: Vec<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Buat token API dengan akun layanannya sendiri (peran, cakupan, masa berlaku); token ditampilkan sekali
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Buat {
        /// Untuk apa token ini, mis. "SIKS Dinsos Lombok Timur" (tercatat di log audit pada setiap pemakaian)
        #[arg(long, value_name = "TEKS")]
        label: String,
        /// Nama pengguna akun layanan yang baru (huruf kecil, angka, titik, garis bawah, tanda hubung)
        #[arg(long, value_name = "NAMA")]
        akun: String,
        /// Peran: operator_kabkota, operator_lks, mitra atau pimpinan (bukan admin)
        #[arg(long, value_name = "PERAN")]
        peran: String,
        /// Kode wilayah cakupannya (boleh diulang)
        #[arg(long = "wilayah", value_name = "KODE")]
        regions: Vec<String>,
        /// Id organisasi (untuk operator_lks dan mitra)
        #[arg(long, value_name = "ID")]
        organisasi: Option<i64>,
        /// Masa berlaku dalam hari (1 sampai 366)
        #[arg(long, value_name = "HARI", default_value_t = 90)]
        hari: i64,
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Tampilkan semua token (tanpa rahasianya): label, akun, peran, berlaku sampai, terakhir dipakai
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Daftar {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Cabut token saat itu juga
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Cabut {
        /// Id token (lihat `sinergi token daftar`)
        id: i64,
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        key: KeyArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Hitung ulang rantai hash log audit; gagal bila ada entri diubah atau dihapus
    #[command(alias = "periksa", help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Verify {
        #[command(flatten)]
        db: DatabaseArg,
        /// Hash kepala rantai yang dicatat sebelumnya (di luar basis data): harus masih ada di rantai
        #[arg(long, value_name = "HASH")]
        kepala: Option<String>,
        #[command(flatten)]
        key: KeyArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum DaftarCommand {
    /// Impor daftar perorangan (CSV: nama, kode_desa, nik, no_kk, jenis_kelamin, tanggal_lahir)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Mengimpor daftar perorangan atas nama seorang pengguna; cakupan pengguna itu berlaku                       (baris di luar wilayah atau organisasinya menolak seluruh daftar). Daftar tanpa dasar hukum                       (UU 27/2022 pasal 20) dan rujukannya ditolak. NIK dan No. KK disimpan terenkripsi.                       Baris yang salah tidak disimpan dan dilaporkan dengan nomor baris, kolom dan alasannya."
    )]
    Impor {
        /// Berkas CSV daftar
        #[arg(value_name = "BERKAS", help_heading = "Argumen")]
        file: PathBuf,
        /// Nama pengguna yang mengimpor (cakupannya berlaku)
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        /// Organisasi pemilik daftar (id atau nama persis)
        #[arg(long, value_name = "ORGANISASI")]
        organisasi: String,
        /// Dasar pemrosesan: persetujuan, kontrak, kewajiban_hukum, kepentingan_vital, tugas_publik, kepentingan_sah
        #[arg(long = "dasar-hukum", value_name = "DASAR")]
        dasar_hukum: Option<String>,
        /// Rujukan dasar itu: nomor formulir persetujuan, PKS atau SK
        #[arg(long, value_name = "TEKS")]
        rujukan: Option<String>,
        /// Nama daftar; bawaan: nama berkas
        #[arg(long, value_name = "TEKS")]
        nama: Option<String>,
        /// Id daftar lama yang diganti oleh daftar yang sudah dikoreksi ini (dalam satu transaksi)
        #[arg(long, value_name = "ID")]
        ganti: Option<i64>,
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProgramCommand {
    /// Impor lembar 4W (CSV atau XLSX, kolom templat 4W) atas nama seorang pengguna
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Mengimpor program mitra dari lembar 4W (CSV atau XLSX dengan kolom templat 4W) atas nama \
                      seorang pengguna; cakupan pengguna itu berlaku. Program dengan kode yang sama untuk organisasi \
                      yang sama diperbarui, bukan digandakan. Program yang baik disimpan dalam satu transaksi; \
                      baris yang salah dilaporkan dengan nomor baris, kolom dan alasannya."
    )]
    Impor {
        /// Berkas 4W (CSV atau XLSX)
        #[arg(value_name = "BERKAS", help_heading = "Argumen")]
        file: PathBuf,
        /// Nama pengguna yang mengimpor (cakupannya berlaku)
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        /// Organisasi (id atau nama persis) untuk baris yang kolom mitra-nya kosong
        #[arg(long, value_name = "ORGANISASI")]
        organisasi: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum ForumCommand {
    /// Impor daftar hadir (CSV/XLSX: kode, nama, organisasi, peran, jenis_kelamin, disabilitas, hadir, diwakili)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Mencatat daftar hadir sebuah rapat atas nama seorang pengguna yang mengelola forumnya. \
                      Baris dicocokkan dengan undangan menurut kode hadir, lalu nama; yang tidak diundang \
                      ditambahkan. Dengan --forum, --judul dan --tanggal dibuat rapat lampau (terlaksana) \
                      dari daftar hadirnya. Satu baris salah menolak seluruh berkas, dengan nomor baris, \
                      kolom dan alasannya.",
        after_help = "Contoh:\n  sinergi forum impor hadir.xlsx --rapat 12 --sebagai op5203\n  \
                      sinergi forum impor hadir.csv --forum 3 --judul \"Rakor I\" --tanggal 2025-06-25 --sebagai op5203"
    )]
    Impor {
        /// Berkas CSV atau XLSX daftar hadir
        #[arg(value_name = "BERKAS", help_heading = "Argumen")]
        file: PathBuf,
        /// Nomor (id) rapat yang sudah ada
        #[arg(long, value_name = "ID", conflicts_with = "forum")]
        rapat: Option<i64>,
        /// Nomor (id) forum, untuk rapat lampau yang dibuat dari daftar hadir
        #[arg(long, value_name = "ID", requires_all = ["judul", "tanggal"])]
        forum: Option<i64>,
        /// Judul rapat lampau
        #[arg(long, value_name = "JUDUL")]
        judul: Option<String>,
        /// Tanggal rapat lampau (TTTT-BB-HH)
        #[arg(long, value_name = "TANGGAL")]
        tanggal: Option<String>,
        /// Jam mulai menurut zona wilayah forum (JJ:MM)
        #[arg(long, value_name = "JAM", default_value = "09:00")]
        jam: String,
        /// Jenis rapat: koordinasi, forum, pelatihan, komisi
        #[arg(long, value_name = "JENIS", default_value = "koordinasi")]
        jenis: String,
        /// Nama pengguna yang mencatat (cakupannya berlaku)
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum RealisasiCommand {
    /// Impor realisasi strategi (CSV/XLSX templat realisasi: kode_indikator, rincian, kode_wilayah, periode, sumber, nilai, …)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Mengimpor nilai realisasi sebuah strategi atas nama seorang pengguna; cakupan pengguna itu berlaku. \
                      Setiap baris diperiksa terhadap versi terbit (indikator, rincian), wilayah strategi, cakupan \
                      pengguna dan kunci periode. Satu baris salah menolak seluruh berkas, dengan nomor baris, kolom \
                      dan alasannya; kunci yang sama menggantikan nilai lama."
    )]
    Impor {
        /// Berkas CSV atau XLSX realisasi
        #[arg(value_name = "BERKAS", help_heading = "Argumen")]
        file: PathBuf,
        /// Nomor (id) strategi
        #[arg(long, value_name = "ID")]
        strategi: i64,
        /// Nama pengguna yang mengisi (cakupannya berlaku)
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgregatCommand {
    /// Impor angka agregat per wilayah, satu angka per baris (susunan indikator_wilayah.csv dari `sinergi generate`)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Mengimpor angka agregat per wilayah dari CSV atau XLSX dengan kolom kode_wilayah, indikator, \
                      periode, nilai, satuan, sumber, jenis (survei/administratif), dan bila ada estimasi (ya/tidak) \
                      dan catatan. Angka dengan wilayah, indikator, periode dan sumber yang sama diganti. Indikator \
                      yang dibaca halaman: jumlah_ppks dan desa_sasaran_kemiskinan_ekstrem per desa, ppks_<jenis> \
                      per wilayah, keluarga_desil_1, kemiskinan_p0, stunting, perkawinan_anak. Baris yang ditolak \
                      disebut dengan nomor baris, kolom dan alasannya.",
        after_help = "Contoh:\n  sinergi agregat impor ppks_desa_2025.csv"
    )]
    Impor {
        /// Berkas CSV atau XLSX
        #[arg(value_name = "BERKAS", help_heading = "Argumen")]
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegistriCommand {
    /// Impor registri LKS, LKKS atau mitra (kolom sama dengan templat dan ekspor halaman web)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        long_about = "Mengimpor registri lembaga dari CSV atau XLSX dengan kolom yang sama seperti templat dan \
                      ekspor di halaman web. Tiap baris dibuat, diperbarui menurut kodenya (kode_lks, kode_mitra, \
                      atau kode_wilayah untuk LKKS), atau ditolak dengan nomor baris, kolom dan alasannya. \
                      Tanpa --sebagai impor dilakukan sebagai sistem (semua wilayah).",
        after_help = "Contoh:\n  sinergi registri impor lks lks.xlsx\n  sinergi registri impor mitra mitra.csv --sebagai admin52"
    )]
    Impor {
        /// Registri: lks, lkks atau mitra
        #[arg(value_name = "REGISTRI", help_heading = "Argumen")]
        registry: String,
        /// Berkas CSV atau XLSX
        #[arg(value_name = "BERKAS", help_heading = "Argumen")]
        file: PathBuf,
        /// Nama pengguna yang mengimpor (cakupannya berlaku); bawaan: sistem
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum KunciCommand {
    /// Cetak kunci acak baru (base64) untuk SINERGI_KUNCI atau SINERGI_KUNCI_BERKAS
    #[command(alias = "create", help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Buat,
}

/// Parses the arguments; on a usage error prints an Indonesian message and exits with 2.
pub fn parse() -> Cli {
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
            _ => {
                eprintln!("galat: {}", translate(&e));
                eprintln!("Jalankan `sinergi --help` untuk melihat perintah dan opsinya.");
                std::process::exit(2);
            }
        },
    }
}

fn ctx(e: &clap::Error, kind: ContextKind) -> String {
    match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// The message for a clap error, in Bahasa Indonesia.
pub fn translate(e: &clap::Error) -> String {
    let arg = ctx(e, ContextKind::InvalidArg);
    let value = ctx(e, ContextKind::InvalidValue);
    match e.kind() {
        ErrorKind::UnknownArgument => format!("opsi \"{arg}\" tidak dikenal"),
        ErrorKind::InvalidSubcommand => format!(
            "perintah \"{}\" tidak dikenal",
            ctx(e, ContextKind::InvalidSubcommand)
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let hint = match arg.as_str() {
                a if a.contains("--bind") => " (contoh yang benar: 127.0.0.1:8080)",
                a if a.contains("--berlaku") => " (bentuk yang benar: TTTT-BB-HH, mis. 2025-06-23)",
                a if a.contains("--batas") => " (harus bilangan bulat positif)",
                a if a.contains("--ambang") => " (harus angka di antara 0 dan 1, mis. 0.9)",
                a if a.contains("--scale") => {
                    " (pakai titik desimal, mis. 0.1; lebih dari 0 sampai 2)"
                }
                a if a.contains("--seed") || a.contains("--linkage") => {
                    " (harus bilangan bulat tidak negatif)"
                }
                _ => "",
            };
            format!("nilai \"{value}\" untuk {arg} tidak sah{hint}")
        }
        ErrorKind::MissingRequiredArgument => format!("argumen wajib belum diberikan: {arg}"),
        ErrorKind::MissingSubcommand => "perintah belum diberikan".to_string(),
        ErrorKind::ArgumentConflict => {
            format!("opsi {arg} tidak boleh dipakai bersama opsi lain yang diberikan")
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("terlalu banyak atau salah jumlah nilai: \"{value}\"")
        }
        ErrorKind::NoEquals => format!("opsi {arg} perlu tanda = dan nilainya"),
        ErrorKind::InvalidUtf8 => "argumen bukan teks UTF-8".to_string(),
        _ => format!("argumen tidak sah ({})", e.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn translates_common_mistakes() {
        let err = |args: &[&str]| translate(&Cli::try_parse_from(args).unwrap_err());
        assert_eq!(
            err(&["sinergi", "layani"]),
            "perintah \"layani\" tidak dikenal"
        );
        assert_eq!(
            err(&["sinergi", "serve", "--port", "1"]),
            "opsi \"--port\" tidak dikenal"
        );
        let bind = err(&["sinergi", "serve", "--bind", "localhost"]);
        assert!(
            bind.contains("\"localhost\"") && bind.contains("127.0.0.1:8080"),
            "{bind}"
        );
        let date = err(&[
            "sinergi",
            "wilayah",
            "import",
            "a.csv",
            "--berlaku",
            "23-06-2025",
        ]);
        assert!(date.contains("TTTT-BB-HH"), "{date}");
        assert!(err(&["sinergi", "wilayah", "import"]).starts_with("argumen wajib"));
    }

    #[test]
    fn help_is_in_indonesian() {
        let help = Cli::command().render_long_help().to_string();
        for word in [
            "Pemakaian:",
            "Perintah:",
            "Tampilkan bantuan",
            "serve",
            "wilayah",
        ] {
            assert!(help.contains(word), "{word} missing from:\n{help}");
        }
        let mut cmd = Cli::command();
        // Global flags (the Indonesian -h/-V) reach subcommands only once the tree is built.
        cmd.build();
        let serve = cmd
            .find_subcommand_mut("serve")
            .unwrap()
            .render_long_help()
            .to_string();
        assert!(
            serve.contains("--bind") && serve.contains("--database") && serve.contains("--demo"),
            "{serve}"
        );
        assert!(
            serve.contains("Opsi:") && !serve.contains("Options:"),
            "{serve}"
        );
    }
}

/// `sinergi siklus …`: every command acts as a user (`--sebagai`), whose scope applies.
#[derive(Debug, Subcommand)]
pub enum SiklusCommand {
    /// Buat aturan kelayakan (draf) sebuah program, hitung yang cocok dalam cakupan, dan terbitkan bila diminta
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Aturan {
        #[arg(long, value_name = "ID")]
        program: i64,
        /// Ungkapan aturan, mis. desil <= 2 && umur(tanggal_mulai) >= 6 && sekolah == "ya"
        #[arg(long, value_name = "ATURAN")]
        aturan: String,
        /// Berkas JSON kasus uji: [{"label": …, "facts": {…}, "expected": true}]
        #[arg(long, value_name = "BERKAS")]
        kasus: Option<PathBuf>,
        /// Terbitkan setelah dihitung (kasus uji harus lulus)
        #[arg(long)]
        terbitkan: bool,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Buat siklus (draf) sebuah program
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Buat {
        #[arg(long, value_name = "ID")]
        program: i64,
        #[arg(long, value_name = "NAMA")]
        nama: String,
        /// Tanggal mulai (YYYY-MM-DD)
        #[arg(long, value_name = "TANGGAL")]
        mulai: String,
        #[arg(long, value_name = "TANGGAL")]
        selesai: String,
        /// flat:300000 atau jenjang:SD=300000,SMP=450000,SMA=600000
        #[arg(long, value_name = "JUMLAH")]
        jumlah: String,
        #[arg(long, value_name = "N", default_value_t = 1)]
        tahap: i64,
        /// Aturan kelayakan terbit (id)
        #[arg(long, value_name = "ID")]
        aturan: Option<i64>,
        /// Langkah verifikasi yang harus lulus sebelum disetujui, dipisah koma: dokumen, kunjungan_rumah, konfirmasi_sekolah
        #[arg(long = "verifikasi", value_name = "LANGKAH", default_value = "")]
        verifikasi: String,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Daftarkan penerima dari registri dalam cakupan (satu daftar tersimpan, atau satu wilayah), diperiksa aturan
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Daftarkan {
        #[arg(long, value_name = "ID")]
        siklus: i64,
        /// Daftar orang tersimpan (id)
        #[arg(long, value_name = "ID")]
        daftar: Option<i64>,
        /// Kode wilayah
        #[arg(long, value_name = "KODE")]
        wilayah: Option<String>,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Catat hasil satu langkah verifikasi seorang penerima (dokumen, kunjungan_rumah, konfirmasi_sekolah: lulus/gagal)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        after_help = "Contoh:\n  sinergi siklus verifikasi --siklus 3 --penerima 41 --langkah kunjungan_rumah --hasil lulus --catatan \"Rumah dikunjungi\" --sebagai mitra_tunas"
    )]
    Verifikasi {
        #[arg(long, value_name = "ID")]
        siklus: i64,
        /// Id penerima dalam siklus
        #[arg(long, value_name = "ID")]
        penerima: i64,
        /// dokumen, kunjungan_rumah atau konfirmasi_sekolah
        #[arg(long, value_name = "LANGKAH")]
        langkah: String,
        /// lulus atau gagal
        #[arg(long, value_name = "HASIL")]
        hasil: String,
        #[arg(long, value_name = "CATATAN", default_value = "")]
        catatan: String,
        /// Tanggal (YYYY-MM-DD); bawaan: hari ini
        #[arg(long, value_name = "TANGGAL")]
        tanggal: Option<String>,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Impor fakta orang yang tidak ada di registri (CSV/XLSX: nik, sekolah ya/tidak, jenjang SD/SMP/SMA, disabilitas ya/tidak)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        after_help = "Contoh:\n  sinergi siklus fakta sekolah.csv --sebagai mitra_tunas"
    )]
    Fakta {
        #[arg(value_name = "BERKAS", help_heading = "Argumen")]
        file: PathBuf,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Tambahkan satu orang registri secara manual, dengan alasan
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Tambah {
        #[arg(long, value_name = "ID")]
        siklus: i64,
        /// Id orang di registri
        #[arg(long, value_name = "ID")]
        orang: i64,
        #[arg(long, value_name = "ALASAN")]
        alasan: String,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Kemungkinan ganda dalam siklus (mesin tautan): daftar pasangan, atau putuskan satu (sama/beda)
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opsi",
        after_help = "Contoh:\n  sinergi siklus ganda --siklus 1 --sebagai mitra_tunas\n  sinergi siklus ganda --siklus 1 --pasangan 3 --putusan sama --sebagai mitra_tunas"
    )]
    Ganda {
        #[arg(long, value_name = "ID")]
        siklus: i64,
        /// Id pasangan yang diputuskan (tanpa ini: daftar pasangan)
        #[arg(long, value_name = "ID", requires = "putusan")]
        pasangan: Option<i64>,
        /// sama (orang yang sama: catatan yang lebih baru keluar) atau beda (dua orang)
        #[arg(long, value_name = "PUTUSAN", requires = "pasangan")]
        putusan: Option<String>,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Langkah status siklus: ajukan, kembalikan, setujui, salurkan, tutup, batalkan
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Langkah {
        #[arg(value_name = "AKSI", help_heading = "Argumen")]
        aksi: String,
        #[arg(long, value_name = "ID")]
        siklus: i64,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Tulis berkas pembayaran bank (CSV) satu tahap
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Bayar {
        #[arg(long, value_name = "ID")]
        siklus: i64,
        #[arg(long, value_name = "N", default_value_t = 1)]
        tahap: i64,
        #[arg(long, value_name = "BERKAS")]
        keluar: PathBuf,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Impor hasil pembayaran bank (id_hak, status berhasil/gagal, keterangan)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Hasil {
        #[arg(value_name = "BERKAS", help_heading = "Argumen")]
        file: PathBuf,
        #[arg(long, value_name = "ID")]
        siklus: i64,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Tulis laporan donor (XLSX): per siklus dan kumulatif
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opsi")]
    Laporan {
        #[arg(long, value_name = "ID")]
        program: i64,
        #[arg(long, value_name = "BERKAS")]
        keluar: PathBuf,
        #[arg(long, value_name = "NAMA_PENGGUNA")]
        sebagai: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}
