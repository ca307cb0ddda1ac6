//! The DDEX part of `isrc check`'s reports: the findings of the ERN and DSR rules, and each
//! DSR's figures (usage on valid ISRCs, the money at risk).

use std::io::Write;

use isrc_check::Summary;

use crate::check_report::{counted, neutralised, thousands};
use crate::style;

/// How many findings the human report shows.
const SHOWN: usize = 20;

/// The DDEX section of the human report (nothing when no ERN or DSR was read).
pub(crate) fn write_human(out: &mut dyn Write, s: &Summary) -> std::io::Result<()> {
    let Some(x) = &s.exchange else {
        return Ok(());
    };
    let (b, b_) = (style::BOLD.render(), style::BOLD.render_reset());
    if x.ern_messages > 0 {
        let versions: Vec<String> = x
            .ern_versions
            .iter()
            .map(|(v, n)| format!("{} in ERN {v}", thousands(*n)))
            .collect();
        writeln!(
            out,
            "\n{b}DDEX ERN{b_}: {} ({})",
            counted(x.ern_messages, "message", "messages"),
            versions.join(", ")
        )?;
    }
    if !x.by_rule.is_empty() {
        let rules: Vec<String> = x
            .by_rule
            .iter()
            .map(|(r, n)| format!("{r} {}", thousands(*n)))
            .collect();
        writeln!(
            out,
            "{b}DDEX rules{b_}: {}, {}: {}",
            counted(x.findings.total, "finding", "findings"),
            counted(x.errors, "error", "errors"),
            rules.join(", ")
        )?;
        for f in x.findings.listed.iter().take(SHOWN) {
            let colour = if f.severity == "error" {
                style::ERROR
            } else {
                style::WARNING
            };
            writeln!(
                out,
                "  {}{}{} {}  {}\n      {}",
                colour.render(),
                f.rule,
                colour.render_reset(),
                f.location,
                f.path,
                f.message
            )?;
        }
        if x.findings.total > SHOWN as u64 {
            writeln!(
                out,
                "  ... and {} more (--format json or csv lists them)",
                thousands(x.findings.total - SHOWN as u64)
            )?;
        }
    }
    for d in &x.dsr {
        writeln!(
            out,
            "\n{b}DSR {}{b_} ({} {}, {}): {}, {}, {:.2}% with a valid ISRC",
            d.file,
            d.profile,
            d.profile_version,
            d.message_version,
            counted(d.resource_records, "resource record", "resource records"),
            counted(d.usage_lines, "usage line", "usage lines"),
            d.valid_share * 100.0
        )?;
        let money = match (d.usages_at_risk, d.revenue_at_risk) {
            (None, None) => "usages and revenue unknown (no #SU header row names them)".to_owned(),
            (u, r) => format!(
                "{} usages and {} revenue",
                u.map_or("unknown".into(), |u| format!("{u}")),
                r.map_or("unknown".into(), |r| format!("{r:.2}"))
            ),
        };
        writeln!(
            out,
            "  at risk (on resources without a valid ISRC): {}, {money}",
            counted(
                d.usage_lines - d.usage_lines_valid_isrc,
                "usage line",
                "usage lines"
            )
        )?;
        writeln!(
            out,
            "  {} with several ISRCs, {} under several DspResourceIds, {} in blocks without a resource",
            counted(
                d.resources_with_several_isrcs,
                "DspResourceId",
                "DspResourceIds"
            ),
            counted(d.isrcs_with_several_resources, "ISRC", "ISRCs"),
            counted(d.usage_lines_without_resource, "usage line", "usage lines")
        )?;
        for v in d.invalid_values.listed.iter().take(10) {
            writeln!(
                out,
                "  {:?} line {}: {}{}  [{}]",
                v.value,
                thousands(v.line),
                counted(v.usage_lines, "usage line", "usage lines"),
                v.revenue
                    .map_or(String::new(), |r| format!(", revenue {r:.2}")),
                v.rules.join(" ")
            )?;
        }
    }
    Ok(())
}

/// The DDEX rows of `--format csv`: `ddex` (a rule's finding: the value in `value`, the
/// rule in `rule`, the XPath-like location and the message in `detail`) and
/// `dsr_invalid_value` (the usage lines, usages and revenue attached in `detail`).
pub(crate) fn write_csv<W: Write>(w: &mut csv::Writer<W>, s: &Summary) -> std::io::Result<()> {
    let Some(x) = &s.exchange else {
        return Ok(());
    };
    for f in &x.findings.listed {
        w.write_record([
            "ddex",
            &f.location.file,
            &f.location.line.to_string(),
            &f.location.column.to_string(),
            "",
            &neutralised(f.value.as_deref().unwrap_or_default()),
            f.rule,
            "",
            &format!("{}: {}", f.path, f.message),
        ])?;
    }
    for d in &x.dsr {
        for v in &d.invalid_values.listed {
            w.write_record([
                "dsr_invalid_value",
                &d.file,
                &v.line.to_string(),
                "",
                "",
                &neutralised(&v.value),
                &v.rules.join(" "),
                "",
                &format!(
                    "{} usage lines, usages {}, revenue {}",
                    v.usage_lines,
                    v.usages.map_or("unknown".into(), |u| u.to_string()),
                    v.revenue.map_or("unknown".into(), |r| r.to_string())
                ),
            ])?;
        }
    }
    Ok(())
}

/// Findings of the DDEX rules that make the exit status 1: errors, and warnings with
/// `--fail-on warnings`.
pub(crate) fn failing(s: &Summary, warnings: bool) -> bool {
    s.exchange
        .as_ref()
        .is_some_and(|x| x.errors > 0 || (warnings && x.findings.total > x.errors))
}
