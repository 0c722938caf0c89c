//! Bytes to text: .docx (paragraphs of word/document.xml) or plain text in UTF-8 / GB18030.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

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
}

/// Decodes a document: ZIP (docx) by magic bytes, otherwise text by encoding detection.
pub fn decode(bytes: &[u8]) -> Result<String, InputError> {
    if bytes.is_empty() {
        return Err(InputError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return docx_text(bytes);
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
pub fn docx_text(bytes: &[u8]) -> Result<String, InputError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| InputError::BadDocx)?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| InputError::BadDocx)?
        .take(64 * 1024 * 1024)
        .read_to_string(&mut xml)
        .map_err(|_| InputError::BadDocx)?;
    let mut reader = Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == b"w:t" => in_text = true,
            Ok(Event::End(e)) if e.name().as_ref() == b"w:t" => in_text = false,
            Ok(Event::End(e)) if e.name().as_ref() == b"w:p" => out.push('\n'),
            Ok(Event::Empty(e)) if e.name().as_ref() == b"w:br" => out.push('\n'),
            Ok(Event::Empty(e)) if e.name().as_ref() == b"w:tab" => out.push(' '),
            Ok(Event::Text(t)) if in_text => {
                let s = t.unescape().map_err(|_| InputError::BadDocx)?;
                out.push_str(&s);
            }
            Ok(Event::Eof) => break,
            Err(_) => return Err(InputError::BadDocx),
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

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
    fn broken_zip_and_empty_files_are_refused() {
        assert_eq!(decode(b"PK\x03\x04junk"), Err(InputError::BadDocx));
        assert_eq!(decode(b""), Err(InputError::Empty));
    }
}
