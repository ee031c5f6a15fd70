//! A few ANSI styles for the human report. Four colours and bold do not need a crate; whether to
//! use them at all is decided once, by `ColorChoice`.

use std::fmt;

use lints::Severity;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Bold,
    Red,
    Yellow,
    Blue,
    Cyan,
    Green,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Red => "1;31",
            Style::Yellow => "1;33",
            Style::Blue => "1;34",
            Style::Cyan => "1;36",
            Style::Green => "32",
        }
    }

    pub fn of(severity: Severity) -> Style {
        match severity {
            Severity::Error => Style::Red,
            Severity::Warning => Style::Yellow,
            Severity::Info => Style::Blue,
            Severity::Hint => Style::Cyan,
        }
    }
}

/// Paints text, or leaves it alone when colour is off.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    pub enabled: bool,
}

impl Palette {
    pub fn paint<T: fmt::Display>(self, style: Style, value: T) -> Painted<T> {
        Painted {
            style: self.enabled.then_some(style),
            value,
        }
    }
}

pub struct Painted<T> {
    style: Option<Style>,
    value: T,
}

impl<T: fmt::Display> fmt::Display for Painted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.style {
            Some(style) => write!(f, "\x1b[{}m{}\x1b[0m", style.code(), self.value),
            None => self.value.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_when_enabled() {
        assert_eq!(
            Palette { enabled: false }
                .paint(Style::Red, "x")
                .to_string(),
            "x"
        );
        assert_eq!(
            Palette { enabled: true }.paint(Style::Red, "x").to_string(),
            "\x1b[1;31mx\x1b[0m"
        );
    }
}
