//! One chart of the report page: lines over a shared time axis, drawn by plotters to an
//! SVG string. Text stays `<text>` elements (plotters without its `ttf` feature only
//! estimates their size), so drawing needs no font file and the browser renders the text.

use std::ops::Range;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// Colours that stay apart from one another on a white background.
pub const BLUE: RGBColor = RGBColor(31, 119, 180);
pub const ORANGE: RGBColor = RGBColor(230, 120, 20);
pub const GREEN: RGBColor = RGBColor(44, 160, 44);
pub const RED: RGBColor = RGBColor(214, 39, 40);
pub const PURPLE: RGBColor = RGBColor(148, 103, 189);
pub const GREY: RGBColor = RGBColor(90, 90, 90);

/// One line of a chart.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub color: RGBColor,
    /// Dashed: a limit or a setting rather than a measurement.
    pub dashed: bool,
    pub points: Vec<(f64, f64)>,
}

impl Series {
    pub fn line(name: impl Into<String>, color: RGBColor, points: Vec<(f64, f64)>) -> Self {
        Self {
            name: name.into(),
            color,
            dashed: false,
            points,
        }
    }

    /// A dashed horizontal line at `value` across `x`.
    pub fn limit(name: impl Into<String>, value: f64, x: &Range<f64>) -> Self {
        Self {
            name: name.into(),
            color: GREY,
            dashed: true,
            points: vec![(x.start, value), (x.end, value)],
        }
    }
}

/// A stretch of the time axis shaded in `color`.
#[derive(Debug, Clone)]
pub struct Band {
    pub name: String,
    pub color: RGBColor,
    pub spans: Vec<Range<f64>>,
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    /// What the y axis counts.
    pub unit: String,
    pub x: Range<f64>,
    pub log_y: bool,
    /// The least top of the y axis: charts read side by side share it.
    pub y_top: f64,
    pub series: Vec<Series>,
    pub bands: Vec<Band>,
    /// Instants marked by a thin vertical line: a change of the processors' settings, a
    /// service killed or started again.
    pub marks: Vec<(f64, RGBColor)>,
    pub size: (u32, u32),
}

impl Chart {
    pub fn new(title: impl Into<String>, unit: impl Into<String>, x: Range<f64>) -> Self {
        Self {
            title: title.into(),
            unit: unit.into(),
            x,
            log_y: false,
            y_top: 0.0,
            series: Vec::new(),
            bands: Vec::new(),
            marks: Vec::new(),
            size: (1100, 260),
        }
    }

    /// Whether any line has a point to draw.
    pub fn has_data(&self) -> bool {
        self.series
            .iter()
            .any(|s| !s.dashed && !s.points.is_empty())
    }

    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> Result<String, String> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            let mut builder = ChartBuilder::on(&root);
            builder
                .caption(&self.title, ("sans-serif", 20))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(64);
            let values = || {
                self.series
                    .iter()
                    .flat_map(|s| s.points.iter().map(|p| p.1))
            };
            let max = values().fold(self.y_top, f64::max);
            if self.log_y {
                let positive = values().filter(|v| *v > 0.0);
                let min = positive.fold(f64::INFINITY, f64::min);
                let low = if min.is_finite() { min / 2.0 } else { 0.1 };
                let high = (max * 2.0).max(low * 10.0);
                let chart = builder
                    .build_cartesian_2d(self.x.clone(), (low..high).log_scale())
                    .map_err(|e| e.to_string())?;
                self.draw(chart, low..high)?;
            } else {
                let high = if max > 0.0 { max * 1.1 } else { 1.0 };
                let chart = builder
                    .build_cartesian_2d(self.x.clone(), 0.0..high)
                    .map_err(|e| e.to_string())?;
                self.draw(chart, 0.0..high)?;
            }
            root.present().map_err(|e| e.to_string())?;
        }
        Ok(svg)
    }

    fn draw<Y>(
        &self,
        mut chart: ChartContext<SVGBackend, Cartesian2d<RangedCoordf64, Y>>,
        y: Range<f64>,
    ) -> Result<(), String>
    where
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
        Range<f64>: AsRangedCoord<Value = f64>,
    {
        let error = |e: DrawingAreaErrorKind<_>| e.to_string();
        chart
            .configure_mesh()
            .x_desc("seconds since the start of the test")
            .y_desc(&self.unit)
            .x_labels(12)
            .y_labels(6)
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 16))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| short(*v))
            .draw()
            .map_err(error)?;
        for band in &self.bands {
            let style = band.color.mix(0.15).filled();
            let boxes = band
                .spans
                .iter()
                .map(|span| Rectangle::new([(span.start, y.start), (span.end, y.end)], style));
            chart.draw_series(boxes).map_err(error)?;
        }
        let marks = self
            .marks
            .iter()
            .map(|(x, color)| PathElement::new(vec![(*x, y.start), (*x, y.end)], color.mix(0.6)));
        chart.draw_series(marks).map_err(error)?;
        for series in &self.series {
            let style = series.color.stroke_width(2);
            if series.dashed {
                let dashes = DashedLineSeries::new(series.points.iter().copied(), 6, 4, style);
                chart.draw_series(dashes).map_err(error)?;
            } else {
                let line = LineSeries::new(series.points.iter().copied(), style);
                chart.draw_series(line).map_err(error)?;
            }
        }
        Ok(())
    }
}

/// The number of points of each line drawn in `color` (2 px wide: the series', not the
/// axes'), in the order drawn.
#[cfg(test)]
pub fn lines(svg: &str, color: RGBColor) -> Vec<usize> {
    let RGBColor(r, g, b) = color;
    let stroke = format!(r##"stroke="#{r:02X}{g:02X}{b:02X}" stroke-width="2" points=""##);
    svg.lines()
        .filter(|l| l.starts_with("<polyline"))
        .filter_map(|l| l.split_once(&stroke))
        .map(|(_, points)| points.split(' ').filter(|p| p.contains(',')).count())
        .collect()
}

/// A tick label without needless digits: 0.05, 2.5, 120, 12k.
fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_an_svg_with_its_text_and_one_line_per_series() {
        let mut chart = Chart::new("requests per second", "requests/s", 0.0..10.0);
        chart.series = vec![
            Series::line("rate", BLUE, vec![(0.0, 10.0), (5.0, 30.0), (9.0, 20.0)]),
            Series::limit("limit", 40.0, &chart.x),
        ];
        chart.bands = vec![Band {
            name: "failing".into(),
            color: RED,
            spans: vec![2.0..4.0],
        }];

        let svg = chart.svg().unwrap();

        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("viewBox=\"0 0 1100 260\""));
        assert!(svg.contains(">\nrequests per second\n</text>"));
        assert!(svg.contains(">\nseconds since the start of the test\n</text>"));
        assert_eq!(lines(&svg, BLUE), [3]);
        assert!(
            lines(&svg, GREY).len() > 10,
            "a dashed line is drawn dash by dash"
        );
        assert!(
            svg.contains(r##"opacity="0.15" fill="#D62728""##),
            "the band"
        );
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(
            [0.0, 0.05, 2.5, 120.0, 12_000.0].map(short),
            ["0", "0.05", "2.5", "120", "12k"]
        );
    }
}
