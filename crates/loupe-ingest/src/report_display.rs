//! The load report in words: a summary line, a line per file with something to say, a line
//! per failed file, and what the cache did. The GUI and `loupe info` print it as it is.

use std::fmt;
use std::time::Duration;

use crate::report::{CacheOutcome, LoadReport, file_name};

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files = self.files.len();
        let of = if self.failed.is_empty() {
            String::new()
        } else {
            format!(" of {}", files + self.failed.len())
        };
        write!(
            f,
            "{} rows of {} values from {files}{of} {}",
            self.rows,
            self.dim,
            if files + self.failed.len() == 1 {
                "file"
            } else {
                "files"
            },
        )?;
        if self.from_cache() {
            writeln!(
                f,
                " (from the cache in {}; reading the files took {})",
                seconds(self.timings.total),
                seconds(self.timings.files + self.timings.combine)
            )?;
        } else {
            writeln!(f, " (read in {})", seconds(self.timings.total))?;
        }
        for file in &self.files {
            let name = file_name(&file.path);
            if let Some(dropped) = file.dropped_summary() {
                writeln!(f, "  {name}: {dropped}")?;
            }
            for warning in &file.warnings {
                writeln!(f, "  {name}: {warning}")?;
            }
            for warning in file.geometry.iter().flat_map(|g| &g.warnings) {
                writeln!(f, "  {name}: geometry: {warning}")?;
            }
        }
        if !self.failed.is_empty() {
            let n = self.failed.len();
            writeln!(
                f,
                "{n} {} not loaded:",
                if n == 1 { "file" } else { "files" }
            )?;
            for failed in &self.failed {
                writeln!(f, "  {failed}")?;
            }
        }
        match &self.cache {
            CacheOutcome::Hit { file } => writeln!(f, "cache: read {}", file.display())?,
            CacheOutcome::Written { file } => writeln!(f, "cache: saved as {}", file.display())?,
            CacheOutcome::Writing { file } => {
                writeln!(
                    f,
                    "cache: being saved as {} in the background",
                    file.display()
                )?;
            }
            CacheOutcome::NotWritten => writeln!(f, "cache: not saved")?,
            CacheOutcome::Disabled => writeln!(f, "cache: off")?,
        }
        for warning in &self.cache_warnings {
            writeln!(f, "  {warning}")?;
        }
        Ok(())
    }
}

/// `0.42 s`, `12 ms`: short durations for people.
pub(crate) fn seconds(d: Duration) -> String {
    if d < Duration::from_millis(100) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}
