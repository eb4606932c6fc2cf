//! What a change to one system affects: the systems its data flows to
//! (downstream: what breaks if it goes down) and from (upstream: what it
//! depends on), each with the path of integrations that leads there.

use std::collections::VecDeque;

use super::Landscape;

/// A system reached from the one asked about.
#[derive(Debug, Clone, PartialEq)]
pub struct Reach {
    pub system: usize,
    /// Hops from the system asked about.
    pub depth: usize,
    /// The integrations walked, first hop first (indexes into
    /// `Landscape::integrations`).
    pub path: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Impact {
    pub system: usize,
    /// Integrations that touch the system.
    pub touching: Vec<usize>,
    pub downstream: Vec<Reach>,
    pub upstream: Vec<Reach>,
}

pub(super) fn impact(landscape: &Landscape, system: usize, max_depth: usize) -> Impact {
    let touching = landscape.touching(system).map(|(i, _)| i).collect();
    Impact {
        system,
        touching,
        downstream: walk(landscape, system, max_depth, true),
        upstream: walk(landscape, system, max_depth, false),
    }
}

/// Breadth-first along integrations in their direction (`forward`) or
/// against it; both-ways integrations go both ways. Each system is reached
/// once, by a shortest path.
fn walk(landscape: &Landscape, start: usize, max_depth: usize, forward: bool) -> Vec<Reach> {
    let n = landscape.systems.len();
    // Adjacency once: system → (integration, neighbour).
    let mut next: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (i, e) in landscape.integrations.iter().enumerate() {
        let (a, b) = if forward {
            (e.from, e.to)
        } else {
            (e.to, e.from)
        };
        next[a].push((i, b));
        if e.both_ways {
            next[b].push((i, a));
        }
    }
    let mut seen = vec![false; n];
    seen[start] = true;
    let mut queue: VecDeque<(usize, Vec<usize>)> = VecDeque::from([(start, Vec::new())]);
    let mut reached = Vec::new();
    while let Some((at, path)) = queue.pop_front() {
        if path.len() >= max_depth {
            continue;
        }
        for &(edge, to) in &next[at] {
            if seen[to] {
                continue;
            }
            seen[to] = true;
            let mut path = path.clone();
            path.push(edge);
            reached.push(Reach {
                system: to,
                depth: path.len(),
                path: path.clone(),
            });
            queue.push_back((to, path));
        }
    }
    reached
}
