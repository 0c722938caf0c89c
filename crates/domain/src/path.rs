//! Materialised tree paths: `/1/5/23/` is organisation 23 under 5 under 1. Everything under an
//! organisation is one index range `[path, upper(path))`, so subtree questions never walk.

/// The path of a child with `id` under `parent` (`None` for a root).
pub fn child(parent: Option<&str>, id: i64) -> String {
    format!("{}{id}/", parent.unwrap_or("/"))
}

/// Exclusive upper bound of the subtree range: every descendant path `p` satisfies
/// `path <= p < upper(path)`. The final `/` (0x2F) becomes `0` (0x30), the next byte up.
pub fn upper(path: &str) -> String {
    let mut s = path.trim_end_matches('/').to_string();
    s.push('0');
    s
}

/// The ids on the path, root first, the organisation itself last.
pub fn ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|s| s.parse().ok()).collect()
}

/// Whether `path` lies in the subtree rooted at `root` (itself included).
pub fn within(path: &str, root: &str) -> bool {
    path.starts_with(root)
}

/// Depth of a path: a root is 0.
pub fn depth(path: &str) -> i64 {
    ids(path).len() as i64 - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn child_paths_nest() {
        let root = child(None, 1);
        assert_eq!(root, "/1/");
        assert_eq!(child(Some(&root), 5), "/1/5/");
        assert_eq!(ids("/1/5/23/"), vec![1, 5, 23]);
        assert_eq!(depth("/1/5/23/"), 2);
    }

    #[test]
    fn upper_bound_excludes_siblings_with_longer_ids() {
        let p = "/1/5/";
        let u = upper(p);
        assert!("/1/5/23/" >= p && "/1/5/23/" < u.as_str());
        assert!(!("/1/50/" >= p && "/1/50/" < u.as_str()));
        assert!(!("/1/6/" >= p && "/1/6/" < u.as_str()));
    }

    fn arb_path() -> impl Strategy<Value = Vec<i64>> {
        proptest::collection::vec(1i64..2000, 1..6)
    }

    proptest! {
        #[test]
        fn range_test_matches_prefix_test(a in arb_path(), b in arb_path()) {
            let pa = a.iter().fold(String::from("/"), |s, id| format!("{s}{id}/"));
            let pb = b.iter().fold(String::from("/"), |s, id| format!("{s}{id}/"));
            let in_range = pb.as_str() >= pa.as_str() && pb.as_str() < upper(&pa).as_str();
            let is_prefix = b.len() >= a.len() && b[..a.len()] == a[..];
            prop_assert_eq!(in_range, is_prefix);
            prop_assert_eq!(within(&pb, &pa), is_prefix);
        }
    }
}
