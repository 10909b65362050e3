//! The typesetter's output is a real PDF whose text (Indonesian, with its diacritics and
//! symbols) can be read back, and breaks long tables across pages.

use sinergi_report::{Block, Cell, Document, Letterhead, TableBlock, pdf};

#[test]
fn pdf_text_reads_back_through_the_embedded_font() {
    let rows: Vec<Vec<Cell>> = (0..120)
        .map(|i| {
            vec![
                Cell::plain(format!("Kabupaten Lombok Timur {i}")),
                Cell {
                    text: "Sangat Rendah".into(),
                    fill: Some("#c92a2a".into()),
                },
            ]
        })
        .collect();
    let doc = Document {
        title: "Laporan Monitoring dan Evaluasi — Triwulan III 2025".into(),
        subtitle: "Strategi Kolaborasi Kesejahteraan Sosial NTB 2025–2030".into(),
        letterhead: Letterhead {
            lines: vec![
                "LKKS Provinsi Nusa Tenggara Barat".into(),
                "Jl. Udayana, Mataram".into(),
            ],
            logo_jpeg: None,
        },
        footer: "Sinergi".into(),
        page_label: "Halaman".into(),
        blocks: vec![
            Block::Heading(
                1,
                "Proporsi perempuan 20–24 tahun yang kawin sebelum 18 tahun".into(),
            ),
            Block::Paragraph("Desil I ≤ seluruh keluarga; balita < −2 SD × 100".into()),
            Block::Fields(vec![("Faktor pendorong".into(), "Posyandu aktif".into())]),
            Block::Table(TableBlock {
                sheet: "t".into(),
                widths: vec![3.0, 1.0],
                header: vec!["Wilayah".into(), "Kategori".into()],
                rows,
            }),
        ],
        sheets: vec![],
    };
    let calls = std::cell::Cell::new(0);
    let bytes = pdf::render(&doc, &|_| calls.set(calls.get() + 1)).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(calls.get() >= 4);
    let text = pdf::extract_text(&bytes);
    for needle in [
        "Proporsi perempuan 20–24 tahun",
        "Desil I ≤ seluruh keluarga; balita < −2 SD × 100",
        "LKKS Provinsi Nusa Tenggara Barat",
        "Kabupaten Lombok Timur 119",
        "Sangat Rendah",
        "Halaman 1 / ",
    ] {
        assert!(
            text.contains(needle),
            "missing {needle:?} in:\n{}",
            &text[text.len().saturating_sub(900)..]
        );
    }
    // 120 rows do not fit on one page: the table breaks, its header repeated.
    let pages = text.matches("Halaman ").count();
    assert!(pages >= 3, "{pages} pages");
    assert!(text.matches("Wilayah").count() >= pages - 1);
    // The fonts are subsets: far smaller than the two 0.7 MB files.
    assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok()
    {
        let dir = std::env::temp_dir().join(format!("sinergi-pdf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.pdf");
        std::fs::write(&path, &bytes).unwrap();
        let out = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains("Lombok Timur 119"));
    } else {
        eprintln!("pdftotext not installed: checked with the built-in extractor only");
    }
}

/// Whatever precedes it, a heading never ends a page: it moves to the next page with the
/// start of its table.
#[test]
fn a_heading_is_never_left_alone_at_a_page_foot() {
    let rows: Vec<Vec<Cell>> = (0..6)
        .map(|i| vec![Cell::plain(format!("Kabupaten {i}")), Cell::plain("12,4")])
        .collect();
    for filler in 0..70 {
        let mut blocks: Vec<Block> = (0..filler)
            .map(|i| Block::Paragraph(format!("Paragraf pengisi {i}.")))
            .collect();
        blocks.push(Block::Heading(
            2,
            "IK1.2 Persentase penduduk miskin ekstrem".into(),
        ));
        blocks.push(Block::Table(TableBlock {
            sheet: "t".into(),
            widths: vec![3.0, 1.0],
            header: vec!["Wilayah".into(), "Target".into()],
            rows: rows.clone(),
        }));
        let doc = Document {
            title: "Laporan".into(),
            subtitle: String::new(),
            letterhead: Letterhead {
                lines: vec!["LKKS".into()],
                logo_jpeg: None,
            },
            footer: "Sinergi".into(),
            page_label: "Halaman".into(),
            blocks,
            sheets: vec![],
        };
        let text = pdf::extract_text(&pdf::render(&doc, &|_| {}).unwrap());
        let heading = text.find("IK1.2 Persentase").unwrap();
        let after: String = text[heading..].split_whitespace().skip(4).take(2).collect();
        assert!(
            !after.starts_with("Sinergi"),
            "with {filler} paragraphs the heading ends a page: {after}"
        );
        assert!(
            text[heading..].find("Wilayah") < text[heading..].find("Halaman"),
            "with {filler} paragraphs the table's header is not on the heading's page"
        );
    }
}
