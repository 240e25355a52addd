//! CloudWatch metrics and alarms that notify an SNS topic.

use stackcraft_core::template::{sub, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::cloudwatch::alarm::{
    ComparisonOperator, Dimension, Statistic, TreatMissingData,
};
use stackcraft_resources::cloudwatch::{self as l1, AlarmRef};

use crate::sns::Topic;

/// A metric: namespace, name, dimensions, statistic and period.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, Expr<String>)>,
    pub statistic: Stat,
    /// Seconds per data point.
    pub period: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    Sum,
    Average,
    Maximum,
    Minimum,
}

impl Metric {
    /// The sum over five minutes; change with [`Metric::stat`] and [`Metric::period`].
    pub fn new(namespace: &str, name: &str) -> Metric {
        Metric {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            dimensions: Vec::new(),
            statistic: Stat::Sum,
            period: 300,
        }
    }

    pub fn dimension(mut self, name: &str, value: impl Into<Expr<String>>) -> Metric {
        self.dimensions.push((name.to_owned(), value.into()));
        self
    }

    pub fn stat(mut self, statistic: Stat) -> Metric {
        self.statistic = statistic;
        self
    }

    pub fn period(mut self, seconds: i64) -> Metric {
        self.period = seconds;
        self
    }
}

/// When an alarm fires, relative to its threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Threshold {
    Above(f64),
    Below(f64),
}

/// An alarm handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Alarm {
    alarm: AlarmRef,
}

impl Alarm {
    /// An alarm on `metric` that notifies `topic` when it fires and when it recovers. Missing
    /// data (no traffic) is not a breach. Fires after `periods` consecutive breaching periods.
    pub fn new(
        stack: &mut Stack,
        id: &str,
        description: &str,
        metric: &Metric,
        threshold: Threshold,
        periods: i64,
        topic: &Topic,
    ) -> Alarm {
        topic.allow_publish_from(
            stack,
            "cloudwatch.amazonaws.com",
            sub("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"),
        );
        let (operator, value) = match threshold {
            Threshold::Above(v) => (ComparisonOperator::GreaterThanThreshold, v),
            Threshold::Below(v) => (ComparisonOperator::LessThanThreshold, v),
        };
        let statistic = match metric.statistic {
            Stat::Sum => Statistic::Sum,
            Stat::Average => Statistic::Average,
            Stat::Maximum => Statistic::Maximum,
            Stat::Minimum => Statistic::Minimum,
        };
        let dimensions: Vec<Dimension> = metric
            .dimensions
            .iter()
            .map(|(name, value)| Dimension::new(name.as_str(), value.clone()))
            .collect();
        let alarm = l1::Alarm::new()
            .alarm_description(description)
            .namespace(metric.namespace.as_str())
            .metric_name(metric.name.as_str())
            .dimensions(dimensions)
            .statistic(statistic)
            .period(metric.period)
            .evaluation_periods(periods)
            .threshold(value)
            .comparison_operator(operator)
            .treat_missing_data(TreatMissingData::NotBreaching)
            .alarm_actions(vec![topic.arn()])
            .ok_actions(vec![topic.arn()]);
        Alarm {
            alarm: stack.add(id, alarm),
        }
    }

    pub fn target(&self) -> &Target {
        self.alarm.target()
    }
}
