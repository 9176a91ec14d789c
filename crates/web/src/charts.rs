//! The product's one chart: a server-rendered SVG line or step chart of
//! values over time, always with a table carrying the same numbers.
//!
//! # Contract
//! - No script and no `style=""` (the Content-Security-Policy forbids inline
//!   styles): the SVG uses presentation attributes and classes that
//!   `rapport.css` colours (`.chart .series-N`).
//! - Accessible: the `<svg>` has `role="img"` and `aria-labelledby` naming its
//!   `<title>` and a `<desc>` that states the latest value of each series; the
//!   table alternative (`chart.html`, in a `<details>`) lists every point.
//! - Times on the x axis and in the table are dates in the viewer's zone.
//! - Every label is escaped here; the template puts `svg` in the page as is.
//!
//! Use it by building a [`LineChart`] and rendering it with
//! [`LineChart::render`], then `{% include "chart.html" %}` with the result
//! bound to `chart`. Goal progress is the first user; usability and growth
//! figures reuse it.

use rapport_domain::values::TimeZoneName;

/// One line on the chart.
#[derive(Clone, Debug)]
pub struct Series {
    /// What the line shows (legend and table).
    pub label: String,
    /// `(time in Unix ms, value)`, in time order.
    pub points: Vec<(i64, f64)>,
}

/// A chart of values over time.
#[derive(Clone, Debug)]
pub struct LineChart {
    /// Unique on the page; the SVG's ids derive from it (letters, digits, `-`).
    pub id: String,
    /// The heading of the chart, and its accessible name.
    pub title: String,
    /// What the values are ("Progress (%)").
    pub y_label: String,
    /// The top of the y axis (the bottom is 0).
    pub y_max: f64,
    /// Draw steps (a value holds until the next one) instead of straight lines.
    pub step: bool,
    /// Extend the x axis (and a step line's last value) to this time (ms), such as now.
    pub until: Option<i64>,
    /// The lines.
    pub series: Vec<Series>,
}

/// A rendered chart: the SVG, and the same numbers as table rows.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Id, as given.
    pub id: String,
    /// Title.
    pub title: String,
    /// The value column's heading.
    pub y_label: String,
    /// The first column's heading: "Date" for a line chart, the categories
    /// for a bar chart.
    pub x_label: String,
    /// The SVG element, escaped and ready to place in a page; empty when
    /// there is nothing to draw.
    pub svg: String,
    /// Whether the table needs a series column (more than one series).
    pub many: bool,
    /// Table rows: (date in the viewer's zone, series label, value).
    pub rows: Vec<(String, String, String)>,
}

impl Chart {
    /// Nothing to draw: the template shows the empty state.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 48.0;
const DAY: i64 = 24 * 60 * 60 * 1000;

/// Escapes text for XML and HTML content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as people read it: whole numbers without decimals.
fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

impl LineChart {
    /// Renders the chart for a viewer in `zone`.
    pub fn render(&self, zone: &TimeZoneName) -> Chart {
        let id: String = self
            .id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let many = self.series.len() > 1;
        let mut rows = vec![];
        for s in &self.series {
            for (t, v) in &s.points {
                rows.push((*t, zone.local_date(*t), s.label.clone(), number(*v)));
            }
        }
        rows.sort_by_key(|r| r.0);
        let rows: Vec<(String, String, String)> =
            rows.into_iter().map(|(_, d, l, v)| (d, l, v)).collect();
        let mut chart = Chart {
            id: id.clone(),
            title: self.title.clone(),
            y_label: self.y_label.clone(),
            x_label: "Date".into(),
            svg: String::new(),
            many,
            rows,
        };
        let times = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0));
        let (Some(t0), Some(t1)) = (times.clone().min(), times.max()) else {
            return chart;
        };
        let mut t1 = self.until.map_or(t1, |u| u.max(t1));
        // One point, or every point on one day: the axis spans into the next
        // day in the viewer's zone, so its ends carry two different dates
        // (stepping by hours, as a day of a clock change is not 24 hours).
        while t1 <= t0 || zone.local_date(t1) == zone.local_date(t0) {
            t1 += DAY / 4;
        }
        let y_max = if self.y_max > 0.0 { self.y_max } else { 1.0 };
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let x = |t: i64| LEFT + (t - t0) as f64 / (t1 - t0) as f64 * plot_w;
        let y = |v: f64| TOP + plot_h - (v.clamp(0.0, y_max) / y_max) * plot_h;

        let mut svg = String::new();
        let desc: Vec<String> = self
            .series
            .iter()
            .filter_map(|s| {
                s.points
                    .last()
                    .map(|(t, v)| format!("{}: {} on {}", s.label, number(*v), zone.local_date(*t)))
            })
            .collect();
        svg.push_str(&format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" focusable="false">"#
        ));
        svg.push_str(&format!(
            r#"<title id="{id}-title">{}</title><desc id="{id}-desc">Latest: {}. The table below lists every value.</desc>"#,
            escape(&self.title),
            escape(&desc.join("; "))
        ));
        // Y axis: five ticks from 0 to the top, with grid lines.
        for i in 0..=4 {
            let v = y_max * f64::from(i) / 4.0;
            let yy = y(v);
            svg.push_str(&format!(
                r#"<line class="gridline" x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="currentColor" stroke-opacity="0.15"/>"#,
                WIDTH - RIGHT
            ));
            svg.push_str(&format!(
                r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="end" font-size="12" fill="currentColor">{}</text>"#,
                LEFT - 6.0,
                yy + 4.0,
                escape(&number(v))
            ));
        }
        // X axis: the first and last day and two between, each date once:
        // the ends first, then a middle tick only when its date is new.
        let mut labelled: Vec<String> = vec![];
        for i in [0, 3, 1, 2] {
            let t = t0 + (t1 - t0) * i / 3;
            let label = zone.local_date(t);
            if labelled.contains(&label) {
                continue;
            }
            labelled.push(label);
            let xx = x(t);
            let anchor = match i {
                0 => "start",
                3 => "end",
                _ => "middle",
            };
            svg.push_str(&format!(
                r#"<line class="axis" x1="{xx:.1}" y1="{:.1}" x2="{xx:.1}" y2="{:.1}" stroke="currentColor"/>"#,
                TOP + plot_h,
                TOP + plot_h + 5.0
            ));
            svg.push_str(&format!(
                r#"<text class="tick" x="{xx:.1}" y="{:.1}" text-anchor="{anchor}" font-size="12" fill="currentColor">{}</text>"#,
                TOP + plot_h + 18.0,
                escape(labelled.last().map_or("", String::as_str))
            ));
        }
        svg.push_str(&format!(
            r#"<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{:.1}" stroke="currentColor"/><line class="axis" x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="currentColor"/>"#,
            TOP + plot_h,
            TOP + plot_h,
            WIDTH - RIGHT,
            TOP + plot_h
        ));
        svg.push_str(&format!(
            r#"<text class="axis-label" x="12" y="{:.1}" font-size="12" fill="currentColor" transform="rotate(-90 12 {:.1})" text-anchor="middle">{}</text>"#,
            TOP + plot_h / 2.0,
            TOP + plot_h / 2.0,
            escape(&self.y_label)
        ));
        for (n, s) in self.series.iter().enumerate() {
            let class = format!("series series-{}", n % 4);
            let mut d = String::new();
            for (i, (t, v)) in s.points.iter().enumerate() {
                let (xx, yy) = (x(*t), y(*v));
                if i == 0 {
                    d.push_str(&format!("M{xx:.1} {yy:.1}"));
                } else if self.step {
                    d.push_str(&format!(" H{xx:.1} V{yy:.1}"));
                } else {
                    d.push_str(&format!(" L{xx:.1} {yy:.1}"));
                }
            }
            if self.step {
                if let Some(u) = self.until {
                    d.push_str(&format!(" H{:.1}", x(u.max(t0))));
                }
            }
            svg.push_str(&format!(
                r#"<g class="{class}"><path d="{d}" fill="none" stroke="currentColor" stroke-width="2"/>"#
            ));
            for (t, v) in &s.points {
                svg.push_str(&format!(
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="currentColor"/>"#,
                    x(*t),
                    y(*v)
                ));
            }
            svg.push_str("</g>");
            if many {
                svg.push_str(&format!(
                    r#"<text class="legend {class}" x="{:.1}" y="{:.1}" font-size="12" fill="currentColor">{}</text>"#,
                    LEFT + 120.0 * n as f64,
                    HEIGHT - 8.0,
                    escape(&s.label)
                ));
            }
        }
        svg.push_str("</svg>");
        chart.svg = svg;
        chart
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(points: Vec<(i64, f64)>) -> LineChart {
        LineChart {
            id: "goal-1".into(),
            title: "Progress of <b>\"speak\" & listen</b>".into(),
            y_label: "Progress (%)".into(),
            y_max: 100.0,
            step: true,
            until: None,
            series: vec![Series {
                label: "Progress <x>".into(),
                points,
            }],
        }
    }

    const T: i64 = 1_780_000_000_000;

    #[test]
    fn draws_valid_svg_with_a_title_and_the_same_numbers_in_the_table() {
        let c = chart(vec![(T, 0.0), (T + 3 * DAY, 50.0), (T + 9 * DAY, 100.0)])
            .render(&TimeZoneName::utc());
        assert!(c.svg.starts_with("<svg ") && c.svg.ends_with("</svg>"));
        assert!(c
            .svg
            .contains(r#"role="img" aria-labelledby="goal-1-title goal-1-desc""#));
        assert!(c.svg.contains(r#"<title id="goal-1-title">"#));
        // Well formed: every element opened is closed (a tiny XML check).
        let opens = c.svg.matches("<g ").count();
        assert_eq!(opens, c.svg.matches("</g>").count());
        assert_eq!(
            c.svg.matches("<svg").count(),
            c.svg.matches("</svg>").count()
        );
        assert!(!c.svg.contains("style="), "the CSP forbids inline styles");
        assert!(c.svg.contains(" H"), "a step chart: {}", c.svg);
        let values: Vec<&str> = c.rows.iter().map(|r| r.2.as_str()).collect();
        assert_eq!(values, ["0", "50", "100"]);
        assert_eq!(c.rows[0].0, TimeZoneName::utc().local_date(T));
        assert!(!c.many);
    }

    #[test]
    fn labels_are_escaped() {
        let c = chart(vec![(T, 10.0)]).render(&TimeZoneName::utc());
        assert!(!c.svg.contains("<b>"));
        assert!(c
            .svg
            .contains("&lt;b&gt;&quot;speak&quot; &amp; listen&lt;/b&gt;"));
        assert!(c.svg.contains("Progress &lt;x&gt;: 10"));
        assert_eq!(escape("a'b"), "a&#39;b");
    }

    #[test]
    fn nothing_to_draw_is_the_empty_state() {
        let c = chart(vec![]).render(&TimeZoneName::utc());
        assert!(c.is_empty());
        assert!(c.svg.is_empty());
    }

    #[test]
    fn dates_are_in_the_viewers_zone() {
        // 23:30 UTC on one day is the next morning in Auckland.
        let t = 1_780_011_000_000;
        let auckland = TimeZoneName::parse("z", "Pacific/Auckland").unwrap();
        let c = chart(vec![(t, 5.0)]).render(&auckland);
        assert_eq!(c.rows[0].0, auckland.local_date(t));
        assert_ne!(c.rows[0].0, TimeZoneName::utc().local_date(t));
        assert!(c.svg.contains(&auckland.local_date(t)));
    }

    /// The dates on the x axis (the y axis's ticks are numbers).
    fn tick_dates(svg: &str) -> Vec<String> {
        svg.split(r#"<text class="tick" "#)
            .skip(1)
            .map(|t| {
                t.split('>')
                    .nth(1)
                    .unwrap()
                    .split('<')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .filter(|l| l.parse::<f64>().is_err())
            .collect()
    }

    #[test]
    fn a_single_point_or_a_single_day_never_repeats_a_date() {
        let utc = TimeZoneName::utc();
        let kolkata = TimeZoneName::parse("z", "Asia/Kolkata").unwrap();
        let london = TimeZoneName::parse("z", "Europe/London").unwrap();
        // 2026-10-25 00:30 in London, the day the clocks go back (25 hours).
        let long_day = 1_792_884_600_000;
        for (points, zone) in [
            (vec![(T, 10.0)], &utc),
            (vec![(T, 10.0)], &kolkata),
            (
                vec![(T, 10.0), (T + 60_000, 20.0), (T + 3_600_000, 30.0)],
                &utc,
            ),
            (vec![(long_day, 1.0)], &london),
        ] {
            let first = zone.local_date(points[0].0);
            let c = chart(points).render(zone);
            let dates = tick_dates(&c.svg);
            let mut unique = dates.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), dates.len(), "a date repeats: {dates:?}");
            assert!(dates.len() >= 2, "the axis names two days: {dates:?}");
            assert_eq!(dates[0], first);
        }
        // A span of many days keeps all four ticks.
        let c = chart(vec![(T, 0.0), (T + 9 * DAY, 100.0)]).render(&utc);
        assert_eq!(tick_dates(&c.svg).len(), 4);
    }

    #[test]
    fn many_series_get_a_legend_and_a_series_column() {
        let mut lc = chart(vec![(T, 1.0)]);
        lc.step = false;
        lc.series.push(Series {
            label: "Other".into(),
            points: vec![(T, 2.0), (T + DAY, 3.0)],
        });
        let c = lc.render(&TimeZoneName::utc());
        assert!(c.many);
        assert!(c.svg.contains("series-1"));
        assert!(c.svg.contains(" L"));
        assert_eq!(c.rows.len(), 3);
    }
}

// Roadmaps (H6): a progress bar, the same contract as the line chart (SVG
// with a title and description, no script, no inline style, text beside it).

/// A horizontal bar of how much of something is done, as SVG.
#[derive(Clone, Debug)]
pub struct ProgressBar {
    /// Unique on the page (letters, digits, `-`).
    pub id: String,
    /// What it measures ("Progress on Lead a team").
    pub title: String,
    /// Parts done (done + skipped steps).
    pub done: usize,
    /// Parts in all.
    pub total: usize,
}

impl ProgressBar {
    /// Whole percent done.
    pub fn percent(&self) -> usize {
        (self.done * 100).checked_div(self.total).unwrap_or(0)
    }

    /// The same figures in words: "2 of 7 steps (28%)".
    pub fn text(&self) -> String {
        format!(
            "{} of {} steps ({}%)",
            self.done,
            self.total,
            self.percent()
        )
    }

    /// The SVG element, escaped and ready to place in a page.
    pub fn svg(&self) -> String {
        const W: f64 = 240.0;
        let filled = if self.total == 0 {
            0.0
        } else {
            W * self.done as f64 / self.total as f64
        };
        let id = escape(&self.id);
        format!(
            concat!(
                "<svg class=\"chart-svg progress-bar\" viewBox=\"0 0 {w} 16\" width=\"{w}\" height=\"16\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\">",
                "<title id=\"{id}-t\">{title}</title><desc id=\"{id}-d\">{text}</desc>",
                "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"16\" rx=\"4\" fill=\"none\" stroke=\"currentColor\"/>",
                "<rect class=\"series-0\" x=\"0\" y=\"0\" width=\"{filled:.1}\" height=\"16\" rx=\"4\" fill=\"currentColor\"/>",
                "</svg>"
            ),
            w = W,
            id = id,
            title = escape(&self.title),
            text = escape(&self.text()),
            filled = filled,
        )
    }
}

#[cfg(test)]
mod progress_bar_tests {
    use super::ProgressBar;

    #[test]
    fn a_bar_states_its_figures_in_words_and_escapes_its_title() {
        let b = ProgressBar {
            id: "p-1".into(),
            title: "Progress on <Lead>".into(),
            done: 2,
            total: 8,
        };
        assert_eq!(b.text(), "2 of 8 steps (25%)");
        let svg = b.svg();
        assert!(svg.contains("width=\"60.0\""), "{svg}");
        assert!(svg.contains("&lt;Lead&gt;") && !svg.contains("<Lead>"));
        assert!(svg.contains("role=\"img\"") && !svg.contains("style="));
        let empty = ProgressBar {
            total: 0,
            done: 0,
            ..b
        };
        assert_eq!(empty.percent(), 0);
    }
}

// Issue 20 / issue 18 §6 (H5): a bar chart of counts by category, for
// histograms (mentor load, time waiting) and reasons. The same contract as
// the line chart, and the same `Chart` output and template.

/// A horizontal bar chart: one bar per category, each labelled above its
/// bar (so long labels such as reasons fit), with its count at its end.
#[derive(Clone, Debug)]
pub struct BarChart {
    /// Unique on the page; the SVG's ids derive from it (letters, digits, `-`).
    pub id: String,
    /// The heading of the chart, and its accessible name.
    pub title: String,
    /// What the categories are (the table's first column): "Load ÷ capacity".
    pub x_label: String,
    /// What the values count (the table's value column): "Mentors".
    pub y_label: String,
    /// `(category, count)`, in the order to draw. A histogram passes its
    /// buckets in order, empty ones included.
    pub bars: Vec<(String, f64)>,
}

/// Labels longer than this are cut in the SVG (the table has them whole).
const BAR_LABEL_CHARS: usize = 80;

impl BarChart {
    /// Renders the chart. Nothing to draw (no bars, or every bar 0) is the
    /// empty state.
    pub fn render(&self) -> Chart {
        let id: String = self
            .id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let mut chart = Chart {
            id: id.clone(),
            title: self.title.clone(),
            y_label: self.y_label.clone(),
            x_label: self.x_label.clone(),
            svg: String::new(),
            many: false,
            rows: vec![],
        };
        if self.bars.iter().all(|(_, v)| *v <= 0.0) {
            return chart;
        }
        chart.rows = self
            .bars
            .iter()
            .map(|(l, v)| (l.clone(), String::new(), number(*v)))
            .collect();
        let cut = |label: &str| -> String {
            if label.chars().count() > BAR_LABEL_CHARS {
                label
                    .chars()
                    .take(BAR_LABEL_CHARS - 1)
                    .chain(['…'])
                    .collect()
            } else {
                label.to_string()
            }
        };
        const ROW: f64 = 40.0;
        let height = TOP + ROW * self.bars.len() as f64 + 8.0;
        let top = self.bars.iter().map(|b| b.1).fold(0.0, f64::max);
        // Room at the right for the largest count's text.
        let span = WIDTH - 16.0 - 56.0;
        let largest = self
            .bars
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(l, v)| format!("{} ({})", cut(l), number(*v)))
            .unwrap_or_default();
        let mut svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg bar-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" focusable="false">"#
        );
        svg.push_str(&format!(
            r#"<title id="{id}-title">{}</title><desc id="{id}-desc">{} in {} bars; the largest: {}. The table below lists every value.</desc>"#,
            escape(&self.title),
            escape(&self.y_label),
            self.bars.len(),
            escape(&largest)
        ));
        for (i, (label, v)) in self.bars.iter().enumerate() {
            let y = TOP + ROW * i as f64;
            let w = if top > 0.0 {
                span * v.max(0.0) / top
            } else {
                0.0
            };
            let shown = cut(label);
            svg.push_str(&format!(
                r#"<text class="tick" x="16" y="{:.1}" font-size="12" fill="currentColor">{}</text>"#,
                y + 2.0,
                escape(&shown)
            ));
            svg.push_str(&format!(
                r#"<g class="series series-0"><rect x="16" y="{:.1}" width="{w:.1}" height="16" fill="currentColor"/></g>"#,
                y + 8.0
            ));
            svg.push_str(&format!(
                r#"<text class="tick" x="{:.1}" y="{:.1}" font-size="12" fill="currentColor">{}</text>"#,
                16.0 + w + 6.0,
                y + 21.0,
                escape(&number(*v))
            ));
        }
        svg.push_str("</svg>");
        chart.svg = svg;
        chart
    }
}

#[cfg(test)]
mod bar_chart_tests {
    use super::BarChart;

    fn bars(values: &[f64]) -> BarChart {
        BarChart {
            id: "load".into(),
            title: "Mentor <load>".into(),
            x_label: "Load ÷ capacity".into(),
            y_label: "Mentors".into(),
            bars: values
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("bucket {i}"), *v))
                .collect(),
        }
    }

    #[test]
    fn one_bar_per_category_with_the_same_numbers_in_the_table() {
        let c = bars(&[0.0, 4.0, 2.0]).render();
        assert_eq!(c.svg.matches("<rect ").count(), 3);
        assert!(
            c.svg.contains(r#"width="568.0""#),
            "the largest fills the width: {}",
            c.svg
        );
        assert!(c.svg.contains(r#"width="284.0""#));
        assert!(c.svg.contains("&lt;load&gt;") && !c.svg.contains("<load>"));
        assert!(c.svg.contains("the largest: bucket 1 (4)"));
        assert!(!c.svg.contains("style="), "the CSP forbids inline styles");
        assert_eq!(c.svg.matches("<g ").count(), c.svg.matches("</g>").count());
        let rows: Vec<(&str, &str)> = c
            .rows
            .iter()
            .map(|r| (r.0.as_str(), r.2.as_str()))
            .collect();
        assert_eq!(
            rows,
            [("bucket 0", "0"), ("bucket 1", "4"), ("bucket 2", "2")]
        );
        assert_eq!(c.x_label, "Load ÷ capacity");
    }

    #[test]
    fn all_zero_is_the_empty_state_and_long_labels_are_cut_in_the_svg_only() {
        assert!(bars(&[0.0, 0.0]).render().is_empty());
        assert!(bars(&[]).render().is_empty());
        let mut b = bars(&[1.0]);
        b.bars[0].0 = "x".repeat(200);
        let c = b.render();
        assert!(c.svg.contains('…') && !c.svg.contains(&"x".repeat(100)));
        assert_eq!(c.rows[0].0.len(), 200);
    }
}
