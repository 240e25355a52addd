//! Units in types: memory is a [`Memory`], durations are `std::time::Duration`, so a
//! call site never passes a bare number whose unit it has to guess.

use std::time::Duration;

/// An amount of memory, held in mebibytes (what Lambda and ECS take).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Memory(u32);

impl Memory {
    pub const fn mib(mib: u32) -> Memory {
        Memory(mib)
    }

    pub const fn gib(gib: u32) -> Memory {
        Memory(gib * 1024)
    }

    pub const fn as_mib(self) -> u32 {
        self.0
    }

    /// Whole gibibytes, rounded up (what EBS volume sizes take).
    pub const fn as_gib(self) -> u32 {
        self.0.div_ceil(1024)
    }
}

/// Whole seconds of a duration, as CloudFormation properties take them.
pub fn whole_seconds(duration: Duration) -> i64 {
    duration.as_secs() as i64
}
