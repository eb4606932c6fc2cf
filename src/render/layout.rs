//! A layered (Sugiyama-style) drawing of a directed graph, left to right:
//! break cycles, put each node one column after its furthest predecessor,
//! order each column by the average position of its neighbours, then place.
//! Small and deterministic, so the map is the same bytes on every build.
//!
//! The graph is petgraph's; cycles are broken with its greedy feedback arc
//! set. The rest is ours: the layout crates on crates.io either shell out to
//! Graphviz or lay out for a terminal.

use petgraph::algo::{greedy_feedback_arc_set, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

/// Node height and the gaps between nodes, in px.
pub const NODE_HEIGHT: f64 = 36.0;
const ROW_GAP: f64 = 22.0;
/// The slot an edge passing through a column takes.
const DUMMY_PITCH: f64 = 18.0;
/// Room between columns for edges and their labels.
const COLUMN_GAP: f64 = 170.0;
/// Ordering sweeps; more rarely changes a landscape-sized graph.
const SWEEPS: usize = 8;

/// Where a node is drawn: its top-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub nodes: Vec<Placed>,
    /// Per input edge, the points its line passes through, from its `from`
    /// node's side to its `to` node's side; empty for a self-loop. Between
    /// two columns the line is a curve; through a column it is straight.
    pub edges: Vec<Vec<(f64, f64)>>,
    pub width: f64,
    pub height: f64,
}

/// Lays out `widths.len()` nodes joined by `edges` (from, to).
pub fn layered(widths: &[f64], edges: &[(usize, usize)]) -> Layout {
    let n = widths.len();
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        graph.add_node(());
    }
    let mut seen = std::collections::HashSet::new();
    for &(a, b) in edges {
        if a != b && a < n && b < n && seen.insert((a.min(b), a.max(b))) {
            graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
        }
    }
    // Reverse a feedback arc set: what is left has no cycle.
    let reversed: Vec<_> = greedy_feedback_arc_set(&graph).map(|e| e.id()).collect();
    for e in reversed {
        if let Some((a, b)) = graph.edge_endpoints(e) {
            graph.remove_edge(e);
            graph.add_edge(b, a, ());
        }
    }
    let order = toposort(&graph, None).unwrap_or_else(|_| graph.node_indices().collect());
    let mut layer = vec![0usize; n];
    for &v in &order {
        for e in graph.edges(v) {
            let t = e.target().index();
            layer[t] = layer[t].max(layer[v.index()] + 1);
        }
    }
    // Sources pulled next to their first successor: a system that only
    // sends to something deep in the graph sits beside it, not at the far
    // left with a long edge.
    for &v in order.iter().rev() {
        let v = v.index();
        let has_preds = graph
            .neighbors_directed(NodeIndex::new(v), petgraph::Direction::Incoming)
            .next()
            .is_some();
        let nearest = graph
            .neighbors_directed(NodeIndex::new(v), petgraph::Direction::Outgoing)
            .map(|t| layer[t.index()])
            .min();
        if let (false, Some(min)) = (has_preds, nearest) {
            layer[v] = min.saturating_sub(1);
        }
    }

    // Long edges become chains through one dummy node per column crossed.
    let mut node_layer = layer.clone();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    // (a, b) as drawn left to right → the nodes from a to b.
    let mut chains: std::collections::HashMap<(usize, usize), Vec<usize>> =
        std::collections::HashMap::new();
    for e in graph.edge_references() {
        let (a, b) = (e.source().index(), e.target().index());
        let mut chain = vec![a];
        for l in layer[a] + 1..layer[b] {
            let d = node_layer.len();
            node_layer.push(l);
            preds.push(Vec::new());
            succs.push(Vec::new());
            chain.push(d);
        }
        chain.push(b);
        for pair in chain.windows(2) {
            succs[pair[0]].push(pair[1]);
            preds[pair[1]].push(pair[0]);
        }
        chains.insert((a, b), chain);
    }
    let total = node_layer.len();
    let layers = node_layer.iter().max().map_or(1, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for v in 0..total {
        rows[node_layer[v]].push(v);
    }
    let mut position = vec![0.0f64; total];
    for row in &rows {
        let len = row.len().max(1) as f64;
        for (i, &v) in row.iter().enumerate() {
            position[v] = (i as f64 + 0.5) / len;
        }
    }
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let indexes: Vec<usize> = if down {
            (1..layers).collect()
        } else {
            (0..layers.saturating_sub(1)).rev().collect()
        };
        for l in indexes {
            let mut keyed: Vec<(f64, usize)> = rows[l]
                .iter()
                .map(|&v| {
                    let around = if down { &preds[v] } else { &succs[v] };
                    let key = if around.is_empty() {
                        position[v]
                    } else {
                        around.iter().map(|&u| position[u]).sum::<f64>() / around.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            rows[l] = keyed.into_iter().map(|(_, v)| v).collect();
            let len = rows[l].len().max(1) as f64;
            for (i, &v) in rows[l].iter().enumerate() {
                position[v] = (i as f64 + 0.5) / len;
            }
        }
    }

    // Columns: real nodes take a box, dummies a thin slot; each column is
    // centred vertically.
    let slot = |v: usize| {
        if v < n {
            NODE_HEIGHT + ROW_GAP
        } else {
            DUMMY_PITCH
        }
    };
    let heights: Vec<f64> = rows
        .iter()
        .map(|row| row.iter().map(|&v| slot(v)).sum::<f64>())
        .collect();
    let tallest = heights.iter().copied().fold(0.0, f64::max);
    let mut nodes = vec![
        Placed {
            x: 0.0,
            y: 0.0,
            width: 0.0,
            column: 0,
        };
        n
    ];
    // For dummies: (column left, column right, centre y).
    let mut through = vec![(0.0, 0.0, 0.0); total];
    let mut x = 0.0;
    for (c, row) in rows.iter().enumerate() {
        let width = row
            .iter()
            .filter(|&&v| v < n)
            .map(|&v| widths[v])
            .fold(0.0, f64::max);
        let mut y = (tallest - heights[c]) / 2.0;
        for &v in row {
            if v < n {
                nodes[v] = Placed {
                    x: x + (width - widths[v]) / 2.0,
                    y,
                    width: widths[v],
                    column: c,
                };
                through[v] = (x, x + width, y + NODE_HEIGHT / 2.0);
            } else {
                through[v] = (x, x + width, y + DUMMY_PITCH / 2.0);
            }
            y += slot(v);
        }
        x += width + COLUMN_GAP;
    }
    let mut paths = Vec::with_capacity(edges.len());
    for &(a, b) in edges {
        let chain = chains
            .get(&(a, b))
            .map(|c| (c, false))
            .or_else(|| chains.get(&(b, a)).map(|c| (c, true)));
        let Some((chain, backwards)) = chain else {
            paths.push(Vec::new());
            continue;
        };
        let mut points = Vec::with_capacity(2 * chain.len());
        for (i, &v) in chain.iter().enumerate() {
            let (left, right, y) = through[v];
            if v < n {
                let p = nodes[v];
                let cy = p.y + NODE_HEIGHT / 2.0;
                // Leave the first node on its right, enter the last on its left.
                points.push(if i == 0 {
                    (p.x + p.width, cy)
                } else {
                    (p.x, cy)
                });
            } else {
                points.push((left, y));
                points.push((right, y));
            }
        }
        if backwards {
            points.reverse();
        }
        paths.push(points);
    }
    Layout {
        nodes,
        edges: paths,
        width: (x - COLUMN_GAP).max(0.0),
        height: (tallest - ROW_GAP).max(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(a: &Placed, b: &Placed) -> bool {
        a.x < b.x + b.width
            && b.x < a.x + a.width
            && a.y < b.y + NODE_HEIGHT
            && b.y < a.y + NODE_HEIGHT
    }

    #[test]
    fn chain_goes_left_to_right_without_overlap() {
        let l = layered(&[80.0, 80.0, 80.0], &[(0, 1), (1, 2)]);
        assert!(l.nodes[0].x < l.nodes[1].x && l.nodes[1].x < l.nodes[2].x);
        assert!(l.width > 240.0 && l.height >= NODE_HEIGHT);
    }

    #[test]
    fn cycles_and_hubs_are_drawn() {
        let mut edges = vec![(0, 1), (1, 2), (2, 0)];
        edges.extend((3..40).map(|i| (0, i)));
        let widths: Vec<f64> = (0..40).map(|i| 60.0 + i as f64).collect();
        let l = layered(&widths, &edges);
        for i in 0..40 {
            for j in i + 1..40 {
                assert!(!overlaps(&l.nodes[i], &l.nodes[j]), "{i} {j}");
            }
        }
        assert_eq!(l, layered(&widths, &edges), "deterministic");
        // Every edge has a path from one node's side to the other's.
        for (i, &(a, b)) in edges.iter().enumerate() {
            let path = &l.edges[i];
            assert!(path.len() >= 2, "{i}");
            let near = |p: (f64, f64), n: &Placed| {
                (p.0 - n.x).abs() < 0.01 || (p.0 - n.x - n.width).abs() < 0.01
            };
            assert!(near(path[0], &l.nodes[a]) && near(*path.last().unwrap(), &l.nodes[b]));
        }
    }

    #[test]
    fn long_edges_pass_between_nodes() {
        // 0→1→2→3 and 0→3: the long edge crosses columns 1 and 2 through
        // slots of their own, never through a box.
        let l = layered(&[60.0; 4], &[(0, 1), (1, 2), (2, 3), (0, 3)]);
        let path = &l.edges[3];
        assert_eq!(path.len(), 6);
        for &(x, y) in &path[1..5] {
            for node in &l.nodes {
                let inside =
                    x > node.x && x < node.x + node.width && y > node.y && y < node.y + NODE_HEIGHT;
                assert!(!inside, "{path:?} {node:?}");
            }
        }
        assert!(layered(&[], &[]).nodes.is_empty());
    }

    #[test]
    fn barycenter_uncrosses_a_swapped_pair() {
        // 0→3, 1→2 with 2 and 3 given in crossing order.
        let l = layered(&[50.0; 4], &[(0, 3), (1, 2)]);
        assert!(l.nodes[0].y < l.nodes[1].y);
        assert!(l.nodes[3].y < l.nodes[2].y, "{l:?}");
    }
}
