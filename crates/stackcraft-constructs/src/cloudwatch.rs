//! CloudWatch: one [`Metric`] value that alarms, scaling policies and dashboards all take;
//! [`Alarm`]s that notify an SNS topic; [`Dashboard`]s of line graphs.

use std::time::Duration;

use stackcraft_core::template::{join, pseudo, sub, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::cloudwatch::alarm::{
    ComparisonOperator, Dimension, Statistic, TreatMissingData,
};
use stackcraft_resources::cloudwatch::{self as l1, AlarmRef};

use crate::sns::Topic;

/// A metric: namespace, name, dimensions, statistic and period. A value, built fluently.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, Expr<String>)>,
    pub statistic: Stat,
    /// The length of one data point.
    pub period: Duration,
}

/// How the data points of a period are aggregated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    Sum,
    Average,
    Maximum,
    Minimum,
}

impl Stat {
    /// The name CloudWatch uses (`Sum`, `Average`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Stat::Sum => "Sum",
            Stat::Average => "Average",
            Stat::Maximum => "Maximum",
            Stat::Minimum => "Minimum",
        }
    }
}

impl Metric {
    /// The sum over five minutes; change with [`Metric::stat`] and [`Metric::period`].
    pub fn new(namespace: &str, name: &str) -> Metric {
        Metric {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            dimensions: Vec::new(),
            statistic: Stat::Sum,
            period: Duration::from_secs(300),
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

    /// The length of one data point (CloudWatch takes whole seconds; 10, 30 or a multiple of 60).
    pub fn period(mut self, period: Duration) -> Metric {
        self.period = period;
        self
    }

    /// The period in whole seconds, as templates write it.
    pub fn period_seconds(&self) -> i64 {
        self.period.as_secs() as i64
    }
}

/// When an alarm fires, relative to its threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Threshold {
    Above(f64),
    Below(f64),
}

/// What an alarm watches for and whom it tells. Every field is named at the call site, so an
/// alarm reads as a sentence: "above 1000 for 3 periods, mail the on-call topic".
#[derive(Clone, Debug, PartialEq)]
pub struct AlarmOptions {
    /// What a person reads when it fires: what happened and why it matters.
    pub description: String,
    pub threshold: Threshold,
    /// Consecutive breaching periods (of the metric's period) before it fires.
    pub periods: u32,
    /// The topic told when it fires and when it recovers (none: the alarm only shows in the
    /// console).
    pub notify: Option<Topic>,
}

/// An alarm handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Alarm {
    alarm: AlarmRef,
}

impl Alarm {
    /// An alarm on `metric`. Missing data (no traffic) is not a breach.
    pub fn new(stack: &mut Stack, id: &str, metric: &Metric, options: AlarmOptions) -> Alarm {
        let (operator, value) = match options.threshold {
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
        let mut alarm = l1::Alarm::new()
            .alarm_description(options.description.as_str())
            .namespace(metric.namespace.as_str())
            .metric_name(metric.name.as_str())
            .dimensions(dimensions)
            .statistic(statistic)
            .period(metric.period_seconds())
            .evaluation_periods(options.periods)
            .threshold(value)
            .comparison_operator(operator)
            .treat_missing_data(TreatMissingData::NotBreaching);
        if let Some(topic) = &options.notify {
            topic.allow_publish_from(
                stack,
                "cloudwatch.amazonaws.com",
                sub("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"),
            );
            alarm = alarm
                .alarm_actions(vec![topic.arn()])
                .ok_actions(vec![topic.arn()]);
        }
        Alarm {
            alarm: stack.add(id, alarm),
        }
    }

    pub fn target(&self) -> &Target {
        self.alarm.target()
    }

    /// The alarm's name (`Ref`).
    pub fn name(&self) -> Expr<String> {
        self.alarm.ref_()
    }
}

/// One line graph of a dashboard: a title and its metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    pub title: String,
    pub metrics: Vec<Metric>,
}

impl Graph {
    pub fn new(title: &str, metrics: Vec<Metric>) -> Graph {
        Graph {
            title: title.to_owned(),
            metrics,
        }
    }
}

/// A dashboard handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Dashboard {
    target: Target,
}

/// Graphs per row of a dashboard (each half of CloudWatch's 24-column grid).
const GRAPHS_PER_ROW: usize = 2;
const GRAPH_WIDTH: usize = 12;
const GRAPH_HEIGHT: usize = 6;

impl Dashboard {
    /// A dashboard of line graphs, two per row, in this stack's region. The body is JSON with
    /// the metrics' dimensions (often references) spliced in by `Fn::Join`.
    pub fn new(stack: &mut Stack, id: &str, graphs: &[Graph]) -> Dashboard {
        let body = DashboardBody::render(graphs);
        let target = stack.add(id, l1::Dashboard::new(body)).target().clone();
        Dashboard { target }
    }

    pub fn target(&self) -> &Target {
        &self.target
    }
}

/// The dashboard body: literal JSON text interleaved with expressions.
struct DashboardBody {
    parts: Vec<Expr<String>>,
}

impl DashboardBody {
    fn render(graphs: &[Graph]) -> Expr<String> {
        let mut body = DashboardBody { parts: Vec::new() };
        body.text("{\"widgets\":[");
        for (i, graph) in graphs.iter().enumerate() {
            let x = (i % GRAPHS_PER_ROW) * GRAPH_WIDTH;
            let y = (i / GRAPHS_PER_ROW) * GRAPH_HEIGHT;
            let separator = if i == 0 { "" } else { "," };
            body.text(&format!(
                "{separator}{{\"type\":\"metric\",\"x\":{x},\"y\":{y},\"width\":{GRAPH_WIDTH},\"height\":{GRAPH_HEIGHT},\"properties\":{{\"title\":{},\"view\":\"timeSeries\",\"region\":\"",
                serde_json::Value::from(graph.title.as_str())
            ));
            body.parts.push(pseudo::region());
            body.text("\",\"metrics\":[");
            for (j, metric) in graph.metrics.iter().enumerate() {
                body.metric(j == 0, metric);
            }
            body.text("]}}");
        }
        body.text("]}");
        join("", body.parts)
    }

    fn text(&mut self, text: &str) {
        self.parts.push(Expr::from(text));
    }

    /// `["Namespace","Name","Dim","<value>",...,{"stat":"Sum","period":300}]`
    fn metric(&mut self, first: bool, metric: &Metric) {
        let separator = if first { "" } else { "," };
        self.text(&format!(
            "{separator}[{},{}",
            serde_json::Value::from(metric.namespace.as_str()),
            serde_json::Value::from(metric.name.as_str())
        ));
        for (name, value) in &metric.dimensions {
            self.text(&format!(",{},\"", serde_json::Value::from(name.as_str())));
            self.parts.push(value.clone());
            self.text("\"");
        }
        self.text(&format!(
            ",{{\"stat\":\"{}\",\"period\":{}}}]",
            metric.statistic.as_str(),
            metric.period_seconds()
        ));
    }
}
