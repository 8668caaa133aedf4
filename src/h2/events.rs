//! The line HTTP/2 with prior knowledge gets: the client's first
//! settings, or why its first frame could not be read, and rawnet's
//! answer. Its words and its JSON are here, beside the reader that finds
//! the settings (`h2.rs`); `log.rs` only prints it.

use std::fmt;

use serde::{Serialize, Serializer};

use super::Setting;
use crate::log::{self, Line};
use crate::show::{first_entries, write_first};

/// What the log says about HTTP/2 on this port. In JSON, its `event`
/// name is the one it had before it came here (`http2`).
#[derive(Debug, Serialize)]
#[serde(tag = "event")]
pub enum Event<'a> {
    /// HTTP/2 with prior knowledge: the client's settings in the order
    /// sent (in JSON, a list of `[name, value]`), or why its first frame
    /// could not be read; rawnet answered with GOAWAY HTTP_1_1_REQUIRED.
    #[serde(rename = "http2")]
    Preface {
        /// In JSON, `settings` (the first `LIST_SHOWN`) and
        /// `settings_not_shown`.
        #[serde(flatten, serialize_with = "as_settings")]
        settings: &'a [Setting],
        problem: Option<&'a str>,
    },
}

impl<'a> From<Event<'a>> for log::Event<'a> {
    fn from(event: Event<'a>) -> Self {
        log::Event::H2(event)
    }
}

impl Line for Event<'_> {}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Event::Preface { settings, problem } = self;
        f.write_str("client spoke HTTP/2 (prior knowledge): ")?;
        match problem {
            Some(problem) => f.write_str(problem)?,
            None if settings.is_empty() => f.write_str("SETTINGS (none)")?,
            None => {
                f.write_str("SETTINGS ")?;
                write_first(f, settings, |f, setting| {
                    write!(f, "{}={}", SettingName(setting), setting.value)
                })?;
            }
        }
        f.write_str("; answered GOAWAY HTTP_1_1_REQUIRED")
    }
}

/// A setting's name as RFC 9113 spells it; one it does not define, by
/// its identifier in hex (`0x0a0a`).
struct SettingName<'a>(&'a Setting);

impl fmt::Display for SettingName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{:#06x}", self.0.id),
        }
    }
}

/// Settings in JSON: `[["MAX_CONCURRENT_STREAMS", 100], ...]`, the first
/// `LIST_SHOWN` in order, and `settings_not_shown`.
fn as_settings<S: Serializer>(settings: &&[Setting], s: S) -> Result<S::Ok, S::Error> {
    first_entries(s, "settings", "settings_not_shown", settings, |setting| {
        (SettingName(setting).to_string(), setting.value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::LIST_SHOWN;

    #[test]
    fn http2_lines_name_each_setting_in_order() {
        let settings = [
            Setting { id: 3, value: 100 },
            Setting { id: 2, value: 0 },
            Setting {
                id: 0x0a0a,
                value: 7,
            },
        ];
        let event = Event::Preface {
            settings: &settings,
            problem: None,
        };
        assert_eq!(
            event.to_string(),
            "client spoke HTTP/2 (prior knowledge): SETTINGS MAX_CONCURRENT_STREAMS=100, \
             ENABLE_PUSH=0, 0x0a0a=7; answered GOAWAY HTTP_1_1_REQUIRED"
        );
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"event":"http2","settings":[["MAX_CONCURRENT_STREAMS",100],["ENABLE_PUSH",0],["0x0a0a",7]],"settings_not_shown":0,"problem":null}"#
        );
        let event = Event::Preface {
            settings: &[],
            problem: Some("the first frame is not SETTINGS"),
        };
        assert_eq!(
            event.to_string(),
            "client spoke HTTP/2 (prior knowledge): the first frame is not SETTINGS; \
             answered GOAWAY HTTP_1_1_REQUIRED"
        );
    }

    /// A long SETTINGS frame names its first LIST_SHOWN settings, then
    /// counts the rest, in text and JSON.
    #[test]
    fn long_settings_show_their_first_items_then_how_many_more() {
        let settings = vec![Setting { id: 2, value: 1 }; LIST_SHOWN + 3];
        let event = Event::Preface {
            settings: &settings,
            problem: None,
        };
        let text = event.to_string();
        assert_eq!(text.matches("ENABLE_PUSH=1").count(), LIST_SHOWN);
        assert!(
            text.ends_with("ENABLE_PUSH=1, … and 3 more; answered GOAWAY HTTP_1_1_REQUIRED"),
            "{text}"
        );
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["settings"].as_array().unwrap().len(), LIST_SHOWN);
        assert_eq!(json["settings_not_shown"], 3);
    }
}
