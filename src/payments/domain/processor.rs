use std::fmt;

/// The two payment processors: `Default` charges the lower fee and is tried first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Processor {
    Default,
    Fallback,
}

impl Processor {
    /// Both, in order of preference.
    pub const ALL: [Self; 2] = [Self::Default, Self::Fallback];

    /// The name in the summary and in the database.
    pub fn name(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Fallback => "fallback",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// A dense index, for per-processor arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Processor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
