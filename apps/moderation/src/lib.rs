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

/// Items of the Lambda itself: compiled with the `runtime` feature only.
macro_rules! runtime {
    ($($item:item)*) => { $( #[cfg(feature = "runtime")] $item )* };
}

runtime! {
    mod error;
    pub mod events;
    pub mod logging;
    pub mod media;
    pub mod moderator;
    pub mod object;
    pub mod rekognition;
    pub mod settings;
    pub mod tagging;
    pub mod verdict;

    pub use error::ModerationError;
    pub use moderator::{Moderator, Outcome};
}
