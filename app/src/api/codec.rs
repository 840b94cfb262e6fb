//! How a page's first data travels inside the server-rendered HTML to the browser's resources.
//!
//! Leptos' default resource codec (codee's `JsonSerdeCodec`) decodes with `serde_json::from_str`,
//! while server functions' JSON decodes with `serde_json::from_slice`. Each entry point makes the
//! compiler build its own copy of every `Deserialize` the two share (the page data types, their
//! `Result<_, ApiError>`), so the WASM carried both (issue 11). This codec writes the same JSON
//! and reads it through `from_slice`, the server functions' path: one copy.

use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON, decoded through the same `serde_json` entry point as server function responses.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, serde_json::Error> {
        // Same bytes, same result as `from_str`: the input is already valid UTF-8.
        serde_json::from_slice(encoded.as_bytes())
    }
}

/// A resource whose value crosses from server to browser with [`Json`]. Create it with
/// `Resource::new_with_options(source, fetcher, false)` (`new` exists only for the default codec).
pub type Resource<T> = leptos::prelude::Resource<T, Json>;

#[cfg(test)]
mod tests {
    use super::Json;
    use leptos::server::codee::{Decoder, Encoder};

    #[test]
    fn round_trips_like_the_default_codec() {
        let value: Result<Vec<(String, u64)>, String> = Ok(vec![("é \"q\" \\ \u{1F600}".to_owned(), 7)]);
        let encoded = <Json as Encoder<_>>::encode(&value).expect("encodes");
        assert_eq!(encoded, serde_json::to_string(&value).expect("encodes"));
        let decoded: Result<Vec<(String, u64)>, String> = <Json as Decoder<_>>::decode(&encoded).expect("decodes");
        assert_eq!(decoded, value);
    }
}
