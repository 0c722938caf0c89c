//! Hostile .xlsx and .docx files, built in the test (no binary blobs in the repository): each
//! is small on the wire and costly to parse naively. Shared with the CLI's tests by path.

#![allow(dead_code)]

use std::io::{Cursor, Write};

/// The headers of both imports (members, then residents), so a bomb is refused for its
/// bounds, not for a missing column.
pub const HEADERS: [&str; 8] = [
    "所属党组织",
    "姓名",
    "身份证号",
    "民族",
    "入党日期",
    "所属村（社区）党组织",
    "户主姓名",
    "家庭住址",
];

/// A bomb: its name (for messages), the file, and what the refusal must say.
pub struct Bomb {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    pub message: &'static str,
}

/// Writes one part's content into the archive.
type Part = Box<dyn Fn(&mut dyn Write)>;

fn zip_of(entries: Vec<(String, Part)>) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, write) in entries {
            z.start_file(name, options).unwrap();
            write(&mut z);
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

fn text(s: String) -> Part {
    Box::new(move |w: &mut dyn Write| w.write_all(s.as_bytes()).unwrap())
}

/// Writes `repeat` copies of `unit`, about a megabyte at a time.
fn repeated(head: String, unit: String, repeat: usize, tail: String) -> Part {
    Box::new(move |w: &mut dyn Write| {
        w.write_all(head.as_bytes()).unwrap();
        let per_block = ((1 << 20) / unit.len().max(1)).max(1);
        let block = unit.repeat(per_block);
        for _ in 0..repeat / per_block {
            w.write_all(block.as_bytes()).unwrap();
        }
        w.write_all(unit.repeat(repeat % per_block).as_bytes())
            .unwrap();
        w.write_all(tail.as_bytes()).unwrap();
    })
}

/// The same archive with every entry's declared uncompressed size rewritten to 1,000 bytes
/// (local headers and central directory): the sizes a reader checks first now lie.
pub fn lying(mut bytes: Vec<u8>) -> Vec<u8> {
    let mut at = 0;
    while let Some(p) = bytes[at..]
        .windows(4)
        .position(|w| w == b"PK\x03\x04" || w == b"PK\x01\x02")
    {
        let p = at + p;
        let field = if &bytes[p..p + 4] == b"PK\x03\x04" {
            p + 22
        } else {
            p + 24
        };
        if field + 4 <= bytes.len() {
            bytes[field..field + 4].copy_from_slice(&1000u32.to_le_bytes());
        }
        at = p + 4;
    }
    bytes
}

const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

fn header_row() -> String {
    let cells: String = HEADERS
        .iter()
        .enumerate()
        .map(|(i, h)| {
            format!(
                r#"<c r="{}1" t="inlineStr"><is><t>{h}</t></is></c>"#,
                (b'A' + i as u8) as char
            )
        })
        .collect();
    format!(r#"<row r="1">{cells}</row>"#)
}

/// An .xlsx of `sheets` sheets (only the first has a part), the first sheet's XML given as a
/// writer, and shared strings given as a writer.
fn xlsx(sheets: usize, sheet: Part, shared: Option<Part>) -> Vec<u8> {
    let list: String = (1..=sheets)
        .map(|i| format!(r#"<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>"#))
        .collect();
    let mut entries: Vec<(String, Part)> = vec![
        (
            "[Content_Types].xml".into(),
            text(r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.into()),
        ),
        (
            "xl/workbook.xml".into(),
            text(format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook {NS}><sheets>{list}</sheets></workbook>"#)),
        ),
        (
            "xl/_rels/workbook.xml.rels".into(),
            text(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into()),
        ),
        ("xl/worksheets/sheet1.xml".into(), sheet),
    ];
    if let Some(shared) = shared {
        entries.push(("xl/sharedStrings.xml".into(), shared));
    }
    zip_of(entries)
}

fn sheet_of(rows: String) -> Part {
    text(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{}{rows}</sheetData></worksheet>"#,
        header_row()
    ))
}

/// Shared strings that inflate to `mb` megabytes: one string of 'a's.
pub fn shared_strings(mb: usize) -> Vec<u8> {
    let shared = repeated(
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="1" uniqueCount="1"><si><t>"#
        ),
        "a".repeat(1024),
        mb * 1024,
        "</t></si></sst>".into(),
    );
    let rows = r#"<row r="2"><c r="A2" t="s"><v>0</v></c></row>"#.to_string();
    xlsx(1, sheet_of(rows), Some(shared))
}

/// Many cells each naming one 1,000-character shared string: small when inflated (about
/// 15 MB), gigabytes when every cell's text is held.
pub fn many_cells() -> Vec<u8> {
    let shared = text(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="1" uniqueCount="1"><si><t>{}</t></si></sst>"#,
        "党".repeat(1000)
    ));
    let row: String = (0..5)
        .map(|c| format!(r#"<c r="{}{{R}}" t="s"><v>0</v></c>"#, (b'A' + c) as char))
        .collect();
    let sheet = Box::new(move |w: &mut dyn Write| {
        write!(
            w,
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{}"#,
            header_row()
        )
        .unwrap();
        let mut chunk = String::new();
        for r in 2..40_000 {
            chunk.push_str(&format!(r#"<row r="{r}">"#));
            chunk.push_str(&row.replace("{R}", &r.to_string()));
            chunk.push_str("</row>");
            if chunk.len() > 1 << 20 {
                w.write_all(chunk.as_bytes()).unwrap();
                chunk.clear();
            }
        }
        w.write_all(chunk.as_bytes()).unwrap();
        w.write_all(b"</sheetData></worksheet>").unwrap();
    });
    xlsx(1, sheet, Some(shared))
}

/// More data rows than the rule allows (60,000 against 50,000), each one short cell.
pub fn many_rows() -> Vec<u8> {
    let sheet = Box::new(move |w: &mut dyn Write| {
        write!(
            w,
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{}"#,
            header_row()
        )
        .unwrap();
        let mut chunk = String::new();
        for r in 2..60_003 {
            chunk.push_str(&format!(r#"<row r="{r}"><c r="B{r}"><v>{r}</v></c></row>"#));
            if chunk.len() > 1 << 20 {
                w.write_all(chunk.as_bytes()).unwrap();
                chunk.clear();
            }
        }
        w.write_all(chunk.as_bytes()).unwrap();
        w.write_all(b"</sheetData></worksheet>").unwrap();
    });
    xlsx(1, sheet, None)
}

/// A row wider than the rule allows (200 columns against 64).
pub fn many_columns() -> Vec<u8> {
    let cells: String = (0..200).map(|_| "<c><v>1</v></c>".to_string()).collect();
    xlsx(1, sheet_of(format!(r#"<row r="2">{cells}</row>"#)), None)
}

/// 5,000 sheets in the workbook's list.
pub fn many_sheets() -> Vec<u8> {
    let rows = r#"<row r="2"><c r="B2"><v>1</v></c></row>"#.to_string();
    xlsx(5_000, sheet_of(rows), None)
}

/// 20,000 empty parts in the archive.
pub fn many_parts() -> Vec<u8> {
    let mut entries: Vec<(String, Part)> = Vec::new();
    for i in 0..20_000 {
        entries.push((format!("x/{i}.xml"), text(String::new())));
    }
    zip_of(entries)
}

/// One inline cell of 5 MB of text.
pub fn huge_cell() -> Vec<u8> {
    let sheet = repeated(
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{}<row r="2"><c r="B2" t="inlineStr"><is><t>"#,
            header_row()
        ),
        "长".repeat(1024),
        1700,
        "</t></is></c></row></sheetData></worksheet>".into(),
    );
    xlsx(1, sheet, None)
}

/// XML nested 100,000 deep inside the sheet.
pub fn deep_xml() -> Vec<u8> {
    let sheet = Box::new(move |w: &mut dyn Write| {
        write!(
            w,
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{}"#,
            header_row()
        )
        .unwrap();
        w.write_all("<row r=\"2\">".as_bytes()).unwrap();
        w.write_all("<x>".repeat(100_000).as_bytes()).unwrap();
        w.write_all("</x>".repeat(100_000).as_bytes()).unwrap();
        w.write_all(b"</row></sheetData></worksheet>").unwrap();
    });
    xlsx(1, sheet, None)
}

/// The spreadsheet bombs and the words each refusal must contain (default rules).
pub fn spreadsheets() -> Vec<Bomb> {
    vec![
        Bomb {
            name: "shared strings expanding to 600 MB",
            bytes: shared_strings(600),
            message: "文件解压后过大（超过50MB）",
        },
        Bomb {
            name: "shared strings expanding to 600 MB, declared as 1,000 bytes",
            bytes: lying(shared_strings(600)),
            message: "文件解压后过大（超过50MB）",
        },
        Bomb {
            name: "many cells naming one long string",
            bytes: many_cells(),
            message: "文件解压后过大（超过50MB）",
        },
        Bomb {
            name: "many rows",
            bytes: many_rows(),
            message: "数据行过多（超过50000行）",
        },
        Bomb {
            name: "many columns",
            bytes: many_columns(),
            message: "超过64列",
        },
        Bomb {
            name: "many sheets",
            bytes: many_sheets(),
            message: "工作表过多（超过20个）",
        },
        Bomb {
            name: "many parts",
            bytes: many_parts(),
            message: "部件过多（超过10000个）",
        },
        Bomb {
            name: "a huge single cell",
            bytes: huge_cell(),
            message: "内容过长（超过1000字）",
        },
        Bomb {
            name: "deep XML",
            bytes: deep_xml(),
            message: "层级过深（超过100层）",
        },
    ]
}

fn docx_of(document: Part) -> Vec<u8> {
    zip_of(vec![("word/document.xml".into(), document)])
}

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

/// Plan documents: a paragraph expanding to 600 MB, deep XML, many parts.
pub fn documents() -> Vec<Bomb> {
    vec![
        Bomb {
            name: "a .docx expanding to 600 MB",
            bytes: docx_of(repeated(
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body><w:p><w:r><w:t>"#
                ),
                "a".repeat(1024),
                600 * 1024,
                "</w:t></w:r></w:p></w:body></w:document>".into(),
            )),
            message: "文件解压后过大（超过50MB）",
        },
        Bomb {
            name: "a .docx nested 100,000 deep",
            bytes: docx_of(Box::new(|w: &mut dyn Write| {
                write!(w, r#"<w:document {W}><w:body>"#).unwrap();
                w.write_all("<w:p>".repeat(100_000).as_bytes()).unwrap();
                w.write_all("</w:p>".repeat(100_000).as_bytes()).unwrap();
                w.write_all(b"</w:body></w:document>").unwrap();
            })),
            message: "层级过深（超过100层）",
        },
        Bomb {
            name: "a .docx of 20,000 parts",
            bytes: many_parts(),
            message: "部件过多（超过10000个）",
        },
    ]
}
