//! Edge lines between laid-out boxes: straight when nothing is in the way, else around the
//! boxes in between (up or down to a free lane, across, and back), with each label where it
//! covers no box, no group label and no other label.

use crate::layout::{EdgePath, GroupBox, NodeBox, Rect, Scene, EDGE_LABEL_HEIGHT, EDGE_LABEL_SIZE};
use crate::model::Graph;
use crate::text_metrics::width;

type Point = (f64, f64);

/// Distance kept between a detour and the boxes it passes.
const CLEARANCE: f64 = 12.0;

/// One line per edge: between the copies in the same zone when both ends are in it, else
/// between the two nearest copies.
pub fn route_edges(graph: &Graph, scene: &Scene) -> Vec<EdgePath> {
    let boxes: Vec<Rect> = scene.nodes.iter().map(|n| n.rect).collect();
    let mut obstacles = boxes.clone();
    obstacles.extend(scene.groups.iter().map(GroupBox::label_rect));
    let mut paths = Vec::new();
    for (e, edge) in graph.edges.iter().enumerate() {
        let from: Vec<&NodeBox> = scene.nodes.iter().filter(|b| b.node == edge.from).collect();
        let to: Vec<&NodeBox> = scene.nodes.iter().filter(|b| b.node == edge.to).collect();
        let mut pairs: Vec<(&NodeBox, &NodeBox)> = Vec::new();
        for a in &from {
            for b in &to {
                if a.zone.is_some() && a.zone == b.zone {
                    pairs.push((a, b));
                }
            }
        }
        if pairs.is_empty() {
            let nearest = from
                .iter()
                .flat_map(|a| to.iter().map(move |b| (*a, *b)))
                .min_by(|x, y| {
                    distance(x.0.rect, x.1.rect).total_cmp(&distance(y.0.rect, y.1.rect))
                });
            pairs.extend(nearest);
        }
        for (a, b) in pairs {
            let others: Vec<Rect> = boxes
                .iter()
                .copied()
                .filter(|r| *r != a.rect && *r != b.rect)
                .collect();
            let points = route(a.rect, b.rect, &others);
            let label = edge.label.as_ref().map(|text| {
                let rect = place_label(text, &points, &obstacles);
                obstacles.push(rect);
                rect
            });
            paths.push(EdgePath {
                edge: e,
                points,
                label,
            });
        }
    }
    paths
}

/// The straight line if it crosses no other box, else the first free detour.
fn route(a: Rect, b: Rect, others: &[Rect]) -> Vec<Point> {
    let (ax, ay) = a.center();
    let (bx, by) = b.center();
    let straight = vec![a.border_towards(bx, by), b.border_towards(ax, ay)];
    if is_free(&straight, others) {
        return straight;
    }
    let between: Vec<Rect> = others
        .iter()
        .copied()
        .filter(|r| crosses(straight[0], straight[1], *r))
        .collect();
    let top = between.iter().map(|r| r.y).fold(a.y.min(b.y), f64::min);
    let bottom = between
        .iter()
        .map(|r| r.y + r.h)
        .fold((a.y + a.h).max(b.y + b.h), f64::max);
    for step in 1..8 {
        let offset = CLEARANCE * step as f64;
        for lane in [top - offset, bottom + offset] {
            let above = lane < ay;
            let start = (ax, if above { a.y } else { a.y + a.h });
            let end = (bx, if lane < by { b.y } else { b.y + b.h });
            let detour = vec![start, (ax, lane), (bx, lane), end];
            if is_free(&detour, others) {
                return detour;
            }
        }
    }
    straight
}

fn is_free(points: &[Point], others: &[Rect]) -> bool {
    points
        .windows(2)
        .all(|w| others.iter().all(|r| !crosses(w[0], w[1], *r)))
}

/// Whether the segment passes through the rectangle (sampled every few pixels).
fn crosses(p: Point, q: Point, r: Rect) -> bool {
    let grown = r.padded(2.0);
    let steps = ((q.0 - p.0).hypot(q.1 - p.1) / 3.0).ceil().max(1.0) as usize;
    (0..=steps).any(|i| {
        let t = i as f64 / steps as f64;
        let (x, y) = (p.0 + (q.0 - p.0) * t, p.1 + (q.1 - p.1) * t);
        x > grown.x && x < grown.x + grown.w && y > grown.y && y < grown.y + grown.h
    })
}

/// The path's segments, longest first (a label fits best on a long one).
fn segments_longest_first(points: &[Point]) -> Vec<(Point, Point)> {
    let mut segments: Vec<(Point, Point)> = points.windows(2).map(|w| (w[0], w[1])).collect();
    if segments.is_empty() {
        segments.push((points[0], points[0]));
    }
    segments.sort_by(|x, y| seg_len(*y).total_cmp(&seg_len(*x)));
    segments
}

fn seg_len((p, q): (Point, Point)) -> f64 {
    (q.0 - p.0).hypot(q.1 - p.1)
}

fn distance(a: Rect, b: Rect) -> f64 {
    let (ax, ay) = a.center();
    let (bx, by) = b.center();
    (ax - bx).hypot(ay - by)
}

/// Where positions along a segment are tried: the middle first, then outwards.
const ALONG: [f64; 9] = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9];
/// How far beside the line a label may sit, nearest first.
const BESIDE: [f64; 9] = [0.0, 14.0, -14.0, 28.0, -28.0, 42.0, -42.0, 56.0, -56.0];

/// The first spot along the path's segments (longest first, middle first), on or beside the
/// line, where the label covers nothing; where every spot covers something, the one that
/// covers least.
fn place_label(text: &str, points: &[Point], obstacles: &[Rect]) -> Rect {
    let w = width(text, EDGE_LABEL_SIZE, false) + 8.0;
    let h = EDGE_LABEL_HEIGHT;
    let mut least: Option<(f64, Rect)> = None;
    for (start, end) in segments_longest_first(points) {
        let len = seg_len((start, end)).max(1.0);
        let (nx, ny) = (-(end.1 - start.1) / len, (end.0 - start.0) / len);
        for offset in BESIDE {
            for t in ALONG {
                let (x, y) = (
                    start.0 + (end.0 - start.0) * t + nx * offset,
                    start.1 + (end.1 - start.1) * t + ny * offset,
                );
                let rect = Rect {
                    x: x - w / 2.0,
                    y: y - h / 2.0,
                    w,
                    h,
                };
                let covered = covered_area(rect.padded(2.0), obstacles);
                if covered == 0.0 {
                    return rect;
                }
                if least.is_none_or(|(area, _)| covered < area) {
                    least = Some((covered, rect));
                }
            }
        }
    }
    least.map(|(_, rect)| rect).expect("a path has a segment")
}

/// How much of the obstacles the rectangle covers.
fn covered_area(rect: Rect, obstacles: &[Rect]) -> f64 {
    obstacles
        .iter()
        .map(|o| {
            let w = (rect.x + rect.w).min(o.x + o.w) - rect.x.max(o.x);
            let h = (rect.y + rect.h).min(o.y + o.h) - rect.y.max(o.y);
            w.max(0.0) * h.max(0.0)
        })
        .sum()
}
