//! A page's view shared by the requests that show it while it is current.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A view that many requests render while it is current, cloned by reference instead of
/// copied for each page.
#[derive(Debug, Clone)]
pub struct Shared<T> {
    value: Arc<T>,
}

impl<T> Shared<T> {
    /// Shares `value`.
    pub fn new(value: T) -> Self {
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
        self.value.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Shared::new)
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
    fn it_is_written_and_read_as_the_value_it_shares() {
        let view = View { name: "a \"quoted\" </script> name".into(), score: Some(97.5) };
        let shared = Shared::new(view.clone());
        let wire = serde_json::to_string(&Ok::<_, String>(shared.clone())).expect("json");
        assert_eq!(wire, serde_json::to_string(&Ok::<_, String>(view.clone())).expect("json"));
        let back: Result<Shared<View>, String> = serde_json::from_str(&wire).expect("read back");
        assert_eq!(back.expect("ok").into_inner(), view);
        assert_eq!(shared.name, view.name, "reads through to the value");
    }
}
