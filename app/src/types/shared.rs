//! A page's view shared by the requests that show it, serialised once on the server.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A view that many requests render while it is current: cloned by reference, and (on the
/// server) written as JSON once for the hydration data of every page that shows it, instead
/// of once per page.
#[derive(Debug, Clone)]
pub struct Shared<T> {
    value: Arc<T>,
    /// `value` as JSON, written when the view was assembled.
    #[cfg(feature = "ssr")]
    json: Option<Arc<serde_json::value::RawValue>>,
}

impl<T: Serialize> Shared<T> {
    /// Shares `value`; on the server, writes its JSON now.
    pub fn new(value: T) -> Self {
        #[cfg(feature = "ssr")]
        {
            let json = serde_json::value::to_raw_value(&value).ok().map(Arc::from);
            Shared { value: Arc::new(value), json }
        }
        #[cfg(not(feature = "ssr"))]
        Shared { value: Arc::new(value) }
    }
}

impl<T: Clone> Shared<T> {
    /// The view itself, for a page to take apart (copied only while others share it).
    pub fn into_inner(self) -> T {
        Arc::unwrap_or_clone(self.value)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[cfg(feature = "ssr")]
        if let Some(json) = &self.json {
            return json.serialize(serializer);
        }
        self.value.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Shared::from_value)
    }
}

impl<T> Shared<T> {
    /// Shares a value read from the wire (its JSON is not kept).
    fn from_value(value: T) -> Self {
        Shared {
            value: Arc::new(value),
            #[cfg(feature = "ssr")]
            json: None,
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct View {
        name: String,
        score: Option<f64>,
    }

    #[test]
    fn written_once_it_reads_back_as_the_value_it_was_written_from() {
        let view = View { name: "a \"quoted\" </script> name".into(), score: Some(97.5) };
        let shared = Shared::new(view.clone());
        let wire = serde_json::to_string(&Ok::<_, String>(shared.clone())).expect("json");
        assert_eq!(wire, serde_json::to_string(&Ok::<_, String>(view.clone())).expect("json"));
        let back: Result<Shared<View>, String> = serde_json::from_str(&wire).expect("read back");
        assert_eq!(back.expect("ok").into_inner(), view);
        assert_eq!(shared.name, view.name, "reads through to the value");
    }
}
