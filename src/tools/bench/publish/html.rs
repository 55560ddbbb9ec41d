//! What the pages share: self-contained HTML, the style inline and the charts inline SVG,
//! nothing fetched when a page is opened; and how they write their figures.

use plotters::style::RGBColor;

pub const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;\
max-width:1140px;margin:0 auto;padding:12px 20px 40px}\
h1{font-size:1.45em;margin:.3em 0}\
h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd;padding-bottom:.2em}\
table{border-collapse:collapse;margin:.5em 0;font-variant-numeric:tabular-nums;\
display:block;overflow-x:auto;max-width:100%}\
th,td{padding:3px 10px;text-align:right;border-bottom:1px solid #eee;white-space:nowrap}\
th{font-weight:600;background:#f6f6f6;white-space:normal;vertical-align:bottom}\
th:first-child,td:first-child{text-align:left}\
.meta,.links{color:#555}\
.pass{color:#1a7f37}\
.fail{color:#c62828;font-weight:600}\
.events{color:#b71c1c}\
.note{color:#666;font-style:italic}\
figure{margin:.4em 0 1em}\
figure svg{display:block;width:100%;height:auto}\
figcaption{font-size:.85em;color:#444;margin-left:64px}\
.key{margin-right:1.3em;white-space:nowrap}\
.swatch{display:inline-block;width:1.8em;border-top:3px solid;vertical-align:middle;margin-right:.4em}\
.dashed{border-top-style:dashed}\
.band{height:.9em;border-top:none;opacity:.3}\
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 18px}\
body.wide{max-width:1360px}\
.runs th,.runs td{padding:3px 6px}";

pub fn css(RGBColor(r, g, b): RGBColor) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

pub fn fixed(v: f64, digits: usize) -> String {
    format!("{v:.digits$}")
}

pub fn optional(v: Option<f64>, digits: usize) -> String {
    v.map_or("-".to_owned(), |v| fixed(v, digits))
}

#[cfg(test)]
/// Nothing the page would fetch: no script, no stylesheet, no image from elsewhere.
pub fn assert_self_contained(html: &str) {
    for fetch in ["<script", "<link", "<img", "<iframe", "url(", "@import"] {
        assert!(!html.contains(fetch), "the page holds {fetch}");
    }
    for attribute in ["src=\"", "href=\""] {
        for (_, rest) in html.match_indices(attribute).map(|(i, _)| html.split_at(i)) {
            let value = &rest[attribute.len()..];
            assert!(
                !value.starts_with("http"),
                "{}",
                &rest[..60.min(rest.len())]
            );
        }
    }
}
