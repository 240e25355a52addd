//! The status line of a stack while CloudFormation works on it: resources done out of the
//! total, time elapsed, and the resource in progress now (`data  [######----] 3/5  12s
//! CREATE_IN_PROGRESS Items (AWS::DynamoDB::Table)`), counted from the stack's events.

use std::time::Instant;

use crate::api::StackEvent;

/// What the events of one operation on a stack have shown so far.
pub(crate) struct Tally {
    label: String,
    /// Resources the operation touches (the change set's changes, the resources deleted);
    /// `None` when unknown: the count is shown without a bar.
    total: Option<usize>,
    /// Logical ids that reached a final status (`*_COMPLETE`, `*_FAILED`, `*_SKIPPED`).
    done: Vec<String>,
    /// The resources in progress, most recent last.
    busy: Vec<StackEvent>,
    started: Instant,
}

const BAR: usize = 20;

/// `12s`: whole seconds since `started`.
pub(crate) fn elapsed_since(started: Instant) -> String {
    format!("{:.0}s", started.elapsed().as_secs_f64())
}

impl Tally {
    pub(crate) fn new(label: &str, total: Option<usize>) -> Tally {
        Tally {
            label: label.to_owned(),
            total,
            done: Vec::new(),
            busy: Vec::new(),
            started: Instant::now(),
        }
    }

    /// Counts one event (of a resource; the stack's own events say nothing of resources).
    pub(crate) fn record(&mut self, e: &StackEvent) {
        if e.is_stack() {
            return;
        }
        self.busy.retain(|b| b.logical_id != e.logical_id);
        if e.status.ends_with("_IN_PROGRESS") {
            self.busy.push(e.clone());
        } else if !self.done.contains(&e.logical_id) {
            self.done.push(e.logical_id.clone());
        }
    }

    /// The status line now.
    pub(crate) fn line(&self) -> String {
        let done = self.done.len();
        let count = match self.total {
            Some(total) => {
                let total = total.max(done);
                let filled = (done * BAR).checked_div(total).unwrap_or(BAR);
                format!(
                    "[{}{}] {done}/{total}",
                    "#".repeat(filled),
                    "-".repeat(BAR - filled)
                )
            }
            None => format!("{done} done"),
        };
        let mut line = format!("{}  {count}  {}", self.label, elapsed_since(self.started));
        if let Some(now) = self.busy.last() {
            line.push_str(&format!(
                "  {} {} ({})",
                now.status, now.logical_id, now.resource_type
            ));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(logical: &str, status: &str) -> StackEvent {
        StackEvent {
            id: format!("{logical}-{status}"),
            logical_id: logical.into(),
            physical_id: None,
            resource_type: "AWS::S3::Bucket".into(),
            status: status.into(),
            reason: None,
            timestamp: None,
        }
    }

    #[test]
    fn counts_resources_once_and_shows_the_latest_in_progress() {
        let mut t = Tally::new("data", Some(2));
        t.record(&event("Uploads", "CREATE_IN_PROGRESS"));
        t.record(&event("Items", "CREATE_IN_PROGRESS"));
        assert!(t.line().starts_with("data  [--------------------] 0/2  0s"));
        assert!(t
            .line()
            .ends_with("CREATE_IN_PROGRESS Items (AWS::S3::Bucket)"));
        t.record(&event("Items", "CREATE_COMPLETE"));
        assert!(
            t.line().contains("[##########----------] 1/2"),
            "{}",
            t.line()
        );
        assert!(t
            .line()
            .ends_with("CREATE_IN_PROGRESS Uploads (AWS::S3::Bucket)"));
        t.record(&event("Uploads", "CREATE_COMPLETE"));
        t.record(&event("Uploads", "DELETE_COMPLETE"));
        assert!(
            t.line().contains("[####################] 2/2"),
            "{}",
            t.line()
        );
        assert!(!t.line().contains("IN_PROGRESS"), "{}", t.line());
    }

    #[test]
    fn an_unknown_total_is_a_count() {
        let mut t = Tally::new("data", None);
        t.record(&event("Uploads", "DELETE_COMPLETE"));
        assert!(t.line().starts_with("data  1 done  0s"), "{}", t.line());
    }
}
