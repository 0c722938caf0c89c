//! Zip archives from outside (.docx plans, .xlsx imports) opened with a bound on what they may
//! cost: the number of entries and the sum of their declared sizes are checked from the
//! central directory before anything is inflated, and every byte actually inflated is counted
//! against the same budget (declared sizes can lie). XML read from an archive is refused past
//! a nesting depth.

use std::cell::Cell;
use std::io::{Cursor, Read};
use std::rc::Rc;

use quick_xml::events::Event;

/// The most entries an archive may hold. An .xlsx or .docx has a few dozen.
pub const MAX_ENTRIES: usize = 10_000;
/// The deepest XML nesting read. Real documents stay under 20.
pub const MAX_XML_DEPTH: usize = 100;

/// What an archive may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes all entries together may inflate to.
    pub max_expanded: u64,
    pub max_entries: usize,
    pub max_depth: usize,
}

impl Default for Limits {
    /// 50 MB, the default of the rule `upload_max_expanded_bytes`.
    fn default() -> Self {
        Limits {
            max_expanded: 50 * 1024 * 1024,
            max_entries: MAX_ENTRIES,
            max_depth: MAX_XML_DEPTH,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArchiveError {
    /// Not a zip archive, or a damaged one.
    #[error("文件已损坏或不是有效的压缩格式")]
    Broken,
    #[error("文件解压后过大（超过{}MB）", mb(*.0))]
    Expanded(u64),
    #[error("文件包含的部件过多（超过{0}个）")]
    Entries(usize),
    #[error("文件内容层级过深（超过{0}层）")]
    Depth(usize),
    /// An entry the format needs is absent.
    #[error("文件缺少“{0}”部分")]
    Missing(String),
}

/// Megabytes for messages, rounded up (a limit of 50 MB reads 50, not 49.99).
pub fn mb(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

/// An archive opened within its limits. Entries are read through `entry`, which counts the
/// inflated bytes against what is left of the budget.
pub struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
    spent: Rc<Cell<u64>>,
}

impl<'a> Archive<'a> {
    /// Opens `bytes` and checks the central directory: at most `max_entries` entries whose
    /// declared sizes add up to at most `max_expanded`. Nothing is inflated yet.
    pub fn open(bytes: &'a [u8], limits: Limits) -> Result<Archive<'a>, ArchiveError> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ArchiveError::Broken)?;
        if zip.len() > limits.max_entries {
            return Err(ArchiveError::Entries(limits.max_entries));
        }
        let mut declared: u64 = 0;
        for i in 0..zip.len() {
            let size = zip
                .by_index_raw(i)
                .map_err(|_| ArchiveError::Broken)?
                .size();
            declared = declared.saturating_add(size);
            if declared > limits.max_expanded {
                return Err(ArchiveError::Expanded(limits.max_expanded));
            }
        }
        Ok(Archive {
            zip,
            limits,
            spent: Rc::new(Cell::new(0)),
        })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Whether an entry of this name exists.
    pub fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// The names of the entries, in the archive's order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.zip.file_names()
    }

    /// A reader of one entry's inflated bytes that fails once the archive's budget is spent.
    pub fn entry(
        &mut self,
        name: &str,
    ) -> Result<Bounded<zip::read::ZipFile<'_, Cursor<&'a [u8]>>>, ArchiveError> {
        let file = self
            .zip
            .by_name(name)
            .map_err(|_| ArchiveError::Missing(name.to_string()))?;
        Ok(Bounded {
            inner: file,
            spent: self.spent.clone(),
            limit: self.limits.max_expanded,
            over: false,
        })
    }

    /// One entry read whole (for small parts: relationships, the workbook's sheet list).
    pub fn read_all(&mut self, name: &str) -> Result<Vec<u8>, ArchiveError> {
        let mut out = Vec::new();
        let mut r = self.entry(name)?;
        match r.read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(_) => Err(r.error()),
        }
    }
}

/// An entry's reader that counts the bytes it inflates against the archive's budget.
pub struct Bounded<R> {
    inner: R,
    spent: Rc<Cell<u64>>,
    limit: u64,
    over: bool,
}

impl<R> Bounded<R> {
    /// Why the last read failed: the budget, or a damaged entry.
    pub fn error(&self) -> ArchiveError {
        if self.over {
            ArchiveError::Expanded(self.limit)
        } else {
            ArchiveError::Broken
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let spent = self.spent.get().saturating_add(n as u64);
        self.spent.set(spent);
        if spent > self.limit {
            self.over = true;
            return Err(std::io::Error::other("expanded past the limit"));
        }
        Ok(n)
    }
}

/// Tracks XML nesting while events are read and refuses past the limit.
#[derive(Debug, Default)]
pub struct Depth {
    now: usize,
    max: usize,
}

impl Depth {
    pub fn new(max: usize) -> Depth {
        Depth { now: 0, max }
    }

    /// Call with every event read.
    pub fn track(&mut self, e: &Event<'_>) -> Result<(), ArchiveError> {
        match e {
            Event::Start(_) => {
                self.now += 1;
                if self.now > self.max {
                    return Err(ArchiveError::Depth(self.max));
                }
            }
            Event::End(_) => self.now = self.now.saturating_sub(1),
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        for (name, data) in entries {
            z.start_file::<_, ()>(*name, zip::write::FileOptions::default())
                .unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
        buf.into_inner()
    }

    fn small(max_expanded: u64) -> Limits {
        Limits {
            max_expanded,
            ..Limits::default()
        }
    }

    #[test]
    fn declared_sizes_past_the_limit_are_refused_before_inflating() {
        let bytes = zip_of(&[("a.xml", vec![b'a'; 600]), ("b.xml", vec![b'b'; 600])]);
        assert!(bytes.len() < 1000, "compressed well below the limit");
        assert_eq!(
            Archive::open(&bytes, small(1000)).err(),
            Some(ArchiveError::Expanded(1000))
        );
        let mut a = Archive::open(&bytes, small(1200)).unwrap();
        assert_eq!(a.read_all("a.xml").unwrap().len(), 600);
        assert_eq!(a.read_all("b.xml").unwrap().len(), 600);
        assert_eq!(
            a.read_all("c.xml").unwrap_err(),
            ArchiveError::Missing("c.xml".into())
        );
    }

    #[test]
    fn inflated_bytes_are_counted_even_when_the_declared_sizes_lie() {
        let bytes = zip_of(&[("a.xml", vec![b'a'; 5000])]);
        // Rewrite the declared uncompressed size (central directory and local header) to 10.
        let mut lying = bytes.clone();
        for sig in [&b"PK\x01\x02"[..], &b"PK\x03\x04"[..]] {
            let at = lying.windows(4).position(|w| w == sig).unwrap();
            let field = if sig == b"PK\x01\x02" {
                at + 24
            } else {
                at + 22
            };
            lying[field..field + 4].copy_from_slice(&10u32.to_le_bytes());
        }
        let Ok(mut a) = Archive::open(&lying, small(1000)) else {
            return; // the zip reader refused the inconsistent sizes itself
        };
        let r = a.read_all("a.xml");
        assert!(
            matches!(
                r,
                Err(ArchiveError::Expanded(1000)) | Err(ArchiveError::Broken)
            ) || r.as_ref().is_ok_and(|d| d.len() <= 1000),
            "{r:?}"
        );
    }

    #[test]
    fn too_many_entries_are_refused() {
        let entries: Vec<(String, Vec<u8>)> =
            (0..12).map(|i| (format!("{i}.xml"), vec![])).collect();
        let refs: Vec<(&str, Vec<u8>)> = entries
            .iter()
            .map(|(n, d)| (n.as_str(), d.clone()))
            .collect();
        let bytes = zip_of(&refs);
        let limits = Limits {
            max_entries: 10,
            ..Limits::default()
        };
        assert_eq!(
            Archive::open(&bytes, limits).err(),
            Some(ArchiveError::Entries(10))
        );
        assert!(Archive::open(&bytes, Limits::default()).is_ok());
    }

    #[test]
    fn nesting_past_the_limit_is_refused() {
        let xml = format!("{}{}", "<a>".repeat(5), "</a>".repeat(5));
        let depth_of = |max| {
            let mut r = quick_xml::Reader::from_str(&xml);
            let mut d = Depth::new(max);
            loop {
                let e = r.read_event().unwrap();
                if e == Event::Eof {
                    return Ok(());
                }
                d.track(&e)?;
            }
        };
        assert_eq!(depth_of(4), Err(ArchiveError::Depth(4)));
        assert_eq!(depth_of(5), Ok(()));
    }

    #[test]
    fn messages_name_the_limit_in_megabytes() {
        assert_eq!(
            ArchiveError::Expanded(50 * 1024 * 1024).to_string(),
            "文件解压后过大（超过50MB）"
        );
    }
}
