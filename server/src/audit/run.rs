//! What produced a report: the workspace, when, which xsguard, and the command line.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// The report's provenance, shown in its header.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// The workspace's name: its `workspace "..."` object, else its folder.
    pub workspace: String,
    /// When the report was made, RFC 3339 in UTC (`SOURCE_DATE_EPOCH` when set, so that a
    /// report made twice from the same sources is the same file).
    pub generated_at: String,
    pub xsguard_version: &'static str,
    /// The command that produced the report, as it can be typed again.
    pub command: String,
}

impl RunInfo {
    pub fn new(workspace: String, command: String) -> Self {
        Self {
            workspace,
            generated_at: rfc3339(report_time()),
            xsguard_version: env!("CARGO_PKG_VERSION"),
            command,
        }
    }

    /// `2026-12-08 03:41 UTC`: the date as the page and the Markdown show it.
    pub fn date_shown(&self) -> String {
        let t = &self.generated_at;
        match (t.get(..10), t.get(11..16)) {
            (Some(day), Some(time)) => format!("{day} {time} UTC"),
            _ => t.clone(),
        }
    }
}

/// Seconds since the epoch: `SOURCE_DATE_EPOCH` (the reproducible-builds convention) when it
/// holds a number, else now.
fn report_time() -> i64 {
    if let Some(fixed) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        return fixed;
    }
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let in_day = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm),
/// so that no date crate is needed for one line of the header.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_700_000), "2026-12-08T03:20:00Z");
    }
}
