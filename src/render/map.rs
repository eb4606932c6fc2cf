//! Systems maps as static SVG, laid out in Rust at build time: they read
//! without JavaScript, Node or Chromium. Every node and edge is a link.
//! Colours come from the page's stylesheet (classes), so dark mode applies.

use super::layout::{self, Placed, NODE_HEIGHT};

#[derive(Debug)]
pub struct MapNode {
    pub label: String,
    pub url: String,
    /// Style classes, e.g. `internal`, `external`, `home`, `focus`.
    pub class: String,
    /// Tooltip and accessible name.
    pub title: String,
}

#[derive(Debug)]
pub struct MapEdge {
    pub from: usize,
    pub to: usize,
    pub both_ways: bool,
    /// Drawn without arrowheads (a count of integrations between groups
    /// has no one direction).
    pub undirected: bool,
    pub label: String,
    pub url: String,
    pub title: String,
    pub critical: bool,
}

/// Node labels longer than this are cut with an ellipsis (the tooltip
/// keeps the whole name).
const MAX_LABEL_CHARS: usize = 34;
const MAX_EDGE_LABEL_CHARS: usize = 22;
/// Average advance of a 13 px sans-serif character, for sizing boxes.
const CHAR_WIDTH: f64 = 7.6;
const PADDING: f64 = 16.0;
/// Edge labels: 12 px text, its average advance and line height, and the
/// offsets tried when one would cover another.
const LABEL_CHAR_WIDTH: f64 = 6.8;
const LABEL_HEIGHT: f64 = 14.0;
const LABEL_NUDGES: [f64; 7] = [0.0, -14.0, 14.0, -28.0, 28.0, -42.0, 42.0];
const MARGIN: f64 = 12.0;

/// Text and attribute values for the SVG: HTML escapes, and control
/// characters (not allowed in XML) as spaces.
fn escape(text: &str) -> String {
    let text = text.replace(|c: char| (c as u32) < 0x20 && c != '\t', " ");
    super::markdown::escape_html(&text)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

fn fmt(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// SVG path data through `points`: a curve with level ends across each
/// gap between columns, a straight run through a column. Also where the
/// label goes: the middle of the first curve, or of the last one when
/// `label_last` (beside the end with fewer edges, where labels spread out).
fn path_through(points: &[(f64, f64)], label_last: bool) -> (String, (f64, f64)) {
    let mut d = format!("M{} {}", fmt(points[0].0), fmt(points[0].1));
    let mut label: Option<(f64, f64)> = None;
    for (i, pair) in points.windows(2).enumerate() {
        let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
        if i % 2 == 0 {
            let mid = (x1 + x2) / 2.0;
            d.push_str(&format!(
                "C{} {} {} {} {} {}",
                fmt(mid),
                fmt(y1),
                fmt(mid),
                fmt(y2),
                fmt(x2),
                fmt(y2)
            ));
            if label.is_none() || label_last {
                label = Some((mid, (y1 + y2) / 2.0));
            }
        } else {
            d.push_str(&format!("L{} {}", fmt(x2), fmt(y2)));
        }
    }
    (d, label.unwrap_or(points[0]))
}

/// The baseline of a label centred at `x`, `half` wide either side, as
/// near `y` as it can be without covering a label already `placed` (x,
/// baseline, half width).
fn place_label(placed: &[(f64, f64, f64)], x: f64, y: f64, half: f64) -> f64 {
    LABEL_NUDGES
        .iter()
        .map(|dy| y + dy)
        .find(|&y| {
            !placed.iter().any(|&(x0, y0, half0)| {
                (x - x0).abs() < half + half0 + 4.0 && (y - y0).abs() < LABEL_HEIGHT
            })
        })
        .unwrap_or(y)
}

/// An SVG map of `nodes` and `edges`. `id` prefixes the ids inside it, so
/// several maps can share a page.
pub fn svg(id: &str, nodes: &[MapNode], edges: &[MapEdge], label: &str) -> String {
    let labels: Vec<String> = nodes
        .iter()
        .map(|n| shorten(&n.label, MAX_LABEL_CHARS))
        .collect();
    let widths: Vec<f64> = labels
        .iter()
        .map(|l| (l.chars().count() as f64 * CHAR_WIDTH + 2.0 * PADDING).max(72.0))
        .collect();
    let pairs: Vec<(usize, usize)> = edges.iter().map(|e| (e.from, e.to)).collect();
    let layout = layout::layered(&widths, &pairs);
    let width = layout.width + 2.0 * MARGIN;
    let height = layout.height + 2.0 * MARGIN;
    let mut out = String::with_capacity(512 + 400 * (nodes.len() + edges.len()));
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"group\" aria-label=\"{label}\">",
        w = fmt(width),
        h = fmt(height),
        label = escape(label),
    ));
    out.push_str(&format!(
        "<defs><marker id=\"{id}-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" class=\"map-arrow\"/></marker></defs>",
        id = escape(id)
    ));
    let at = |p: &Placed| (p.x + MARGIN, p.y + MARGIN);
    let mut degree = vec![0usize; nodes.len()];
    for e in edges {
        if e.from < nodes.len() && e.to < nodes.len() {
            degree[e.from] += 1;
            degree[e.to] += 1;
        }
    }
    let mut placed_labels: Vec<(f64, f64, f64)> = Vec::new();
    for (k, e) in edges.iter().enumerate() {
        let Some(points) = layout.edges.get(k).filter(|p| p.len() >= 2) else {
            continue;
        };
        let points: Vec<(f64, f64)> = points
            .iter()
            .map(|&(x, y)| (x + MARGIN, y + MARGIN))
            .collect();
        let (d, label_at) = path_through(&points, degree[e.from] > degree[e.to]);
        let start = if e.both_ways && !e.undirected {
            format!(" marker-start=\"url(#{}-arrow)\"", escape(id))
        } else {
            String::new()
        };
        let class = if e.critical {
            "map-edge critical"
        } else {
            "map-edge"
        };
        let end = if e.undirected {
            String::new()
        } else {
            format!(" marker-end=\"url(#{}-arrow)\"", escape(id))
        };
        out.push_str(&format!(
            "<a href=\"{url}\" class=\"{class}\"><title>{title}</title><path class=\"map-hit\" d=\"{d}\"/><path class=\"map-line\" d=\"{d}\"{end}{start}/>",
            url = escape(&e.url),
            title = escape(&e.title),
        ));
        if !e.label.is_empty() {
            let text = shorten(&e.label, MAX_EDGE_LABEL_CHARS);
            let half = text.chars().count() as f64 * LABEL_CHAR_WIDTH / 2.0;
            let y = place_label(&placed_labels, label_at.0, label_at.1 - 5.0, half);
            placed_labels.push((label_at.0, y, half));
            out.push_str(&format!(
                "<text class=\"map-edge-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                fmt(label_at.0),
                fmt(y),
                escape(&text)
            ));
        }
        out.push_str("</a>");
    }
    for (i, n) in nodes.iter().enumerate() {
        let p = &layout.nodes[i];
        let (x, y) = at(p);
        out.push_str(&format!(
            "<a href=\"{url}\" class=\"map-node {class}\"><title>{title}</title><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"8\"/><text x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\">{label}</text></a>",
            url = escape(&n.url),
            class = escape(&n.class),
            title = escape(&n.title),
            x = fmt(x),
            y = fmt(y),
            w = fmt(p.width),
            h = fmt(NODE_HEIGHT),
            tx = fmt(x + p.width / 2.0),
            ty = fmt(y + NODE_HEIGHT / 2.0 + 4.5),
            label = escape(&labels[i]),
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(label: &str) -> MapNode {
        MapNode {
            label: label.into(),
            url: "/systems/x/".into(),
            class: "external".into(),
            title: label.into(),
        }
    }

    #[test]
    fn names_cannot_break_out_of_the_svg() {
        let nodes = vec![node("<script>alert(1)</script>"), node("A\" onload=\"x")];
        let edges = vec![MapEdge {
            from: 0,
            to: 1,
            both_ways: true,
            undirected: false,
            label: "</text><script>".into(),
            url: "javascript:\"x".into(),
            title: "t".into(),
            critical: true,
        }];
        let svg = svg("m", &nodes, &edges, "Map");
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("onload=\""), "{svg}");
        assert!(svg.contains("marker-start"));
        assert!(svg.contains("critical"));
        // Well-formed XML: the sanitizer's parser reads it whole.
        assert!(svg.matches("<a ").count() == 3 && svg.ends_with("</svg>"));
    }

    #[test]
    fn edge_labels_do_not_cover_each_other() {
        let nodes: Vec<MapNode> = (0..8).map(|i| node(&format!("System {i}"))).collect();
        let mut edges = Vec::new();
        for (from, to) in [
            (0, 1),
            (0, 2),
            (0, 3),
            (0, 4),
            (1, 5),
            (2, 5),
            (3, 5),
            (0, 5),
            (4, 6),
            (0, 7),
        ] {
            edges.push(MapEdge {
                from,
                to,
                both_ways: false,
                undirected: false,
                label: "REST API over HTTPS".into(),
                url: "/x/".into(),
                title: "t".into(),
                critical: false,
            });
        }
        let svg = svg("m", &nodes, &edges, "Map");
        let labels: Vec<(f64, f64)> = svg
            .split("<text class=\"map-edge-label\" x=\"")
            .skip(1)
            .map(|rest| {
                let mut parts = rest.split('"');
                let x: f64 = parts.next().unwrap().parse().unwrap();
                let y: f64 = parts.nth(1).unwrap().parse().unwrap();
                (x, y)
            })
            .collect();
        assert_eq!(labels.len(), edges.len());
        let width = "REST API over HTTPS".len() as f64 * LABEL_CHAR_WIDTH;
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                let apart = (a.0 - b.0).abs() >= width || (a.1 - b.1).abs() >= LABEL_HEIGHT;
                assert!(apart, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn a_label_moves_off_the_ones_placed_before() {
        assert_eq!(place_label(&[], 100.0, 50.0, 30.0), 50.0);
        let placed = [(100.0, 50.0, 30.0)];
        assert_eq!(place_label(&placed, 110.0, 52.0, 30.0), 66.0);
        let placed = [(100.0, 50.0, 30.0), (100.0, 36.0, 30.0)];
        assert_eq!(place_label(&placed, 100.0, 50.0, 30.0), 64.0);
        // Far enough sideways, nothing moves.
        assert_eq!(place_label(&placed, 200.0, 50.0, 30.0), 50.0);
    }

    #[test]
    fn long_names_are_shortened() {
        let long = "A very long system name that goes on and on and on";
        let svg = svg("m", &[node(long)], &[], "Map");
        assert!(svg.contains("…"));
        assert!(svg.contains(&format!("<title>{long}</title>")));
    }
}
