//! `SharedStr`: an immutable string that many values hold at once, such as a step id that the
//! definition, every event naming the step and every task of the step all carry.
//!
//! Cloning one adds a reference instead of copying the text, which matters because deciding
//! and replaying a case clones these ids on every event (issue 9: most of the pure engine's time
//! went to allocating and freeing such copies). It serializes as a plain JSON string, so stored
//! events do not change.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A cheaply cloned, immutable string. Compares, orders and hashes as its text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SharedStr(Arc<str>);

impl SharedStr {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

// Sound because `Eq`, `Ord` and `Hash` are those of the text (derived through `Arc<str>`).
impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> SharedStr {
        SharedStr(s.into())
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> SharedStr {
        SharedStr(s.into())
    }
}

impl From<&String> for SharedStr {
    fn from(s: &String) -> SharedStr {
        SharedStr(s.as_str().into())
    }
}

impl From<SharedStr> for String {
    fn from(s: SharedStr) -> String {
        s.0.as_ref().to_owned()
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        &*self.0 == other.as_str()
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == &*other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        self.as_str() == &*other.0
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SharedStr, D::Error> {
        String::deserialize(deserializer).map(SharedStr::from)
    }
}

#[cfg(test)]
mod tests {
    use super::SharedStr;
    use std::collections::BTreeSet;

    #[test]
    fn a_shared_string_compares_orders_and_serializes_as_its_text() {
        let a = SharedStr::from("accepted");
        assert_eq!(a, "accepted");
        assert_eq!("accepted", a);
        assert_eq!(a, "accepted".to_owned());
        let (earlier, later) = (SharedStr::from("a"), SharedStr::from("b"));
        assert!(earlier < later);
        let set: BTreeSet<SharedStr> = [a.clone()].into();
        assert!(set.contains("accepted"));
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"accepted\"");
        assert_eq!(serde_json::from_str::<SharedStr>("\"accepted\"").unwrap(), a);
        assert_eq!(format!("{a} {a:?}"), "accepted \"accepted\"");
    }

    #[test]
    fn a_clone_shares_the_text_instead_of_copying_it() {
        let a = SharedStr::from("P5");
        let b = a.clone();
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
    }
}
