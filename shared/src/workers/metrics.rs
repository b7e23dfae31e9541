//! Job failures as a CloudWatch metric. A worker reports a failed job as a partial batch
//! failure, so Lambda counts the invocation a success and its `Errors` metric never moves;
//! this line in CloudWatch's embedded metric format (EMF) makes `Leadflow/JobsFailed` (by
//! function) for the template's `JobsFailedAlarm`. CloudWatch Logs turns the line into the
//! metric; no API call and no permission are needed.

use chrono::{DateTime, Utc};
use serde_json::json;

/// The metric's namespace and name, as template.yaml's alarm reads them.
pub const NAMESPACE: &str = "Leadflow";
pub const JOBS_FAILED: &str = "JobsFailed";

/// The EMF line recording `failed` jobs of one batch in `function`.
pub fn jobs_failed_line(function: &str, failed: usize, at: DateTime<Utc>) -> String {
    json!({
        "_aws": {
            "Timestamp": at.timestamp_millis(),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["FunctionName"]],
                "Metrics": [{"Name": JOBS_FAILED, "Unit": "Count"}],
            }],
        },
        "FunctionName": function,
        JOBS_FAILED: failed,
    })
    .to_string()
}

/// Writes the line to stdout (where Lambda's log capture reads it) when jobs failed in
/// Lambda; elsewhere the failures' own log lines are enough.
pub fn record_jobs_failed(failed: usize) {
    if failed == 0 {
        return;
    }
    if let Ok(function) = std::env::var("AWS_LAMBDA_FUNCTION_NAME") {
        println!("{}", jobs_failed_line(&function, failed, Utc::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_embedded_metric_format() {
        let at = DateTime::from_timestamp_millis(1_764_000_000_123).unwrap();
        let line: serde_json::Value = serde_json::from_str(&jobs_failed_line("stack-Worker-1", 3, at)).unwrap();
        assert_eq!(line["_aws"]["Timestamp"], 1_764_000_000_123_i64);
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "Leadflow");
        assert_eq!(directive["Dimensions"], json!([["FunctionName"]]));
        assert_eq!(directive["Metrics"][0], json!({"Name": "JobsFailed", "Unit": "Count"}));
        // Every dimension and metric named in the directive is a top-level member.
        assert_eq!((line["FunctionName"].as_str(), line["JobsFailed"].as_u64()), (Some("stack-Worker-1"), Some(3)));
    }

    #[test]
    fn the_template_alarms_on_this_metric() {
        let template = include_str!("../../../template.yaml");
        let alarm = &template[template.find("  JobsFailedAlarm:").expect("JobsFailedAlarm in template.yaml")..];
        let alarm = &alarm[..alarm.find("\n\n").unwrap_or(alarm.len())];
        assert!(alarm.contains(&format!("Namespace: {NAMESPACE}")), "{alarm}");
        assert!(alarm.contains(&format!("MetricName: {JOBS_FAILED}")), "{alarm}");
    }
}
