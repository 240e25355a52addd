//! Content moderation for the magento-webshop blueprint (seed 000): the media bucket notifies
//! this function of every new object; images (JPEG, PNG) are checked with Rekognition
//! `DetectModerationLabels`, videos (MP4, MOV) with `StartContentModeration`, whose completion
//! arrives through SNS at the same function, which reads `GetContentModeration` and tags the
//! video. The verdict is the object tag `InappropriateContent=true|false|unchecked` (see
//! [`contract::tags`]); the object's other tags are kept.
//!
//! [`contract`] is compiled without features, so a blueprint can import the names without the
//! AWS SDK; the function itself is the `runtime` feature (on by default).

pub mod contract;

#[cfg(feature = "runtime")]
mod error;
#[cfg(feature = "runtime")]
pub mod events;
#[cfg(feature = "runtime")]
pub mod logging;
#[cfg(feature = "runtime")]
pub mod media;
#[cfg(feature = "runtime")]
pub mod moderator;
#[cfg(feature = "runtime")]
pub mod object;
#[cfg(feature = "runtime")]
pub mod rekognition;
#[cfg(feature = "runtime")]
pub mod settings;
#[cfg(feature = "runtime")]
pub mod tagging;
#[cfg(feature = "runtime")]
pub mod verdict;

#[cfg(feature = "runtime")]
pub use error::ModerationError;
#[cfg(feature = "runtime")]
pub use moderator::{Moderator, Outcome};
