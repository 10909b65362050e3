//! Progress on a terminal: a bar over the steps of a long command, drawn on stderr and
//! hidden when output is piped (logs, tests). Log lines are printed above the bar instead of
//! through it (see [`LogWriter`]).

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// The bar on screen, if any, so log lines can step around it.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// A bar of `total` steps, each named as it starts.
pub struct Steps {
    bar: ProgressBar,
}

impl Steps {
    pub fn new(total: u64, what: &str) -> Steps {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:24}] {pos}/{len} {wide_msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(250));
        if let Ok(mut active) = ACTIVE.lock() {
            *active = Some(bar.clone());
        }
        Steps { bar }
    }

    /// A spinner for work whose size is not known in advance.
    pub fn spinner(what: &str) -> Steps {
        let steps = Steps::new(0, what);
        steps.bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {wide_msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        steps
    }

    /// Names the step now running; the one before is done.
    pub fn step(&self, name: &str) {
        if self.bar.position() > 0 || !self.bar.message().is_empty() {
            self.bar.inc(1);
        }
        self.bar.set_message(name.to_string());
    }
}

impl Drop for Steps {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
        if let Ok(mut active) = ACTIVE.lock() {
            *active = None;
        }
    }
}

/// Where log lines go: stdout as before, with the bar (if any) lifted while a line is written.
pub struct LogWriter {
    line: Vec<u8>,
}

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        let line = std::mem::take(&mut self.line);
        let write = || {
            let _ = std::io::stdout().write_all(&line);
        };
        match ACTIVE.lock().ok().and_then(|a| a.clone()) {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}

pub fn log_writer() -> LogWriter {
    LogWriter { line: Vec::new() }
}

/// Waits for upload job `id` of `runner` (the same job the server runs), drawing its progress
/// as a bar on stderr when it is a terminal; returns the job's report, or fails with the
/// message the job failed with.
pub async fn wait_for_upload(
    runner: &sinergi_activity::jobs::JobRunner,
    viewer: &sinergi_core::Viewer,
    id: i64,
    t: &sinergi_i18n::Messages,
) -> anyhow::Result<sinergi_activity::lists::ImportReport> {
    use sinergi_activity::lists::{UploadEnd, wait_for_upload};
    use sinergi_core::Localized;
    use std::io::IsTerminal;
    let terminal = std::io::stderr().is_terminal();
    let mut shown = (u64::MAX, 0);
    let end = wait_for_upload(runner, viewer, id, |j| {
        let now = (j.progress_done as u64, j.progress_total as u64);
        if terminal && now != shown && now.1 > 0 {
            eprint!("\r{}", progress_line(now.0, now.1));
            shown = now;
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!(t.render(&e.msg())))?;
    if terminal && shown.1 > 0 {
        eprintln!();
    }
    match end {
        UploadEnd::Report(report) => Ok(report),
        UploadEnd::Failed(error) => anyhow::bail!("{}", t.render_stored(&error)),
    }
}

/// "3 peringatan disimpan bersama baris yang tersimpan": the summary line of an import's
/// warnings.
pub fn warnings_line(t: &sinergi_i18n::Messages, warnings: u64) -> String {
    t.render(&sinergi_i18n::Msg::new("jobs.cli_warnings").arg("count", warnings))
}

/// `[#########...........]  45 % (450 / 1.000)`: a progress bar on one stderr line.
pub fn progress_line(done: u64, total: u64) -> String {
    const WIDTH: u64 = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(0).min(WIDTH) as usize;
    let percent = (done * 100).checked_div(total).unwrap_or(0);
    format!(
        "[{}{}] {percent:>3} % ({done} / {total})",
        "#".repeat(filled),
        ".".repeat(WIDTH as usize - filled)
    )
}
