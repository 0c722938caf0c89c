//! The streaming .xlsx reader behind every import reads outside input: it must never panic,
//! and whatever it hands out stays within its limits. Small limits make the bounds reachable.
#![no_main]
use libfuzzer_sys::fuzz_target;
use xianfeng_web::sheet::{for_each_row, SheetError, SheetLimits};

fuzz_target!(|data: &[u8]| {
    let mut limits = SheetLimits::default();
    limits.archive.max_expanded = 1 << 20;
    limits.rows = 50;
    limits.columns = 8;
    limits.cell_chars = 40;
    let mut rows = 0usize;
    let _ = for_each_row(data, &limits, |row| -> Result<(), SheetError> {
        rows += 1;
        assert!(rows <= limits.rows + 1, "header and at most `rows` rows");
        assert!(row.cells.len() <= limits.columns);
        for (col, text) in &row.cells {
            assert!(*col < limits.columns);
            assert!(!text.is_empty() && text.chars().count() <= limits.cell_chars);
        }
        Ok(())
    });
    // A zip of anything goes through the archive checks too.
    let _ = xianfeng_web::roster::parse_within(data, &limits);
});
