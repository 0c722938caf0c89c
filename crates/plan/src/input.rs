//! Bytes to text: .docx (paragraphs of word/document.xml) or plain text in UTF-8 / GB18030.

use std::io::BufReader;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::archive::{Archive, ArchiveError, Depth, Limits};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
    #[error("无法读取 .docx 文件（文件损坏或不是 Word 文档）")]
    BadDocx,
    #[error("文件为空")]
    Empty,
    #[error("无法识别文件编码（应为 UTF-8 或 GB18030 文本，或 .docx）")]
    Encoding,
    /// The text was read but has no outline to show (see `crate::parse_outlined`).
    #[error("无法识别提纲：{0}")]
    NoOutline(String),
    /// The .docx would cost more than its limits (expanded size, parts, nesting).
    #[error("{0}")]
    TooCostly(ArchiveError),
}

impl From<ArchiveError> for InputError {
    fn from(e: ArchiveError) -> Self {
        match e {
            ArchiveError::Broken | ArchiveError::Missing(_) => InputError::BadDocx,
            other => InputError::TooCostly(other),
        }
    }
}

/// Decodes a document: ZIP (docx) by magic bytes, otherwise text by encoding detection.
/// A .docx is read within the default `Limits`.
pub fn decode(bytes: &[u8]) -> Result<String, InputError> {
    decode_within(bytes, Limits::default())
}

/// `decode` with a .docx read within `limits`.
pub fn decode_within(bytes: &[u8], limits: Limits) -> Result<String, InputError> {
    if bytes.is_empty() {
        return Err(InputError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return docx_text(bytes, limits);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(body) {
        return Ok(s.to_string());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(body);
    if had_errors {
        return Err(InputError::Encoding);
    }
    Ok(text.into_owned())
}

/// The text of `word/document.xml`, one line per paragraph (`w:p`), tabs and breaks kept.
/// The archive is checked before inflating and the XML is streamed, never held whole: the
/// text kept is at most what the document inflates to, which `limits` bounds.
pub fn docx_text(bytes: &[u8], limits: Limits) -> Result<String, InputError> {
    let mut zip = Archive::open(bytes, limits)?;
    let mut entry = zip.entry("word/document.xml")?;
    let mut reader = Reader::from_reader(BufReader::new(&mut entry));
    let mut depth = Depth::new(limits.max_depth);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_text = false;
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(_) => {
                drop(reader);
                return Err(entry.error().into());
            }
        };
        depth.track(&event)?;
        match event {
            Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            Event::End(e) if e.name().as_ref() == b"w:p" => out.push('\n'),
            Event::Empty(e) if e.name().as_ref() == b"w:br" => out.push('\n'),
            Event::Empty(e) if e.name().as_ref() == b"w:tab" => out.push(' '),
            Event::Text(t) if in_text => {
                let s = t.unescape().map_err(|_| InputError::BadDocx)?;
                out.push_str(&s);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn docx(paragraphs: &[&str]) -> Vec<u8> {
        let body: String = paragraphs
            .iter()
            .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
            .collect();
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        );
        let mut buf = Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file::<_, ()>("word/document.xml", zip::write::FileOptions::default())
            .unwrap();
        z.write_all(xml.as_bytes()).unwrap();
        z.finish().unwrap();
        buf.into_inner()
    }

    #[test]
    fn docx_paragraphs_become_lines() {
        let t = decode(&docx(&["一、总体要求", "坚持&lt;标准&gt;。"])).unwrap();
        assert_eq!(t, "一、总体要求\n坚持<标准>。\n");
    }

    #[test]
    fn gb18030_text_is_detected() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("一、总体要求");
        assert_eq!(decode(&bytes).unwrap(), "一、总体要求");
        assert_eq!(decode("\u{feff}方案".as_bytes()).unwrap(), "方案");
    }

    #[test]
    fn a_docx_bomb_and_deep_xml_are_refused_naming_the_limit() {
        // 600 KB of one paragraph compresses to under 1 KB.
        let bomb = docx(&["党".repeat(200_000).as_str()]);
        let limits = Limits {
            max_expanded: 100_000,
            ..Limits::default()
        };
        let e = decode_within(&bomb, limits).unwrap_err();
        assert_eq!(e, InputError::TooCostly(ArchiveError::Expanded(100_000)));
        assert!(e.to_string().starts_with("文件解压后过大"), "{e}");
        assert!(decode(&bomb).is_ok(), "the default limit reads it");
        let deep = docx(&[format!("{}x{}", "<w:r>".repeat(150), "</w:r>".repeat(150)).as_str()]);
        assert_eq!(
            decode(&deep).unwrap_err(),
            InputError::TooCostly(ArchiveError::Depth(100))
        );
    }

    #[test]
    fn broken_zip_and_empty_files_are_refused() {
        assert_eq!(decode(b"PK\x03\x04junk"), Err(InputError::BadDocx));
        assert_eq!(decode(b""), Err(InputError::Empty));
    }
}
