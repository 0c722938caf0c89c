//! Uploaded files: what a file really is, judged by its first bytes rather than its name.

/// Kinds of file the platform accepts as photos or evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Jpeg,
    Png,
    Gif,
    Webp,
    Pdf,
    /// Office Open XML (docx, xlsx): a zip container.
    OfficeZip,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::Pdf => "application/pdf",
            FileKind::OfficeZip => "application/zip",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(
            self,
            FileKind::Jpeg | FileKind::Png | FileKind::Gif | FileKind::Webp
        )
    }
}

/// Recognises a file by its signature.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some(FileKind::Png)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some(FileKind::Gif)
    } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(FileKind::Webp)
    } else if starts(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if starts(b"PK\x03\x04") {
        Some(FileKind::OfficeZip)
    } else {
        None
    }
}

/// Checks an uploaded photo: an image, not empty, within `max_bytes`.
pub fn check_photo(name: &str, bytes: &[u8], max_bytes: i64) -> Result<FileKind, crate::Invalid> {
    let field = "photo";
    if bytes.is_empty() {
        return Err(crate::Invalid::one(field, name, "文件为空"));
    }
    if bytes.len() as i64 > max_bytes {
        return Err(crate::Invalid::one(
            field,
            name,
            format!("文件超过{}MB上限", max_bytes / 1024 / 1024),
        ));
    }
    match sniff(bytes) {
        Some(k) if k.is_image() => Ok(k),
        _ => Err(crate::Invalid::one(
            field,
            name,
            "不是图片（支持 JPG、PNG、GIF、WebP）",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn images_are_recognised_by_content_not_name() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some(FileKind::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0"), Some(FileKind::Jpeg));
        assert!(check_photo("a.jpg", b"%PDF-1.7", 1 << 20).is_err());
        assert!(check_photo("a.png", b"", 1 << 20).is_err());
        assert!(check_photo("a.png", b"\x89PNG\r\n\x1a\n", 4).is_err());
    }

    proptest! {
        #[test]
        fn sniff_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let _ = sniff(&bytes);
        }
    }
}
