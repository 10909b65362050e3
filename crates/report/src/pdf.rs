//! A small typesetter for [`Document`]s: A4 pages, a letterhead with an optional JPEG logo,
//! headings, wrapped paragraphs, tables that break across pages with their header repeated,
//! coloured cells, and page numbers. Text is set in DejaVu Sans (regular and bold), embedded as
//! subsets with a ToUnicode map, so every Indonesian character prints and the text can be
//! searched and copied.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::{Block, Cell, Document};

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 48.0;
const BOTTOM: f32 = 56.0;
const BODY: f32 = 9.5;
const CELL_PAD: f32 = 3.0;

#[derive(Debug)]
pub enum PdfError {
    Font(String),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::Font(e) => write!(f, "huruf tidak dapat disematkan: {e}"),
        }
    }
}

impl std::error::Error for PdfError {}

/// One embedded face: metrics, and the glyphs used (for the subset and the ToUnicode map).
struct Face {
    face: ttf_parser::Face<'static>,
    data: &'static [u8],
    name: &'static [u8],
    resource: &'static [u8],
    scale: f32,
    used: BTreeMap<u16, char>,
}

impl Face {
    fn new(
        data: &'static [u8],
        name: &'static [u8],
        resource: &'static [u8],
    ) -> Result<Face, PdfError> {
        let face =
            ttf_parser::Face::parse(data, 0).map_err(|e| PdfError::Font(format!("{e:?}")))?;
        let scale = 1000.0 / f32::from(face.units_per_em());
        Ok(Face {
            face,
            data,
            name,
            resource,
            scale,
            used: BTreeMap::new(),
        })
    }

    fn glyph(&self, c: char) -> u16 {
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .map_or(0, |g| g.0)
    }

    /// Advance in thousandths of the font size.
    fn advance(&self, gid: u16) -> f32 {
        self.face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .map_or(0.0, |a| f32::from(a) * self.scale)
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// Glyph ids as Identity-H bytes, recording each glyph's character.
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let g = self.glyph(c);
            self.used.entry(g).or_insert(c);
            out.extend_from_slice(&g.to_be_bytes());
        }
        out
    }
}

/// Greedy line breaking at spaces; a word longer than the line is cut.
fn wrap(face: &Face, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if face.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if face.width(&piece, size) > width && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

fn rgb(hex: &str) -> (f32, f32, f32) {
    let h = hex.trim_start_matches('#');
    let c = |i: usize| {
        h.get(i..i + 2)
            .and_then(|s| u8::from_str_radix(s, 16).ok())
            .map_or(1.0, |v| f32::from(v) / 255.0)
    };
    (c(0), c(2), c(4))
}

/// Whether text on this fill needs to be white to stay readable.
fn dark(hex: &str) -> bool {
    let (r, g, b) = rgb(hex);
    0.299 * r + 0.587 * g + 0.114 * b < 0.55
}

/// A JPEG's size and colour components, read from its start-of-frame marker.
fn jpeg_info(data: &[u8]) -> Option<(u16, u16, u8)> {
    if data.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut i = 2;
    while i + 9 < data.len() {
        if data[i] != 0xFF {
            return None;
        }
        let marker = data[i + 1];
        let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
        if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
            let h = u16::from_be_bytes([data[i + 5], data[i + 6]]);
            let w = u16::from_be_bytes([data[i + 7], data[i + 8]]);
            return Some((w, h, data[i + 9]));
        }
        i += 2 + len;
    }
    None
}

/// Whether bytes are a JPEG this typesetter can embed (for the settings form).
pub fn is_usable_jpeg(data: &[u8]) -> bool {
    jpeg_info(data).is_some_and(|(w, h, c)| w > 0 && h > 0 && matches!(c, 1 | 3))
}

struct Writer {
    faces: [Face; 2],
    pages: Vec<Content>,
    y: f32,
    uses_logo: bool,
}

const REG: usize = 0;
const BLD: usize = 1;

impl Writer {
    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a page is open")
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - MARGIN;
    }

    fn ensure(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.new_page();
        }
    }

    fn text(&mut self, face: usize, size: f32, x: f32, y: f32, s: &str, white: bool) {
        let bytes = self.faces[face].encode(s);
        let name = Name(self.faces[face].resource);
        let c = self.page();
        c.begin_text();
        if white {
            c.set_fill_rgb(1.0, 1.0, 1.0);
        } else {
            c.set_fill_rgb(0.1, 0.1, 0.1);
        }
        c.set_font(name, size);
        c.next_line(x, y);
        c.show(Str(&bytes));
        c.end_text();
    }

    fn lines(&mut self, face: usize, size: f32, text: &str, indent: f32) {
        let leading = size * 1.35;
        for line in wrap(
            &self.faces[face],
            text,
            size,
            PAGE_W - 2.0 * MARGIN - indent,
        ) {
            self.ensure(leading);
            self.y -= leading;
            self.text(
                face,
                size,
                MARGIN + indent,
                self.y + size * 0.25,
                &line,
                false,
            );
        }
    }

    fn rule(&mut self) {
        let y = self.y;
        let c = self.page();
        c.set_stroke_rgb(0.3, 0.3, 0.3);
        c.set_line_width(0.8);
        c.move_to(MARGIN, y);
        c.line_to(PAGE_W - MARGIN, y);
        c.stroke();
    }

    fn letterhead(&mut self, lines: &[String], logo: Option<(u16, u16)>) {
        let top = self.y;
        let mut x = MARGIN;
        if let Some((w, h)) = logo {
            let height = 48.0;
            let width = height * f32::from(w) / f32::from(h.max(1));
            let c = self.page();
            c.save_state();
            c.transform([width, 0.0, 0.0, height, MARGIN, top - height]);
            c.x_object(Name(b"Logo"));
            c.restore_state();
            x += width + 12.0;
            self.uses_logo = true;
        }
        // The organisation's name shrinks (down to 10 pt) to stay on one line, and wraps when
        // even that is too wide; nothing runs past the margin.
        let avail = PAGE_W - MARGIN - x;
        let mut y = top;
        for (i, line) in lines.iter().enumerate() {
            let (face, mut size) = if i == 0 { (BLD, 13.0) } else { (REG, 9.0) };
            while i == 0 && size > 10.0 && self.faces[face].width(line, size) > avail {
                size -= 0.5;
            }
            for part in wrap(&self.faces[face], line, size, avail) {
                y -= size * 1.35;
                self.text(face, size, x, y + 2.0, &part, false);
            }
        }
        self.y = y.min(top - if logo.is_some() { 52.0 } else { 0.0 }) - 6.0;
        self.rule();
        self.y -= 10.0;
    }

    fn table(&mut self, widths: &[f32], header: &[String], rows: &[Vec<Cell>]) {
        let total: f32 = widths.iter().sum();
        let avail = PAGE_W - 2.0 * MARGIN;
        let cols: Vec<f32> = widths.iter().map(|w| w / total * avail).collect();
        let size = 8.0;
        let leading = size * 1.3;
        let layout = |faces: &[Face; 2], face: usize, cells: &[(String, Option<String>)]| {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&cols)
                .map(|((t, _), w)| wrap(&faces[face], t, size, w - 2.0 * CELL_PAD))
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            (wrapped, lines as f32 * leading + 2.0 * CELL_PAD)
        };
        let head: Vec<(String, Option<String>)> = header
            .iter()
            .map(|h| (h.clone(), Some("#dfe5ea".to_string())))
            .collect();
        let draw = |w: &mut Writer, face: usize, cells: &[(String, Option<String>)]| {
            let (wrapped, height) = layout(&w.faces, face, cells);
            let mut x = MARGIN;
            let top = w.y;
            for ((lines, (_, fill)), cw) in wrapped.iter().zip(cells).zip(&cols) {
                let white = fill.as_deref().is_some_and(dark);
                {
                    let c = w.page();
                    if let Some(f) = fill {
                        let (r, g, b) = rgb(f);
                        c.set_fill_rgb(r, g, b);
                        c.rect(x, top - height, *cw, height);
                        c.fill_nonzero();
                    }
                    c.set_stroke_rgb(0.6, 0.6, 0.6);
                    c.set_line_width(0.4);
                    c.rect(x, top - height, *cw, height);
                    c.stroke();
                }
                for (i, line) in lines.iter().enumerate() {
                    let y = top - CELL_PAD - (i as f32 + 1.0) * leading + size * 0.3;
                    w.text(face, size, x + CELL_PAD, y, line, white);
                }
                x += cw;
            }
            w.y = top - height;
        };
        let (_, head_h) = layout(&self.faces, BLD, &head);
        self.ensure(head_h * 2.0);
        draw(self, BLD, &head);
        for row in rows {
            let cells: Vec<(String, Option<String>)> = row
                .iter()
                .map(|c| (c.text.clone(), c.fill.clone()))
                .collect();
            let (_, h) = layout(&self.faces, REG, &cells);
            if self.y - h < BOTTOM {
                self.new_page();
                draw(self, BLD, &head);
            }
            draw(self, REG, &cells);
        }
        self.y -= 8.0;
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    // Writing to memory cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// The height of the first part of a block that must share a page with the heading above it.
fn start_height(next: Option<&Block>) -> f32 {
    let table_row = 8.0 * 1.3 + 2.0 * CELL_PAD;
    match next {
        Some(Block::Table(_)) => 3.0 * table_row + 8.0,
        Some(Block::Paragraph(_) | Block::Fields(_)) => 3.0 * BODY * 1.35,
        Some(Block::Heading(..)) => 40.0,
        _ => 0.0,
    }
}

/// Typesets a document as PDF bytes. `progress` is told the share done (0.0–1.0) as blocks
/// are set, for the background job's progress page.
pub fn render(doc: &Document, progress: &dyn Fn(f32)) -> Result<Vec<u8>, PdfError> {
    let logo = doc
        .letterhead
        .logo_jpeg
        .as_deref()
        .and_then(|d| jpeg_info(d).map(|i| (d, i)));
    let mut w = Writer {
        faces: [
            Face::new(REGULAR, b"DejaVuSans", b"F1")?,
            Face::new(BOLD, b"DejaVuSans-Bold", b"F2")?,
        ],
        pages: Vec::new(),
        y: 0.0,
        uses_logo: false,
    };
    w.new_page();
    w.letterhead(&doc.letterhead.lines, logo.map(|(_, (a, b, _))| (a, b)));
    w.lines(BLD, 15.0, &doc.title, 0.0);
    if !doc.subtitle.is_empty() {
        w.lines(REG, 10.5, &doc.subtitle, 0.0);
    }
    w.y -= 6.0;
    let n = doc.blocks.len().max(1);
    for (i, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Heading(level, text) => {
                let size = if *level <= 1 { 12.5 } else { 10.5 };
                // A heading keeps company: it moves to the next page unless the start of
                // what follows (a table's header and first rows, a few lines) fits under it.
                w.ensure(size * 3.0 + start_height(doc.blocks.get(i + 1)));
                w.y -= size * 0.6;
                w.lines(BLD, size, text, 0.0);
                w.y -= 2.0;
            }
            Block::Paragraph(text) => {
                w.lines(REG, BODY, text, 0.0);
                w.y -= 3.0;
            }
            Block::Fields(pairs) => {
                // The key column is as wide as the longest key (up to 40 % of the line);
                // a longer key wraps inside it instead of running into its value.
                let avail = PAGE_W - 2.0 * MARGIN;
                let widest = pairs
                    .iter()
                    .map(|(k, _)| w.faces[BLD].width(k, BODY))
                    .fold(0.0_f32, f32::max);
                let key_w = (widest + 10.0).min(avail * 0.4);
                let leading = BODY * 1.35;
                for (k, v) in pairs {
                    let keys = wrap(&w.faces[BLD], k, BODY, key_w - 8.0);
                    let values = wrap(&w.faces[REG], v, BODY, avail - key_w);
                    let rows = keys.len().max(values.len());
                    w.ensure(leading * rows.min(3) as f32);
                    for j in 0..rows {
                        if j > 0 {
                            w.ensure(leading);
                        }
                        w.y -= leading;
                        let y = w.y + BODY * 0.25;
                        if let Some(key) = keys.get(j) {
                            w.text(BLD, BODY, MARGIN, y, key, false);
                        }
                        if let Some(value) = values.get(j) {
                            w.text(REG, BODY, MARGIN + key_w, y, value, false);
                        }
                    }
                }
                w.y -= 4.0;
            }
            Block::Table(t) => w.table(&t.widths, &t.header, &t.rows),
            Block::PageBreak => w.new_page(),
        }
        progress((i + 1) as f32 / n as f32 * 0.9);
    }

    // Footers now that the page count is known.
    let total = w.pages.len();
    for i in 0..total {
        let label = format!("{} · {} {} / {}", doc.footer, doc.page_label, i + 1, total);
        let bytes = w.faces[REG].encode(&label);
        let c = &mut w.pages[i];
        c.begin_text();
        c.set_fill_rgb(0.35, 0.35, 0.35);
        c.set_font(Name(b"F1"), 7.5);
        c.next_line(MARGIN, 30.0);
        c.show(Str(&bytes));
        c.end_text();
    }

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let font_refs: Vec<[Ref; 5]> = (0..2)
        .map(|_| [alloc(), alloc(), alloc(), alloc(), alloc()])
        .collect();
    let logo_ref = alloc();
    let page_refs: Vec<(Ref, Ref)> = (0..total).map(|_| (alloc(), alloc())).collect();

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(p, _)| *p))
        .count(total as i32);
    pdf.document_info(info)
        .title(TextStr(&doc.title))
        .producer(TextStr("Sinergi"));
    for ((page_ref, content_ref), content) in page_refs.iter().zip(std::mem::take(&mut w.pages)) {
        let mut page = pdf.page(*page_ref);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(*content_ref);
        let mut res = page.resources();
        let mut fonts = res.fonts();
        fonts.pair(Name(b"F1"), font_refs[0][0]);
        fonts.pair(Name(b"F2"), font_refs[1][0]);
        fonts.finish();
        if w.uses_logo {
            res.x_objects().pair(Name(b"Logo"), logo_ref);
        }
        res.finish();
        page.finish();
        let data = deflate(&content.finish());
        pdf.stream(*content_ref, &data).filter(Filter::FlateDecode);
    }
    if let (true, Some((data, (width, height, components)))) = (w.uses_logo, logo) {
        let mut img = pdf.image_xobject(logo_ref, data);
        img.filter(Filter::DctDecode);
        img.width(i32::from(width));
        img.height(i32::from(height));
        if components == 1 {
            img.color_space().device_gray();
        } else {
            img.color_space().device_rgb();
        }
        img.bits_per_component(8);
        img.finish();
    }
    for (face, refs) in w.faces.iter().zip(&font_refs) {
        embed(&mut pdf, face, *refs)?;
    }
    progress(1.0);
    Ok(pdf.finish())
}

fn embed(pdf: &mut Pdf, face: &Face, refs: [Ref; 5]) -> Result<(), PdfError> {
    let [type0, cid, descriptor, cmap_ref, file] = refs;
    // Subset tag: six capitals derived from the glyph set, as PDF readers expect.
    let mut tag = String::new();
    let mut h: u32 = 2166136261;
    for g in face.used.keys() {
        h = (h ^ u32::from(*g)).wrapping_mul(16777619);
    }
    for _ in 0..6 {
        tag.push((b'A' + (h % 26) as u8) as char);
        h /= 26;
    }
    let base = format!("{tag}+{}", String::from_utf8_lossy(face.name));
    let base = Name(base.as_bytes());
    let system = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap_ref);
    let mut c = pdf.cid_font(cid);
    c.subtype(CidFontType::Type2)
        .base_font(base)
        .system_info(system)
        .font_descriptor(descriptor)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    {
        let mut widths = c.widths();
        for g in face.used.keys() {
            widths.consecutive(*g, [face.advance(*g)]);
        }
    }
    c.finish();
    let bbox = face.face.global_bounding_box();
    let s = face.scale;
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            f32::from(bbox.x_min) * s,
            f32::from(bbox.y_min) * s,
            f32::from(bbox.x_max) * s,
            f32::from(bbox.y_max) * s,
        ))
        .italic_angle(0.0)
        .ascent(f32::from(face.face.ascender()) * s)
        .descent(f32::from(face.face.descender()) * s)
        .cap_height(f32::from(face.face.capital_height().unwrap_or(700)) * s)
        .stem_v(80.0)
        .font_file2(file);
    let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), system);
    for (g, ch) in &face.used {
        cmap.pair(*g, *ch);
    }
    let cmap = cmap.finish();
    pdf.cmap(cmap_ref, &cmap);
    let glyphs: Vec<u16> = std::iter::once(0)
        .chain(face.used.keys().copied())
        .collect();
    let subset = subsetter::subset(face.data, 0, subsetter::Profile::pdf(&glyphs))
        .map_err(|e| PdfError::Font(format!("{e:?}")))?;
    let data = deflate(&subset);
    pdf.stream(file, &data).filter(Filter::FlateDecode);
    Ok(())
}

/// The text of a PDF this module wrote, one shown string per line, decoded through its
/// ToUnicode maps: for tests (here and in the web layer) that check what a report says
/// without a PDF toolkit.
pub fn extract_text(pdf: &[u8]) -> String {
    use std::io::Read;
    let mut streams = Vec::new();
    let mut at = 0;
    while let Some(start) = find(&pdf[at..], b"stream\n").map(|i| at + i + 7) {
        let Some(end) = find(&pdf[start..], b"\nendstream").map(|i| start + i) else {
            break;
        };
        let mut out = Vec::new();
        let mut d = flate2::read::ZlibDecoder::new(&pdf[start..end]);
        if d.read_to_end(&mut out).is_ok() {
            streams.push(out);
        } else {
            streams.push(pdf[start..end].to_vec());
        }
        at = end + b"\nendstream".len();
    }
    // Regular's map is written before bold's.
    let maps: Vec<HashMap<u16, char>> = streams
        .iter()
        .filter(|s| find(s, b"begincmap").is_some())
        .map(|s| parse_cmap(s))
        .collect();
    let mut text = String::new();
    for s in streams.iter().filter(|s| find(s, b" Tf").is_some()) {
        let mut font = 0;
        let mut i = 0;
        while i < s.len() {
            match s[i] {
                b'/' if s[i..].starts_with(b"/F2 ") => {
                    font = 1;
                    i += 4;
                }
                b'/' if s[i..].starts_with(b"/F1 ") => {
                    font = 0;
                    i += 4;
                }
                b'(' | b'<' => {
                    let (bytes, next) = if s[i] == b'(' {
                        literal(s, i + 1)
                    } else {
                        hex(s, i + 1)
                    };
                    i = next;
                    let map = maps.get(font);
                    for pair in bytes.chunks(2) {
                        if let [a, b] = pair {
                            let g = u16::from_be_bytes([*a, *b]);
                            text.push(map.and_then(|m| m.get(&g)).copied().unwrap_or('\u{fffd}'));
                        }
                    }
                    text.push('\n');
                }
                _ => i += 1,
            }
        }
    }
    text
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_cmap(s: &[u8]) -> HashMap<u16, char> {
    let text = String::from_utf8_lossy(s);
    let mut map = HashMap::new();
    for line in text.lines() {
        let parts: Vec<&str> = line
            .split(['<', '>'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if let [g, u] = parts[..]
            && g.len() == 4
            && let (Ok(g), Ok(u)) = (u16::from_str_radix(g, 16), u32::from_str_radix(u, 16))
            && let Some(c) = char::from_u32(u)
        {
            map.insert(g, c);
        }
    }
    map
}

fn literal(s: &[u8], mut i: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut depth = 0;
    while i < s.len() {
        match s[i] {
            b'\\' if i + 1 < s.len() => {
                let c = s[i + 1];
                if c.is_ascii_digit() {
                    let digits: Vec<u8> = s[i + 1..]
                        .iter()
                        .take(3)
                        .take_while(|d| d.is_ascii_digit())
                        .copied()
                        .collect();
                    let v = digits.iter().fold(0u32, |a, d| a * 8 + u32::from(d - b'0'));
                    out.push(v as u8);
                    i += 1 + digits.len();
                    continue;
                }
                out.push(match c {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'b' => 8,
                    b'f' => 12,
                    other => other,
                });
                i += 2;
            }
            b'(' => {
                depth += 1;
                out.push(b'(');
                i += 1;
            }
            b')' if depth > 0 => {
                depth -= 1;
                out.push(b')');
                i += 1;
            }
            b')' => return (out, i + 1),
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    (out, i)
}

fn hex(s: &[u8], mut i: usize) -> (Vec<u8>, usize) {
    let mut digits = Vec::new();
    while i < s.len() && s[i] != b'>' {
        if s[i].is_ascii_hexdigit() {
            digits.push(s[i]);
        }
        i += 1;
    }
    let out = digits
        .chunks(2)
        .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect();
    (out, i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_jpeg_sizes_and_refuses_other_files() {
        // A minimal baseline JPEG header: SOI, then SOF0 with 8-bit, 40×20, 3 components.
        let mut jpeg = vec![
            0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x14, 0x00, 0x28, 0x03,
        ];
        jpeg.extend_from_slice(&[0; 12]);
        assert_eq!(jpeg_info(&jpeg), Some((40, 20, 3)));
        assert!(is_usable_jpeg(&jpeg));
        assert!(!is_usable_jpeg(b"\x89PNG\r\n"));
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        let f = Face::new(REGULAR, b"DejaVuSans", b"F1").unwrap();
        let lines = wrap(&f, "Persentase penduduk miskin ekstrem", 10.0, 80.0);
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(lines.iter().all(|l| f.width(l, 10.0) <= 80.0));
        let cut = wrap(&f, &"x".repeat(200), 10.0, 50.0);
        assert!(cut.len() > 3);
    }
}
