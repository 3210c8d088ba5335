//! The sink through which the library reports progress; it never prints by itself.

use crate::report::{Check, TestOutcome};

/// Receives progress while `run` or `serve` works. Every method has an empty default.
pub trait Listener: Sync {
    /// A prerequisite check finished.
    fn check(&self, _check: &Check) {}
    /// A measurement starts and will last `windows` seconds.
    fn test_started(&self, _name: &str, _windows: usize) {}
    /// One second window of a measurement closed.
    fn window(&self, _name: &str, _index: usize, _bytes: u64) {}
    /// A measurement finished.
    fn test_finished(&self, _outcome: &TestOutcome) {}
    /// Something worth a line in the log.
    fn note(&self, _message: &str) {}
    /// A warning.
    fn warning(&self, _message: &str) {}
}

/// A listener that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoOpListener;

impl Listener for NoOpListener {}
