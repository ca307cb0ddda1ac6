//! The reports of `isrc check` for people (tables) and programs (CSV): what the JSON report
//! holds, written another way.

use std::io::Write;
use std::path::PathBuf;

use isrc_check::Summary;

use crate::style;

/// One finding a row: invalid codes and input problems in input order, then duplicates and
/// conflicts, most records first (each list capped by --max-listed, as in the JSON report).
pub(crate) fn write_findings_csv(out: &mut dyn Write, summary: &Summary) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "kind", "file", "line", "column", "isrc", "value", "rule", "fix", "detail",
    ])?;
    for c in &summary.invalid_codes.listed {
        let alternatives: Vec<String> = c.alternatives.iter().map(|a| a.to_string()).collect();
        let detail = if alternatives.is_empty() {
            String::new()
        } else {
            format!("may be read as {}", alternatives.join(" or "))
        };
        w.write_record([
            "invalid_code",
            &c.file,
            &c.line.to_string(),
            "",
            "",
            &neutralised(&c.value),
            &c.rules.join(" "),
            &c.fix.map(|f| f.to_string()).unwrap_or_default(),
            &detail,
        ])?;
    }
    for i in &summary.input_problems.listed {
        w.write_record([
            "input_problem",
            &i.location.file,
            &i.location.line.to_string(),
            &i.location.column.to_string(),
            "",
            "",
            "",
            "",
            &i.message,
        ])?;
    }
    for d in &summary.possible_duplicate_recordings.listed {
        w.write_record([
            "possible_duplicate_recording",
            &d.other_file,
            &d.other_line.to_string(),
            "",
            &d.other_isrc.to_string(),
            "",
            "",
            "",
            &format!(
                "the same recording as {} ({} line {})",
                d.isrc, d.file, d.line
            ),
        ])?;
    }
    for (kind, list) in [
        ("duplicate", &summary.duplicates),
        ("conflict", &summary.conflicts),
    ] {
        for d in &list.listed {
            let first = d.lines.first();
            w.write_record([
                kind,
                first.map_or("", |p| p.file.as_str()),
                &first.map(|p| p.line.to_string()).unwrap_or_default(),
                "",
                &d.isrc.to_string(),
                "",
                "",
                "",
                &duplicate_detail(d),
            ])?;
        }
    }
    if let Some(against) = &summary.against {
        write_comparison_csv(&mut w, against)?;
    }
    crate::check_ddex::write_csv(&mut w, summary)?;
    w.flush()
}

/// `--against` rows: `added`, `removed` (where the code is, in the older file) and
/// `changed` (the fields that changed in `rule`, the older file's line in `detail`).
fn write_comparison_csv<W: Write>(
    w: &mut csv::Writer<W>,
    against: &isrc_check::Comparison,
) -> std::io::Result<()> {
    for (kind, list) in [("added", &against.added), ("removed", &against.removed)] {
        for c in &list.listed {
            w.write_record([
                kind,
                &c.file,
                &c.line.to_string(),
                "",
                &c.isrc.to_string(),
                "",
                "",
                "",
                "",
            ])?;
        }
    }
    for c in &against.changed.listed {
        w.write_record([
            "changed",
            &c.file,
            &c.line.to_string(),
            "",
            &c.isrc.to_string(),
            "",
            &c.fields.join(" "),
            "",
            &format!(
                "{} changed since {} line {}",
                c.fields.join(", "),
                c.old_file,
                c.old_line
            ),
        ])?;
    }
    Ok(())
}

/// Where a duplicate's first record is: `in FILE line N` (the line where the record
/// starts, whatever the header, blank lines or multi-line quoted fields before it).
fn first_place(d: &isrc_check::Duplicate) -> Option<String> {
    let (file, line) = (d.first_file.as_deref()?, d.first_line?);
    Some(format!("in {file} line {}", thousands(line)))
}

/// A duplicate or conflict in words: how many records, on which lines, and for a conflict
/// which fields differ and where each value is.
fn duplicate_detail(d: &isrc_check::Duplicate) -> String {
    let mut detail = format!("{} records", d.records);
    if !d.lines.is_empty() {
        let one_file = d.lines.iter().all(|p| p.file == d.lines[0].file);
        detail.push_str(&format!(", {}", lines_text(&d.lines, one_file)));
        if (d.lines.len() as u64) < d.records {
            detail.push_str(&format!(" and {} more", d.records - d.lines.len() as u64));
        }
    } else if let Some(at) = first_place(d) {
        detail.push_str(&format!(", the first {at}"));
    }
    for f in &d.differing {
        let values: Vec<String> = f
            .values
            .iter()
            .map(|v| {
                let one_file = v.lines.iter().all(|p| p.file == v.lines[0].file);
                match v.seconds {
                    Some(s) => format!("{s} s on {}", lines_text(&v.lines, one_file)),
                    None => lines_text(&v.lines, one_file),
                }
            })
            .collect();
        let field = match f.field {
            "title_artist" => "title or artist",
            other => other,
        };
        detail.push_str(&format!("; {field} differs: {}", values.join(" vs ")));
    }
    detail
}

/// `line 2` / `lines 2, 5` (with the file before each line when the lines are in several).
fn lines_text(lines: &[isrc_check::Place], one_file: bool) -> String {
    let each: Vec<String> = lines
        .iter()
        .map(|p| {
            if one_file {
                p.line.to_string()
            } else {
                format!("{}:{}", p.file, p.line)
            }
        })
        .collect();
    let word = if lines.len() == 1 { "line" } else { "lines" };
    format!("{word} {}", each.join(", "))
}

/// A value from the input, made safe for a spreadsheet: text that begins with `=`, `+`,
/// `-`, `@`, a tab or a carriage return would be run as a formula, so it gets a leading `'`.
pub(crate) fn neutralised(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

pub(crate) fn write_prefix_csv(out: &mut dyn Write, summary: &Summary) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "prefix", "records", "problems", "invalid", "share", "rules", "examples",
    ])?;
    for g in &summary.prefixes {
        let rules: Vec<String> = g.rules.iter().map(|(r, n)| format!("{r}:{n}")).collect();
        let examples: Vec<String> = g
            .examples
            .iter()
            .map(|e| format!("{} (line {})", e.input, e.line))
            .collect();
        w.write_record([
            g.prefix.clone(),
            g.records.to_string(),
            g.problems.to_string(),
            g.invalid.to_string(),
            format!("{:.4}", g.share),
            rules.join(" "),
            examples.join("; "),
        ])?;
    }
    w.flush()
}

/// `n` with its noun, singular when `n` is 1 ("1 record", "2 records"), the number with
/// thousands separators.
pub(crate) fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `n` with commas between its groups of three digits.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn write_human(
    out: &mut dyn Write,
    s: &Summary,
    files: &[PathBuf],
) -> std::io::Result<()> {
    let (b, b_) = (style::BOLD.render(), style::BOLD.render_reset());
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    writeln!(
        out,
        "{b}{}{b_}: {}, {}{} valid{}, {}{} invalid{}",
        names.join(", "),
        counted(s.records, "record", "records"),
        style::VALID.render(),
        thousands(s.valid),
        style::VALID.render_reset(),
        if s.invalid > 0 {
            style::ERROR.render().to_string()
        } else {
            String::new()
        },
        thousands(s.invalid),
        if s.invalid > 0 {
            style::ERROR.render_reset().to_string()
        } else {
            String::new()
        },
    )?;
    if s.extra_codes > 0 {
        writeln!(
            out,
            "  ({} of the records are second or later codes of cells holding several, each checked on its cell's line)",
            thousands(s.extra_codes)
        )?;
    }
    if !s.by_rule.is_empty() {
        writeln!(out, "\n{b}Findings by rule{b_} (records)")?;
        let mut rules: Vec<(&&str, &u64)> = s.by_rule.iter().collect();
        rules.sort_by(|x, y| y.1.cmp(x.1).then(x.0.cmp(y.0)));
        for (id, n) in rules {
            let severity = id
                .parse::<isrc::rule::Rule>()
                .map(|r| r.default_severity())
                .unwrap_or(isrc::rule::Severity::Error);
            let label = style::severity(severity);
            writeln!(
                out,
                "  {:<28} {:>12}  {}{}{}",
                id,
                thousands(*n),
                label.render(),
                severity,
                label.render_reset()
            )?;
        }
    }
    for input in &s.inputs {
        if !input.conflicts_checked {
            writeln!(out, "\n{}: conflicts {}", input.file, input.conflicts)?;
        }
    }
    writeln!(
        out,
        "\n{b}Duplicates{b_}: {} in more than one record, {} with conflicting title/artist/version/duration",
        counted(s.duplicate_isrcs, "ISRC", "ISRCs"),
        thousands(s.conflicting_isrcs)
    )?;
    for d in s.top_duplicates.iter().take(10) {
        writeln!(
            out,
            "  {}  {:>6} records{}{}",
            d.isrc,
            thousands(d.records),
            first_place(d)
                .map(|at| format!("  first {at}"))
                .unwrap_or_default(),
            if d.conflict { "  conflict" } else { "" }
        )?;
    }
    let recordings = &s.possible_duplicate_recordings;
    if recordings.total > 0 {
        writeln!(
            out,
            "\n{b}Possible duplicate recordings{b_}: {} under two ISRCs (same title, artist and version, durations within 10 s)",
            counted(recordings.total, "recording", "recordings")
        )?;
        for d in recordings.listed.iter().take(10) {
            writeln!(
                out,
                "  {} line {}  and  {} line {}",
                d.isrc,
                thousands(d.line),
                d.other_isrc,
                thousands(d.other_line)
            )?;
        }
    }
    if !s.prefixes.is_empty() {
        writeln!(
            out,
            "\n{b}Worst prefixes{b_} (send each registrant its list; --format prefixes-csv for all)"
        )?;
        writeln!(
            out,
            "  {:<8} {:>10} {:>10} {:>7}  {:<40} example",
            "prefix", "records", "problems", "share", "rules"
        )?;
        for g in s.prefixes.iter().take(10) {
            let rules: Vec<String> = g.rules.iter().map(|(r, n)| format!("{r}:{n}")).collect();
            let example = g
                .examples
                .first()
                .map(|e| format!("{:?} line {}", e.input, e.line))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:<8} {:>10} {:>10} {:>6.1}%  {:<40} {}",
                if g.prefix.is_empty() {
                    "(none)"
                } else {
                    &g.prefix
                },
                thousands(g.records),
                thousands(g.problems),
                g.share * 100.0,
                rules.join(" "),
                example
            )?;
        }
        if s.prefixes.len() > 10 {
            writeln!(out, "  ... and {} more prefixes", s.prefixes.len() - 10)?;
        }
    }
    if let Some(against) = &s.against {
        write_comparison(out, against)?;
    }
    if let Some(gaps) = &s.gaps {
        writeln!(out, "\n{b}Designation gaps{b_} per prefix and year")?;
        for g in gaps {
            let ranges: Vec<String> = g
                .missing_ranges
                .iter()
                .take(5)
                .map(|(a, z)| {
                    if a == z {
                        format!("{a:05}")
                    } else {
                        format!("{a:05}-{z:05}")
                    }
                })
                .collect();
            writeln!(
                out,
                "  {}  {:05}-{:05}  {}, {} missing{}, {} out of order",
                g.prefix_year,
                g.first,
                g.last,
                counted(g.designations, "code", "codes"),
                thousands(g.missing),
                if ranges.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", ranges.join(", "))
                },
                thousands(g.out_of_order)
            )?;
        }
    }
    crate::check_ddex::write_human(out, s)?;
    Ok(())
}

/// The `--against` table: the counts, then the first codes of each list.
fn write_comparison(out: &mut dyn Write, c: &isrc_check::Comparison) -> std::io::Result<()> {
    let (b, b_) = (style::BOLD.render(), style::BOLD.render_reset());
    writeln!(
        out,
        "\n{b}Against {}{b_} ({}, {}): {} added, {} removed, {} changed, {} unchanged",
        c.file,
        counted(c.records, "record", "records"),
        counted(c.codes, "code", "codes"),
        thousands(c.added.total),
        thousands(c.removed.total),
        thousands(c.changed.total),
        thousands(c.unchanged)
    )?;
    if c.input_problems > 0 {
        writeln!(
            out,
            "  {} in {}: rows there that could not be read are not compared",
            counted(c.input_problems, "input problem", "input problems"),
            c.file
        )?;
    }
    for (what, list) in [("added  ", &c.added), ("removed", &c.removed)] {
        for l in list.listed.iter().take(10) {
            writeln!(
                out,
                "  {what}  {}  {} line {}",
                l.isrc,
                l.file,
                thousands(l.line)
            )?;
        }
        if list.total > 10 {
            writeln!(out, "  {what}  ... and {} more", thousands(list.total - 10))?;
        }
    }
    for l in c.changed.listed.iter().take(10) {
        writeln!(
            out,
            "  changed  {}  {:<24} line {} (was line {})",
            l.isrc,
            l.fields.join(", "),
            thousands(l.line),
            thousands(l.old_line)
        )?;
    }
    if c.changed.total > 10 {
        writeln!(
            out,
            "  changed  ... and {} more (--format csv for all)",
            thousands(c.changed.total - 10)
        )?;
    }
    Ok(())
}
