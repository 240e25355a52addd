//! The function's settings, read from the environment variables of [`crate::contract`].

use crate::contract::{
    DEFAULT_INAPPROPRIATE_LABELS, DEFAULT_MIN_CONFIDENCE, INAPPROPRIATE_LABELS, MIN_CONFIDENCE,
    VIDEO_ROLE_ARN, VIDEO_TOPIC_ARN,
};

#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Settings {
    /// 0–100.
    pub min_confidence: f32,
    /// Label names that make an object inappropriate, as configured (matched ignoring case).
    pub inappropriate_labels: Vec<String>,
    /// Where Rekognition Video reports finished jobs; `None`: videos are not checked.
    pub video: Option<VideoChannel>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoChannel {
    pub topic_arn: String,
    pub role_arn: String,
}

/// A setting that cannot be used, named by its environment variable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{var}: {problem}")]
pub struct SettingsError {
    pub var: &'static str,
    pub problem: String,
}

fn invalid(var: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError {
        var,
        problem: problem.into(),
    }
}

impl Settings {
    /// The defaults: no video channel.
    pub fn new() -> Settings {
        Settings {
            min_confidence: DEFAULT_MIN_CONFIDENCE,
            inappropriate_labels: DEFAULT_INAPPROPRIATE_LABELS
                .iter()
                .map(|l| (*l).to_owned())
                .collect(),
            video: None,
        }
    }

    pub fn with_video(mut self, channel: VideoChannel) -> Settings {
        self.video = Some(channel);
        self
    }

    pub fn with_min_confidence(mut self, min_confidence: f32) -> Settings {
        self.min_confidence = min_confidence;
        self
    }

    pub fn from_env() -> Result<Settings, SettingsError> {
        Settings::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (an environment); unset or empty means the default.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut settings = Settings::new();
        if let Some(raw) = get(MIN_CONFIDENCE) {
            settings.min_confidence = raw
                .trim()
                .parse::<f32>()
                .ok()
                .filter(|c| (0.0..=100.0).contains(c))
                .ok_or_else(|| {
                    invalid(
                        MIN_CONFIDENCE,
                        format!("{raw:?} is not a number from 0 to 100"),
                    )
                })?;
        }
        if let Some(raw) = get(INAPPROPRIATE_LABELS) {
            let labels: Vec<String> = raw
                .split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            if labels.is_empty() {
                return Err(invalid(
                    INAPPROPRIATE_LABELS,
                    format!("{raw:?} names no label (separate names with commas)"),
                ));
            }
            settings.inappropriate_labels = labels;
        }
        settings.video = match (get(VIDEO_TOPIC_ARN), get(VIDEO_ROLE_ARN)) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(invalid(
                    VIDEO_ROLE_ARN,
                    format!("not set, but {VIDEO_TOPIC_ARN} is: video moderation needs both"),
                ))
            }
            (None, Some(_)) => {
                return Err(invalid(
                    VIDEO_TOPIC_ARN,
                    format!("not set, but {VIDEO_ROLE_ARN} is: video moderation needs both"),
                ))
            }
            (Some(topic), Some(role)) => Some(VideoChannel {
                topic_arn: arn(VIDEO_TOPIC_ARN, topic, "sns")?,
                role_arn: arn(VIDEO_ROLE_ARN, role, "iam")?,
            }),
        };
        Ok(settings)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::new()
    }
}

/// `value`, trimmed, if it is an ARN of `service` (`arn:<partition>:<service>:...`).
fn arn(var: &'static str, value: String, service: &str) -> Result<String, SettingsError> {
    let value = value.trim().to_owned();
    let mut parts = value.split(':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("arn"), Some(partition), Some(s)) if !partition.is_empty() && s == service => {
            Ok(value)
        }
        _ => Err(invalid(var, format!("{value:?} is not an {service} ARN"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn unset_means_the_documented_defaults() {
        let settings = read(&[]).unwrap();
        assert_eq!(settings, Settings::new());
        assert_eq!(settings.min_confidence, DEFAULT_MIN_CONFIDENCE);
        assert!(settings
            .inappropriate_labels
            .contains(&"Violence".to_owned()));
        assert_eq!(settings.video, None);
    }

    #[test]
    fn values_are_parsed_and_trimmed() {
        let settings = read(&[
            (MIN_CONFIDENCE, " 85.5 "),
            (INAPPROPRIATE_LABELS, "Explicit, Drugs & Tobacco ,,"),
            (VIDEO_TOPIC_ARN, "arn:aws:sns:eu-west-1:123456789012:done"),
            (VIDEO_ROLE_ARN, "arn:aws:iam::123456789012:role/publish"),
        ])
        .unwrap();
        assert_eq!(settings.min_confidence, 85.5);
        assert_eq!(
            settings.inappropriate_labels,
            ["Explicit", "Drugs & Tobacco"]
        );
        assert_eq!(
            settings.video.unwrap().role_arn,
            "arn:aws:iam::123456789012:role/publish"
        );
    }

    #[test]
    fn the_contract_lists_exactly_the_variables_read() {
        let asked = std::cell::RefCell::new(Vec::new());
        Settings::from_lookup(|name| {
            asked.borrow_mut().push(name.to_owned());
            None
        })
        .unwrap();
        let mut asked = asked.into_inner();
        asked.sort();
        let mut listed: Vec<String> = crate::contract::ENV_VARS
            .iter()
            .map(|v| (*v).to_owned())
            .collect();
        listed.sort();
        assert_eq!(asked, listed);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let err = read(&[(MIN_CONFIDENCE, "high")]).unwrap_err();
        assert_eq!(err.var, MIN_CONFIDENCE);
        assert!(err.to_string().contains("\"high\""), "{err}");
        assert_eq!(
            read(&[(MIN_CONFIDENCE, "101")]).unwrap_err().var,
            MIN_CONFIDENCE
        );
        assert_eq!(
            read(&[(INAPPROPRIATE_LABELS, " , ")]).unwrap_err().var,
            INAPPROPRIATE_LABELS
        );
        let half = read(&[(VIDEO_TOPIC_ARN, "arn:aws:sns:eu-west-1:1:t")]).unwrap_err();
        assert_eq!(half.var, VIDEO_ROLE_ARN);
        let swapped = read(&[
            (VIDEO_TOPIC_ARN, "arn:aws:iam::1:role/r"),
            (VIDEO_ROLE_ARN, "arn:aws:iam::1:role/r"),
        ])
        .unwrap_err();
        assert_eq!(swapped.var, VIDEO_TOPIC_ARN);
    }
}
