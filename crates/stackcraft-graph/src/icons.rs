//! Self-drawn glyphs, one per kind of service: white strokes on the category's colour, in a
//! 24×24 box (scaled onto the node's badge).

use crate::service::Icon;

/// SVG elements of the glyph (stroked white by the caller's group).
pub fn glyph(icon: Icon) -> &'static str {
    match icon {
        Icon::Function => r#"<path d="M6 4h4l8 16M12 11l-5 9"/>"#,
        Icon::Container => {
            r#"<path d="M12 3l8 4.5v9L12 21l-8-4.5v-9z"/><path d="M4 7.5l8 4.5 8-4.5M12 12v9"/>"#
        }
        Icon::Server => {
            r#"<rect x="4" y="4" width="16" height="6" rx="1"/><rect x="4" y="14" width="16" height="6" rx="1"/><path d="M7 7h2M7 17h2"/>"#
        }
        Icon::Bucket => {
            r#"<ellipse cx="12" cy="6" rx="8" ry="2.5"/><path d="M4 6l2 13q6 3 12 0l2-13"/>"#
        }
        Icon::Database => {
            r#"<ellipse cx="12" cy="5.5" rx="7" ry="2.5"/><path d="M5 5.5v13c0 3.3 14 3.3 14 0v-13M5 12c0 3.3 14 3.3 14 0"/>"#
        }
        Icon::Cache => {
            r#"<ellipse cx="12" cy="5.5" rx="7" ry="2.5"/><path d="M5 5.5v13c0 3.3 14 3.3 14 0v-13"/><path d="M13 9l-3 5h4l-3 5"/>"#
        }
        Icon::Table => {
            r#"<rect x="4" y="4" width="16" height="16" rx="1.5"/><path d="M4 9.5h16M4 15h16M10 9.5V20"/>"#
        }
        Icon::Queue => {
            r#"<rect x="3" y="8" width="5" height="8"/><rect x="9.5" y="8" width="5" height="8"/><rect x="16" y="8" width="5" height="8"/>"#
        }
        Icon::Topic => {
            r#"<circle cx="12" cy="12" r="2.5"/><path d="M7.5 7.5a6.4 6.4 0 0 0 0 9M16.5 7.5a6.4 6.4 0 0 1 0 9M4.6 4.6a10.5 10.5 0 0 0 0 14.8M19.4 4.6a10.5 10.5 0 0 1 0 14.8"/>"#
        }
        Icon::LoadBalancer => {
            r#"<circle cx="6" cy="12" r="2.5"/><path d="M8.5 12h4M12.5 12l6-6M12.5 12l6 6M12.5 12h6"/><circle cx="19.5" cy="5" r="1.3"/><circle cx="19.5" cy="12" r="1.3"/><circle cx="19.5" cy="19" r="1.3"/>"#
        }
        Icon::Globe => {
            r#"<circle cx="12" cy="12" r="8.5"/><ellipse cx="12" cy="12" rx="3.8" ry="8.5"/><path d="M3.5 12h17M5 7.5h14M5 16.5h14"/>"#
        }
        Icon::Api => r#"<path d="M8 6l-5 6 5 6M16 6l5 6-5 6M13.5 4l-3 16"/>"#,
        Icon::Gateway => {
            r#"<circle cx="12" cy="12" r="8.5"/><path d="M7 12h10M13.5 8.5L17 12l-3.5 3.5"/>"#
        }
        Icon::Endpoint => r#"<path d="M9 3v5M15 3v5M6.5 8h11v3a5.5 5.5 0 0 1-11 0zM12 16.5V21"/>"#,
        Icon::Dns => {
            r#"<circle cx="12" cy="12" r="8.5"/><path d="M8 9h3a3 3 0 0 1 0 6H8zM14.5 9.5h2.5M14.5 14.5h2.5"/>"#
        }
        Icon::Key => r#"<circle cx="8" cy="12" r="4"/><path d="M12 12h9M18 12v3.5M21 12v3"/>"#,
        Icon::Lock => {
            r#"<rect x="5" y="10.5" width="14" height="10" rx="1.5"/><path d="M8 10.5V7.5a4 4 0 0 1 8 0v3M12 14.5v2.5"/>"#
        }
        Icon::Person => r#"<circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/>"#,
        Icon::Alarm => r#"<path d="M6 17V11a6 6 0 0 1 12 0v6l1.5 2h-15zM10 21h4"/>"#,
        Icon::Chart => r#"<path d="M4 20h16M7 20v-6M12 20V8M17 20v-10"/>"#,
        Icon::Logs => {
            r#"<rect x="5" y="3.5" width="14" height="17" rx="1.5"/><path d="M8 8h8M8 12h8M8 16h5"/>"#
        }
        Icon::Registry => {
            r#"<rect x="4" y="4" width="7" height="7"/><rect x="13" y="4" width="7" height="7"/><rect x="4" y="13" width="7" height="7"/><rect x="13" y="13" width="7" height="7"/>"#
        }
        Icon::Users => {
            r#"<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0"/><circle cx="17" cy="9" r="2.8"/><path d="M15.5 14.2a5.5 5.5 0 0 1 6.5 5.8"/>"#
        }
        // Stages joined by arrows.
        Icon::Pipeline => {
            r#"<circle cx="4.5" cy="12" r="2.5"/><circle cx="19.5" cy="12" r="2.5"/><rect x="9.5" y="9.5" width="5" height="5" rx="1"/><path d="M7 12h2.5M14.5 12H17"/>"#
        }
        // A hammer.
        Icon::Build => r#"<path d="M13 9l-9 9 2 2 9-9M10 6l3-3 8 8-3 3z"/>"#,
        Icon::Cube => {
            r#"<rect x="5" y="5" width="14" height="14" rx="2"/><path d="M9 12h6M12 9v6"/>"#
        }
    }
}
