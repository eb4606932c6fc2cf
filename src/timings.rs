//! `PORTOLAN_TIMINGS=1` prints how long each stage took, to stderr: the
//! first thing to look at before optimising anything.

use std::time::Instant;

pub struct Timer {
    enabled: bool,
    last: std::cell::Cell<Instant>,
}

impl Timer {
    pub fn start() -> Timer {
        Timer {
            enabled: std::env::var_os("PORTOLAN_TIMINGS")
                .is_some_and(|v| !v.is_empty() && v != "0"),
            last: std::cell::Cell::new(Instant::now()),
        }
    }

    /// Prints the time since the previous lap.
    pub fn lap(&self, what: &str) {
        if self.enabled {
            let now = Instant::now();
            crate::errln!(
                "[timing] {what}: {} ms",
                (now - self.last.get()).as_millis()
            );
            self.last.set(now);
        }
    }
}
