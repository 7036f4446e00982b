//! The target groups a client can belong to, as data (`data/target-groups.json`).

use std::sync::OnceLock;

use serde::Deserialize;

/// One target group with its labels; a missing translation is `None`, never invented.
#[derive(Clone, Debug, Deserialize)]
pub struct TargetGroup {
    pub id: String,
    pub en: String,
    pub fr: Option<String>,
    pub rw: Option<String>,
}

#[derive(Deserialize)]
struct GroupsFile {
    groups: Vec<TargetGroup>,
}

/// Every known target group.
pub fn target_groups() -> &'static [TargetGroup] {
    static GROUPS: OnceLock<Vec<TargetGroup>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        serde_json::from_str::<GroupsFile>(include_str!("../data/target-groups.json"))
            .expect("the shipped target groups parse")
            .groups
    })
}

pub(crate) fn is_known(id: &str) -> bool {
    target_groups().iter().any(|g| g.id == id)
}
