//! A streaming reader of the first sheet of an .xlsx (outside input: bounded, fuzzed, never
//! panics). The archive is checked before anything is inflated
//! (`xianfeng_plan::archive`); the sheet list, shared strings and the sheet are read as XML
//! events, rows are handed to the caller one at a time and never held as a sheet; every
//! bound is a county rule (`SheetLimits::from_rules`) and a file past one is refused with a
//! Chinese message naming the limit.

use std::collections::HashMap;
use std::io::BufReader;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use xianfeng_domain::rules::Rules;
use xianfeng_plan::archive::{self, Archive, ArchiveError, Depth, Limits};

/// What one spreadsheet may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetLimits {
    /// The archive: its inflated size (all parts), entries and XML depth. The text of the cells
    /// handed to the caller is held to the same size.
    pub archive: Limits,
    pub sheets: usize,
    /// Data rows (non-blank rows under the header).
    pub rows: usize,
    pub columns: usize,
    pub cell_chars: usize,
}

impl SheetLimits {
    pub fn from_rules(r: &Rules) -> SheetLimits {
        let positive = |v: i64| v.max(1) as usize;
        SheetLimits {
            archive: Limits {
                max_expanded: r.upload_max_expanded_bytes.max(1) as u64,
                ..Limits::default()
            },
            sheets: positive(r.import_max_sheets),
            rows: positive(r.import_max_rows),
            columns: positive(r.import_max_columns),
            cell_chars: positive(r.import_max_cell_chars),
        }
    }
}

impl Default for SheetLimits {
    fn default() -> Self {
        SheetLimits::from_rules(&Rules::default())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SheetError {
    #[error("文件不是有效的 .xlsx 表格，请使用下载的模板填写后上传")]
    NotXlsx,
    #[error("表格中没有工作表")]
    NoSheet,
    #[error("{0}")]
    Archive(ArchiveError),
    #[error("表格中的工作表过多（超过{0}个），请只保留要导入的工作表")]
    Sheets(usize),
    #[error("表格数据行过多（超过{0}行），请分批导入")]
    Rows(usize),
    #[error("表格列数过多（第{cell}格超过{max}列），请使用下载的模板")]
    Columns { cell: String, max: usize },
    #[error("单元格{cell}内容过长（超过{max}字）")]
    CellTooLong { cell: String, max: usize },
}

impl From<ArchiveError> for SheetError {
    fn from(e: ArchiveError) -> Self {
        match e {
            ArchiveError::Broken | ArchiveError::Missing(_) => SheetError::NotXlsx,
            other => SheetError::Archive(other),
        }
    }
}

/// One non-blank row of the first sheet: its spreadsheet row number (1-based) and the text
/// of its non-empty cells by column (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<(usize, String)>,
}

/// Streams the non-blank rows of the first sheet to `each`, in order. Stops at the first
/// bound passed, or at `each`'s first error.
pub fn for_each_row<E: From<SheetError>>(
    bytes: &[u8],
    limits: &SheetLimits,
    mut each: impl FnMut(Row) -> Result<(), E>,
) -> Result<(), E> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(SheetError::NotXlsx.into());
    }
    let mut zip = Archive::open(bytes, limits.archive).map_err(SheetError::from)?;
    let sheet = first_sheet(&mut zip, limits)?;
    let strings = if zip.has(SHARED) {
        shared_strings(&mut zip, limits)?
    } else {
        Strings::default()
    };
    let dates = if zip.has(STYLES) {
        date_styles(&mut zip, limits)?
    } else {
        Vec::new()
    };
    let mut held: u64 = 0;
    let mut rows = 0usize;
    let budget = limits.archive.max_expanded;
    let mut each = |row: Row| -> Result<(), E> {
        held = held.saturating_add(
            row.cells
                .iter()
                .map(|(_, t)| t.len() as u64 + 32)
                .sum::<u64>(),
        );
        if held > budget {
            return Err(SheetError::Archive(ArchiveError::Expanded(budget)).into());
        }
        // The first non-blank row is the header; the rows under it are counted.
        if rows > limits.rows {
            return Err(SheetError::Rows(limits.rows).into());
        }
        rows += 1;
        each(row)
    };
    stream_sheet(&mut zip, &sheet, limits, &strings, &dates, &mut each)
}

const WORKBOOK: &str = "xl/workbook.xml";
const WORKBOOK_RELS: &str = "xl/_rels/workbook.xml.rels";
const SHARED: &str = "xl/sharedStrings.xml";
const STYLES: &str = "xl/styles.xml";

/// Reads one entry as XML events, depth-checked, calling `f` with each; a read failure is
/// reported as the budget running out or a damaged file.
fn events(
    zip: &mut Archive<'_>,
    name: &str,
    limits: &SheetLimits,
    mut f: impl FnMut(&Event<'_>) -> Result<bool, SheetError>,
) -> Result<(), SheetError> {
    let mut entry = zip.entry(name).map_err(SheetError::from)?;
    let mut reader = Reader::from_reader(BufReader::new(&mut entry));
    let mut depth = Depth::new(limits.archive.max_depth);
    let mut buf = Vec::new();
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(_) => {
                drop(reader);
                return Err(entry.error().into());
            }
        };
        depth.track(&event).map_err(SheetError::from)?;
        if event == Event::Eof || !f(&event)? {
            return Ok(());
        }
        buf.clear();
    }
}

fn attr(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| value(&a))
            .flatten()
    })
}

/// An attribute's value, unescaped.
fn value(a: &quick_xml::events::attributes::Attribute<'_>) -> Option<String> {
    let raw = std::str::from_utf8(&a.value).ok()?;
    quick_xml::escape::unescape(raw)
        .ok()
        .map(|v| v.into_owned())
}

/// The path of the first sheet, after checking the number of sheets.
fn first_sheet(zip: &mut Archive<'_>, limits: &SheetLimits) -> Result<String, SheetError> {
    if !zip.has(WORKBOOK) {
        return Err(SheetError::NotXlsx);
    }
    let mut count = 0usize;
    let mut first: Option<String> = None;
    events(zip, WORKBOOK, limits, |e| {
        if let Event::Start(s) | Event::Empty(s) = e {
            if s.local_name().as_ref() == b"sheet" {
                count += 1;
                if count > limits.sheets {
                    return Err(SheetError::Sheets(limits.sheets));
                }
                if first.is_none() {
                    // r:id, whatever the prefix; `sheetId` has another local name.
                    first = s.attributes().flatten().find_map(|a| {
                        (a.key.local_name().as_ref() == b"id" && a.key.prefix().is_some())
                            .then(|| value(&a))
                            .flatten()
                    });
                    first.get_or_insert_with(String::new);
                }
            }
        }
        Ok(true)
    })?;
    let Some(rid) = first else {
        return Err(SheetError::NoSheet);
    };
    let mut target: Option<String> = None;
    if zip.has(WORKBOOK_RELS) && !rid.is_empty() {
        events(zip, WORKBOOK_RELS, limits, |e| {
            if let Event::Start(s) | Event::Empty(s) = e {
                if s.local_name().as_ref() == b"Relationship"
                    && attr(s, b"Id").as_deref() == Some(rid.as_str())
                {
                    target = attr(s, b"Target");
                    return Ok(false);
                }
            }
            Ok(true)
        })?;
    }
    let path = match target {
        Some(t) if t.starts_with('/') => t.trim_start_matches('/').to_string(),
        Some(t) => format!("xl/{t}"),
        None => "xl/worksheets/sheet1.xml".to_string(),
    };
    if !zip.has(&path) {
        return Err(SheetError::NotXlsx);
    }
    Ok(path)
}

/// The shared strings, packed in one buffer. A string longer than a cell may be is kept
/// only to one character past the limit (enough to refuse it if a cell uses it).
#[derive(Default)]
struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = match i {
            0 => 0,
            _ => *self.ends.get(i - 1)? as usize,
        };
        self.text.get(start..end)
    }
}

fn shared_strings(zip: &mut Archive<'_>, limits: &SheetLimits) -> Result<Strings, SheetError> {
    let mut out = Strings::default();
    let (mut in_si, mut in_t, mut in_rph) = (false, false, false);
    let mut chars = 0usize;
    let keep = limits.cell_chars + 1;
    events(zip, SHARED, limits, |e| {
        match e {
            Event::Start(s) => match s.local_name().as_ref() {
                b"si" => {
                    in_si = true;
                    chars = 0;
                }
                b"t" => in_t = true,
                b"rPh" => in_rph = true,
                _ => {}
            },
            Event::Empty(s) if s.local_name().as_ref() == b"si" => {
                out.ends.push(out.text.len() as u32);
            }
            Event::End(s) => match s.local_name().as_ref() {
                b"si" => {
                    in_si = false;
                    out.ends.push(out.text.len() as u32);
                }
                b"t" => in_t = false,
                b"rPh" => in_rph = false,
                _ => {}
            },
            Event::Text(t) if in_si && in_t && !in_rph && chars < keep => {
                let s = t.unescape().map_err(|_| SheetError::NotXlsx)?;
                for c in s.chars().take(keep - chars) {
                    out.text.push(c);
                    chars += 1;
                }
            }
            Event::CData(t) if in_si && in_t && !in_rph && chars < keep => {
                let s = String::from_utf8_lossy(t);
                for c in s.chars().take(keep - chars) {
                    out.text.push(c);
                    chars += 1;
                }
            }
            _ => {}
        }
        if out.text.len() > u32::MAX as usize / 2 {
            return Err(ArchiveError::Expanded(limits.archive.max_expanded).into());
        }
        Ok(true)
    })?;
    Ok(out)
}

/// For each cell style (`s="n"`), whether its number format shows a date.
fn date_styles(zip: &mut Archive<'_>, limits: &SheetLimits) -> Result<Vec<bool>, SheetError> {
    let mut custom: HashMap<u32, bool> = HashMap::new();
    let mut ids: Vec<u32> = Vec::new();
    let mut in_xfs = false;
    events(zip, STYLES, limits, |e| {
        match e {
            Event::Start(s) | Event::Empty(s) => match s.local_name().as_ref() {
                b"numFmt" => {
                    if let (Some(id), Some(code)) = (attr(s, b"numFmtId"), attr(s, b"formatCode")) {
                        if let Ok(id) = id.parse() {
                            custom.insert(id, is_date_format(&code));
                        }
                    }
                }
                b"cellXfs" => in_xfs = matches!(e, Event::Start(_)),
                b"xf" if in_xfs && ids.len() <= u16::MAX as usize => {
                    ids.push(
                        attr(s, b"numFmtId")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0),
                    );
                }
                _ => {}
            },
            Event::End(s) if s.local_name().as_ref() == b"cellXfs" => in_xfs = false,
            _ => {}
        }
        Ok(true)
    })?;
    Ok(ids
        .into_iter()
        .map(|id| {
            custom
                .get(&id)
                .copied()
                .unwrap_or(matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58))
        })
        .collect())
}

/// Whether a number format shows a date or time: a d, m, y, h or s outside quotes, brackets
/// and escapes.
fn is_date_format(code: &str) -> bool {
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' | '_' | '*' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            c if !quoted && !bracket && "dmyhsDMYHS".contains(c) => return true,
            _ => {}
        }
    }
    false
}

/// Column index (0-based) of a cell reference (`AB12` → 27), if it has letters.
fn column_of(reference: &str) -> Option<usize> {
    let letters: Vec<u8> = reference
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic())
        .collect();
    if letters.is_empty() || letters.len() > 4 {
        return None;
    }
    let n = letters.iter().fold(0usize, |n, b| {
        n * 26 + (b.to_ascii_uppercase() - b'A') as usize + 1
    });
    Some(n - 1)
}

/// A cell reference for messages (column 27, row 12 → AB12).
pub fn cell_name(col: usize, row: usize) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

/// An Excel serial day as an ISO date.
pub fn excel_serial_to_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_days(chrono::Days::new(serial.floor() as u64))
        .map(|d| d.to_string())
}

/// A number cell as text: whole numbers without a decimal point, dates as ISO dates.
fn number_text(raw: &str, date: bool) -> String {
    let Ok(f) = raw.trim().parse::<f64>() else {
        return raw.trim().to_string();
    };
    if date {
        return excel_serial_to_date(f).unwrap_or_default();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

#[derive(Default)]
struct Cell {
    col: usize,
    kind: String,
    style: usize,
    value: String,
    chars: usize,
    /// Text of `<v>` or of `<t>` in an inline string is being read.
    reading: bool,
}

fn stream_sheet<E: From<SheetError>>(
    zip: &mut Archive<'_>,
    path: &str,
    limits: &SheetLimits,
    strings: &Strings,
    dates: &[bool],
    each: &mut impl FnMut(Row) -> Result<(), E>,
) -> Result<(), E> {
    let mut failed: Option<E> = None;
    let mut row: Option<Row> = None;
    let mut last_row = 0usize;
    let mut cell: Option<Cell> = None;
    let mut next_col = 0usize;
    let max_chars = limits.cell_chars;
    let mut in_rph = false;
    let read = events(zip, path, limits, |e| {
        match e {
            Event::Start(s) | Event::Empty(s) => match s.local_name().as_ref() {
                b"row" => {
                    let number = attr(s, b"r")
                        .and_then(|r| r.parse::<usize>().ok())
                        .unwrap_or(last_row + 1);
                    last_row = number;
                    next_col = 0;
                    if matches!(e, Event::Start(_)) {
                        row = Some(Row {
                            number,
                            cells: Vec::new(),
                        });
                    }
                }
                b"c" => {
                    let col = attr(s, b"r")
                        .and_then(|r| column_of(&r))
                        .unwrap_or(next_col);
                    next_col = col + 1;
                    if matches!(e, Event::Start(_)) {
                        cell = Some(Cell {
                            col,
                            kind: attr(s, b"t").unwrap_or_default(),
                            style: attr(s, b"s").and_then(|v| v.parse().ok()).unwrap_or(0),
                            ..Cell::default()
                        });
                    }
                }
                b"v" | b"t" if matches!(e, Event::Start(_)) && !in_rph => {
                    if let Some(c) = cell.as_mut() {
                        c.reading = true;
                    }
                }
                b"rPh" if matches!(e, Event::Start(_)) => in_rph = true,
                _ => {}
            },
            Event::Text(t) => {
                if let Some(c) = cell.as_mut().filter(|c| c.reading) {
                    let s = t.unescape().map_err(|_| SheetError::NotXlsx)?;
                    c.chars += s.chars().count();
                    if c.chars > max_chars {
                        return Err(SheetError::CellTooLong {
                            cell: cell_name(c.col, last_row),
                            max: max_chars,
                        });
                    }
                    c.value.push_str(&s);
                }
            }
            Event::End(s) => match s.local_name().as_ref() {
                b"v" | b"t" => {
                    if let Some(c) = cell.as_mut() {
                        c.reading = false;
                    }
                }
                b"rPh" => in_rph = false,
                b"c" => {
                    let Some(c) = cell.take() else {
                        return Ok(true);
                    };
                    let text = match c.kind.as_str() {
                        "s" => {
                            let i: usize =
                                c.value.trim().parse().map_err(|_| SheetError::NotXlsx)?;
                            strings
                                .get(i)
                                .ok_or(SheetError::NotXlsx)?
                                .trim()
                                .to_string()
                        }
                        "str" | "inlineStr" => c.value.trim().to_string(),
                        "b" => match c.value.trim() {
                            "1" => "true".to_string(),
                            "0" => "false".to_string(),
                            _ => String::new(),
                        },
                        "e" => String::new(),
                        "d" => c.value.trim().chars().take(10).collect(),
                        _ => number_text(&c.value, dates.get(c.style).copied().unwrap_or(false)),
                    };
                    if text.is_empty() {
                        return Ok(true);
                    }
                    if text.chars().count() > max_chars {
                        return Err(SheetError::CellTooLong {
                            cell: cell_name(c.col, last_row),
                            max: max_chars,
                        });
                    }
                    if c.col >= limits.columns {
                        return Err(SheetError::Columns {
                            cell: cell_name(c.col, last_row),
                            max: limits.columns,
                        });
                    }
                    if let Some(r) = row.as_mut() {
                        // A row never holds more cells than the sheet may have columns, even
                        // when a file repeats one column.
                        if r.cells.len() >= limits.columns {
                            return Err(SheetError::Columns {
                                cell: cell_name(c.col, last_row),
                                max: limits.columns,
                            });
                        }
                        r.cells.push((c.col, text));
                    }
                }
                b"row" => {
                    if let Some(r) = row.take().filter(|r| !r.cells.is_empty()) {
                        if let Err(e) = each(r) {
                            failed = Some(e);
                            return Ok(false);
                        }
                    }
                }
                b"sheetData" => return Ok(false),
                _ => {}
            },
            _ => {}
        }
        Ok(true)
    });
    if let Some(e) = failed {
        return Err(e);
    }
    read.map_err(E::from)
}

/// Megabytes of a byte count, for messages.
pub fn mb(bytes: u64) -> u64 {
    archive::mb(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_and_names_round_trip() {
        assert_eq!(column_of("A1"), Some(0));
        assert_eq!(column_of("AB12"), Some(27));
        assert_eq!(column_of("12"), None);
        assert_eq!(cell_name(27, 12), "AB12");
        assert_eq!(cell_name(0, 1), "A1");
        for col in [0, 25, 26, 701, 702, 16_383] {
            assert_eq!(column_of(&cell_name(col, 3)), Some(col));
        }
    }

    #[test]
    fn date_formats_are_told_from_number_formats() {
        assert!(is_date_format("yyyy-mm-dd"));
        assert!(is_date_format("[$-804]yyyy\"年\"m\"月\"d\"日\""));
        assert!(!is_date_format("0.00"));
        assert!(!is_date_format("\"天\"0"));
        assert!(!is_date_format("[Red]0"));
        assert!(!is_date_format("@"));
    }

    #[test]
    fn numbers_read_like_the_sheet_shows_them() {
        assert_eq!(number_text("1980", false), "1980");
        assert_eq!(number_text("1.5", false), "1.5");
        assert_eq!(number_text("45658", true), "2025-01-01");
        assert_eq!(excel_serial_to_date(-3.0), None);
    }

    fn rows_of(bytes: &[u8], limits: &SheetLimits) -> Result<Vec<Row>, SheetError> {
        let mut out = Vec::new();
        for_each_row(bytes, limits, |r| -> Result<(), SheetError> {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    /// The same cells as calamine reads them (the reader this one replaced), as text.
    fn calamine_rows(bytes: &[u8]) -> Vec<Row> {
        use calamine::{Data, Reader};
        let mut book: calamine::Xlsx<_> =
            calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        range
            .rows()
            .enumerate()
            .map(|(i, r)| Row {
                number: r0 as usize + i + 1,
                cells: r
                    .iter()
                    .enumerate()
                    .filter_map(|(j, d)| {
                        let t = match d {
                            Data::String(s) => s.trim().to_string(),
                            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                                format!("{}", *f as i64)
                            }
                            Data::Float(f) => f.to_string(),
                            Data::Int(i) => i.to_string(),
                            Data::DateTime(dt) => {
                                excel_serial_to_date(dt.as_f64()).unwrap_or_default()
                            }
                            _ => String::new(),
                        };
                        (!t.is_empty()).then(|| (c0 as usize + j, t))
                    })
                    .collect(),
            })
            .filter(|r| !r.cells.is_empty())
            .collect()
    }

    #[test]
    fn rows_read_like_calamine_read_them_strings_numbers_and_dates() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "姓名").unwrap();
        ws.write_string(0, 2, "入党日期").unwrap();
        ws.write_string(1, 0, " 张三 ").unwrap();
        ws.write_number(1, 1, 1980.0).unwrap();
        ws.write_number_with_format(1, 2, 45658.0, &date).unwrap();
        ws.write_number(3, 1, 2.5).unwrap();
        ws.write_string(3, 3, "a&b<c>").unwrap();
        wb.add_worksheet().write_string(0, 0, "其他").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let rows = rows_of(&bytes, &SheetLimits::default()).unwrap();
        assert_eq!(rows, calamine_rows(&bytes));
        assert_eq!(rows[1].cells[0], (0, "张三".to_string()));
        assert_eq!(rows[1].cells[2], (2, "2025-01-01".to_string()));
        assert_eq!(rows[2].number, 4, "a blank row is skipped, numbers kept");
    }

    #[test]
    fn each_bound_is_refused_naming_its_limit() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for r in 0..5u32 {
            for c in 0..4u16 {
                ws.write_string(r, c, "一二三").unwrap();
            }
        }
        wb.add_worksheet();
        let bytes = wb.save_to_buffer().unwrap();
        let base = SheetLimits::default();
        assert_eq!(rows_of(&bytes, &base).unwrap().len(), 5);
        let with = |f: fn(&mut SheetLimits)| {
            let mut l = base;
            f(&mut l);
            rows_of(&bytes, &l).unwrap_err().to_string()
        };
        assert_eq!(
            with(|l| l.rows = 3),
            "表格数据行过多（超过3行），请分批导入"
        );
        assert!(with(|l| l.columns = 3).contains("第D1格超过3列"));
        assert_eq!(with(|l| l.cell_chars = 2), "单元格A1内容过长（超过2字）");
        assert!(with(|l| l.sheets = 1).contains("工作表过多（超过1个）"));
        assert!(with(|l| l.archive.max_expanded = 1000).starts_with("文件解压后过大"));
    }

    proptest::proptest! {
        #[test]
        fn any_written_cells_stream_back_as_written(
            cells in proptest::collection::vec(
                (0u32..30, 0u16..10, "[a-z0-9党员 ]{0,12}"),
                0..40,
            )
        ) {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            let mut expected = std::collections::BTreeMap::new();
            for (r, c, t) in &cells {
                let at = (*r as usize + 1, *c as usize);
                if expected.contains_key(&at) {
                    continue; // one write per cell
                }
                ws.write_string(*r, *c, t).unwrap();
                expected.insert(at, t.trim().to_string());
            }
            expected.retain(|_, t| !t.is_empty());
            let bytes = wb.save_to_buffer().unwrap();
            let got: std::collections::BTreeMap<_, _> = rows_of(&bytes, &SheetLimits::default())
                .unwrap()
                .into_iter()
                .flat_map(|r| r.cells.into_iter().map(move |(c, t)| ((r.number, c), t)))
                .collect();
            proptest::prop_assert_eq!(got, expected);
        }

        #[test]
        fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let _ = rows_of(&bytes, &SheetLimits::default());
            bytes.splice(0..0, b"PK\x03\x04".iter().copied());
            let _ = rows_of(&bytes, &SheetLimits::default());
        }
    }
}
